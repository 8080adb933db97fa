"""A partition of the eigenproblem's matrices across ranks, for the solve.

Under MPI, NGSolve's PETSc matrices (``CreatePETScMatrix``) own contiguous, equal blocks of
a global numbering that follows the assembling rank's local dof order. Netgen's
``Mesh.Distribute`` keeps rank 0 free of elements (Netgen 6.2.2608, ``Mesh::SendMesh``),
and a refined mesh numbers its vertices level by level, so these blocks are scattered over
the whole domain: on 2 ranks half of the rows couple to the other rank, and every
matrix-vector product and AMG level moves large messages (140k-dof P1 cube, CG + GAMG:
130 kB per message, each of 2 ranks at 62 % of the serial flop rate).

Every rank should own one compact part instead, its rows numbered part by part (``P A
Pᵀ``, ``P M Pᵀ``: same eigenvalues), with a map that brings a vector of the new numbering
back to NGSolve's, where the modes are written (:class:`Partitioned`). This module holds
the numbering (:func:`rows_for_this_rank`, :func:`new_numbers`) and the graph partition
(:func:`repartition`: PETSc ``MatPartitioning`` with PT-Scotch, Chevalier & Pellegrini,
"PT-Scotch: A tool for efficient parallel graph ordering", Parallel Comput. 34 (2008), or
ParMETIS, then ``MatCreateSubMatrix``); :mod:`pdekit.fem.solve.mpi_matrices` chooses
between it and coordinate bisection.

Importing this module imports no PETSc.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np


PARTITIONER_CHOICES = ("auto", "rcb", "graph")
"""``solver.partitioner``: coordinate bisection, a graph partition, or auto (``"rcb"``)."""

PARTITIONERS = ("ptscotch", "parmetis")
"""Graph partitioners tried in this order (the first PETSc was built with)."""


@dataclass
class Partitioned:
    """The matrices the solve uses and the way back to the assembly numbering.

    Attributes
    ----------
    A, M
        The renumbered matrices (the originals on one rank or without a partitioner).
    partitioner
        ``"rcb"`` (coordinate bisection), the ``MatPartitioning`` type used, or ``None``
        (not split).
    rows_per_rank
        Rows each rank owns in :attr:`A`.
    seconds
        Time the partition and renumbering took (beyond making the matrices once).
    """

    A: Any
    M: Any
    partitioner: str | None
    rows_per_rank: list[int]
    seconds: float = 0.0
    _old_rows: Any = field(default=None, repr=False)
    _assembly_rows: int = 0
    _scatter: Any = field(default=None, repr=False)
    _template: Any = field(default=None, repr=False)

    def to_assembly_numbering(self, vector: Any) -> Any:
        """``vector`` (numbering of :attr:`A`) as a new vector in the assembly numbering
        (collective)."""
        if self._old_rows is None:
            return vector
        from petsc4py import PETSc

        if self._scatter is None:
            self._template = PETSc.Vec().createMPI(
                (self._assembly_rows, vector.getSize()), comm=vector.getComm())
            # Entry k of the new numbering is row old_rows[k] of the assembly numbering.
            self._scatter = PETSc.Scatter().create(vector, None, self._template,
                                                   self._old_rows)
        target = self._template.duplicate()
        self._scatter.scatter(vector, target, PETSc.InsertMode.INSERT_VALUES,
                              PETSc.ScatterMode.FORWARD)
        return target


def available_partitioner() -> str | None:
    """The first of :data:`PARTITIONERS` this PETSc has, or ``None``."""
    from petsc4py import PETSc

    for name in PARTITIONERS:
        if PETSc.Sys.hasExternalPackage(name):
            return name
    return None


def repartition(A: Any, M: Any) -> Partitioned:
    """Renumber ``A`` and ``M`` (same layout, symmetric pattern) by a graph partition of
    their pattern, so that each rank owns one compact part (collective; module doc)."""
    from petsc4py import PETSc

    comm = A.getComm()
    comm.tompi4py().Barrier()  # the time of this partition, not of waiting for the others
    started = time.perf_counter()
    start, end = A.getOwnershipRange()
    mpi = comm.tompi4py()
    name = available_partitioner() if comm.getSize() > 1 else None
    if name is None:
        return Partitioned(A, M, None, mpi.allgather(end - start))
    target = graph_partition(A, name)
    old_rows = rows_for_this_rank(target, start, mpi)
    counts = mpi.allgather(len(old_rows))
    owned = PETSc.IS().createGeneral(old_rows.astype(PETSc.IntType), comm=comm)
    # The solver flags them symmetric (and the shifted matrix positive definite) itself.
    return Partitioned(A.createSubMatrix(owned, owned), M.createSubMatrix(owned, owned),
                       name, [int(c) for c in counts], time.perf_counter() - started,
                       _old_rows=owned, _assembly_rows=end - start)


def graph_partition(A: Any, partitioner: str) -> np.ndarray:
    """The rank each of this rank's rows goes to in a graph partition of ``A``'s pattern
    (PETSc ``MatPartitioning`` of type ``partitioner``)."""
    from petsc4py import PETSc

    partitioning = PETSc.MatPartitioning().create(comm=A.getComm())
    partitioning.setAdjacency(A)
    partitioning.setType(partitioner)
    target = PETSc.IS()
    partitioning.apply(target)  # per local row: the rank that gets it
    partitioning.destroy()
    return target.getIndices()


def rows_for_this_rank(target_ranks: np.ndarray, first_row: int, comm: Any) -> np.ndarray:
    """The global rows this rank owns after a partition, in their new order.

    ``target_ranks[i]`` is the rank that gets this rank's row ``first_row + i``. Each rank
    receives its rows grouped by sending rank, in the senders' order; the new numbering
    counts them rank by rank (so a rank's new rows are contiguous).
    """
    rows = first_row + np.arange(len(target_ranks), dtype=np.int64)
    outgoing = [rows[target_ranks == rank] for rank in range(comm.Get_size())]
    return np.concatenate(comm.alltoall(outgoing)).astype(np.int64)


def new_numbers(target: np.ndarray, comm: Any) -> np.ndarray:
    """The new global number of each row this rank owns, ``target[i]`` being the rank that
    gets it: the numbering :func:`rows_for_this_rank` describes, worked out by each rank
    for its own rows from the counts every rank sends to every rank."""
    ranks, rank = comm.Get_size(), comm.Get_rank()
    target = np.asarray(target, dtype=np.int64)
    counts = np.array(comm.allgather(np.bincount(target, minlength=ranks).tolist()),
                      dtype=np.int64).reshape(ranks, ranks)  # [s, r]: rows s sends to r
    first_row = np.concatenate([[0], np.cumsum(counts.sum(axis=0))[:-1]])
    before_me = counts[:rank].sum(axis=0)  # rows earlier ranks send to each rank
    order = np.argsort(target, kind="stable")
    destination = target[order]
    within = np.arange(len(target)) - np.searchsorted(destination, destination)
    numbers = np.empty(len(target), dtype=np.int64)
    numbers[order] = first_row[destination] + before_me[destination] + within
    return numbers
