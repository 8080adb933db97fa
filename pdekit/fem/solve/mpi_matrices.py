"""PETSc matrices of a distributed NGSolve discretization, each rank owning one compact
part of the domain.

NGSolve's ``CreatePETScMatrix`` numbers the free dofs by ``ParallelDofs.EnumerateGlobally``
and splits that numbering into equal blocks; on a Netgen-distributed mesh these blocks are
scattered over the domain (:mod:`pdekit.fem.solve.partition`). Here the numbering comes
from a partition instead:

- ``"rcb"``: every free dof gets a point (a vertex dof its vertex, a higher-order dof the
  mean of the vertices its row couples to); recursive coordinate bisection of the points
  (:mod:`pdekit.fem.solve.bisection`) gives each dof its rank, and the matrices are made
  in that numbering directly: the same ``MATIS`` → ``MPIAIJ`` conversion as NGSolve's,
  with the partition's local-to-global map. No matrix is made twice.
- ``"graph"``: NGSolve's matrices, then a graph partition of their pattern and PETSc's
  ``MatCreateSubMatrix`` (:func:`pdekit.fem.solve.partition.repartition`).

Both return a :class:`~pdekit.fem.solve.partition.Partitioned`, whose map brings a vector
back to NGSolve's numbering (the one ``VectorMapping`` writes into a ``GridFunction``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from pdekit.fem.solve.bisection import coordinate_bisection
from pdekit.fem.solve.sparse import free_block, scipy_csr
from pdekit.fem.solve.partition import (Partitioned, new_numbers, repartition,
                                        rows_for_this_rank)


def distributed_matrices(space: Any, stiffness: Any, mass: Any, partitioner: str
                         ) -> Partitioned:
    """Stiffness and mass of ``space`` on its free dofs as distributed PETSc matrices,
    numbered by ``partitioner`` (``"auto"`` is ``"rcb"``; module doc) (collective).

    Parameters
    ----------
    space
        The NGSolve H1 space on a distributed mesh.
    stiffness, mass
        NGSolve parallel matrices of ``space`` (assembled).
    partitioner
        ``"auto"``, ``"rcb"`` or ``"graph"``.
    """
    from ngsolve.ngs2petsc import CreatePETScMatrix
    from petsc4py import PETSc

    free = space.FreeDofs()
    if partitioner == "graph":
        return repartition(CreatePETScMatrix(stiffness, free), CreatePETScMatrix(mass, free))
    pardofs = space.ParallelDofs()
    mpi = pardofs.comm.mpi4py
    mpi.Barrier()  # rank 0 (no elements) would time the others' assembly as its own
    started = time.perf_counter()
    mapping = _Mapping(pardofs, free)
    # the points of the rows in NGSolve's numbering (equal blocks), then their new ranks
    points = mapping.to_rows(dof_points(space, stiffness.local_mat))
    start = mapping.rows.getOwnershipRange()[0]
    target = coordinate_bisection(points, mpi.Get_size(), mpi)
    numbers = mapping.to_dofs(new_numbers(target, mpi).astype(float))
    old_rows = rows_for_this_rank(target, start, mpi)
    seconds = time.perf_counter() - started
    A, M = (_aij(matrix.local_mat, free, numbers, len(old_rows), mapping.size, mpi)
            for matrix in (stiffness, mass))
    owned = PETSc.IS().createGeneral(old_rows.astype(PETSc.IntType), comm=A.getComm())
    return Partitioned(A, M, "rcb", [int(c) for c in mpi.allgather(len(old_rows))],
                       seconds=seconds, _old_rows=owned, _assembly_rows=len(points))


def dof_points(space: Any, local_matrix: Any) -> np.ndarray:
    """``(ndof, dim)`` points of this rank's dofs (its numbering).

    NGSolve's H1 numbers the vertex dofs first, vertex i as dof i; a higher-order dof
    (edge, face, cell) is placed at the mean of the vertices its row of ``local_matrix``
    couples to, inside the support of its basis function.
    """
    mesh = space.mesh
    vertices = np.asarray(mesh.ngmesh.Coordinates())[:mesh.nv, :mesh.dim] if mesh.nv else \
        np.zeros((0, mesh.dim))
    points = np.zeros((space.ndof, mesh.dim))
    points[:mesh.nv] = vertices
    if space.ndof > mesh.nv:
        pattern = scipy_csr(local_matrix)[mesh.nv:, :mesh.nv]
        pattern.data[:] = 1.0
        weight = np.asarray(pattern.sum(axis=1)).ravel()
        points[mesh.nv:] = (pattern @ vertices) / np.maximum(weight, 1.0)[:, None]
    return points


class _Mapping:
    """Values of this rank's free dofs to and from the rows of NGSolve's global numbering
    (equal blocks over the ranks), as NGSolve's ``VectorMapping`` moves vectors."""

    def __init__(self, pardofs: Any, free: Any):
        import ngsolve
        from ngsolve.ngs2petsc import VectorMapping

        self.mapping = VectorMapping(pardofs, free)
        self.size = self.mapping.nglob
        self.free = np.flatnonzero(np.asarray(free, dtype=bool))
        self.local = ngsolve.la.CreateParallelVector(pardofs,
                                                     ngsolve.la.PARALLEL_STATUS.CUMULATED)
        # NGSolve's rows: PETSc's default split of the free dofs, as CreatePETScMatrix has
        from petsc4py import PETSc

        self.rows = PETSc.Vec().createMPI(self.size, comm=pardofs.comm.mpi4py)

    def to_rows(self, values: np.ndarray) -> np.ndarray:
        """``(ndof, k)`` values of this rank's dofs → ``(rows, k)`` values of the rows it
        owns (a shared dof: the value of the rank NGSolve calls its master)."""
        import ngsolve

        result = np.empty((self.rows.getLocalSize(), values.shape[1]))
        for column in range(values.shape[1]):
            self.local.SetParallelStatus(ngsolve.la.PARALLEL_STATUS.CUMULATED)
            self.local.FV().NumPy()[:] = values[:, column]
            self.mapping.N2P(self.local, self.rows)
            result[:, column] = self.rows.getArray()
        return result

    def to_dofs(self, values: np.ndarray) -> np.ndarray:
        """Values of the rows this rank owns → the values of this rank's free dofs."""
        self.rows.getArray()[:] = values
        return np.asarray(self.mapping.P2N(self.rows, self.local).FV().NumPy())[self.free]


def _aij(local_matrix: Any, free: Any, numbers: np.ndarray, rows: int, size: int,
         comm: Any) -> Any:
    """The global matrix summed from the ranks' ``local_matrix`` free blocks, the free
    dofs numbered ``numbers`` and this rank owning ``rows`` of them (PETSc ``MATIS``
    converted to ``MPIAIJ``, as NGSolve's ``CreatePETScMatrix`` does)."""
    from petsc4py import PETSc

    block = free_block(local_matrix, free)
    lgmap = PETSc.LGMap().create(np.rint(numbers).astype(PETSc.IntType), comm=comm)
    matrix = PETSc.Mat().create(comm=comm)
    matrix.setSizes(((rows, size), (rows, size)))
    matrix.setType(PETSc.Mat.Type.IS)
    matrix.setLGMap(lgmap)
    matrix.setISLocalMat(block)
    matrix.assemble()
    return matrix.convert("mpiaij")
