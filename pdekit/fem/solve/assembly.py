"""Assembly of the Laplace eigenproblem −Δu = λu: stiffness and mass on free dofs.

``a(u, v) = ∫ ∇u·∇v dx`` and ``m(u, v) = ∫ u v dx`` on the H1 space of order p with
Dirichlet conditions on the named boundaries (Neumann elsewhere, natural). Both matrices
are restricted to the free dofs before they reach PETSc, so constrained Dirichlet dofs
cannot produce spurious eigenvalues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from pdekit.fem.solve.mpi_matrices import distributed_matrices
from pdekit.fem.solve.partition import Partitioned
from pdekit.fem.solve.sparse import free_block, scipy_free_block


@dataclass
class Discretization:
    """The assembled eigenproblem.

    Attributes
    ----------
    space
        ``ngsolve.H1`` space (this rank's part).
    A, M
        ``petsc4py.PETSc.Mat`` stiffness and mass on free dofs (under MPI distributed, each
        rank owning one compact part: :mod:`pdekit.fem.solve.mpi_matrices`).
    ndof
        Global number of free dofs (the eigenproblem size).
    ndof_total
        Global number of dofs including Dirichlet ones.
    partition
        Under MPI: how the rows were split, and the map of a vector back to NGSolve's
        numbering; ``None`` on one process.
    """

    space: Any
    A: Any
    M: Any
    ndof: int
    ndof_total: int
    partition: Partitioned | None = None

    def to_ngsolve_numbering(self, vector: Any) -> Any:
        """A solution vector in the numbering :func:`free_dof_vector_to_gridfunction`
        reads (collective under MPI)."""
        return vector if self.partition is None else \
            self.partition.to_assembly_numbering(vector)


def dirichlet_pattern(names: Iterable[str]) -> str:
    """NGSolve boundary regex matching exactly ``names`` (empty string: none)."""
    return "|".join(f"^{re.escape(name)}$" for name in sorted(set(names)))


def assemble(mesh: Any, order: int, dirichlet: Iterable[str],
             partitioner: str = "auto") -> Discretization:
    """Assemble stiffness and mass of −Δ on H1 of ``order`` and restrict to free dofs.

    Parameters
    ----------
    mesh
        ``ngsolve.Mesh`` (distributed or not).
    order
        Polynomial order p ≥ 1.
    dirichlet
        Boundary names with u = 0.
    partitioner
        Under MPI, how the rows are split over the ranks: ``"auto"``, ``"rcb"`` or
        ``"graph"`` (:mod:`pdekit.fem.solve.mpi_matrices`).

    Returns
    -------
    Discretization
    """
    import ngsolve
    from ngsolve import dx, grad

    pattern = dirichlet_pattern(dirichlet)
    space = ngsolve.H1(mesh, order=order, dirichlet=pattern) if pattern else \
        ngsolve.H1(mesh, order=order)
    u, v = space.TnT()
    # Non-symmetric storage on purpose: the conversions read the full CSR pattern.
    stiffness = ngsolve.BilinearForm(space)
    stiffness += grad(u) * grad(v) * dx
    mass = ngsolve.BilinearForm(space)
    mass += u * v * dx
    stiffness.Assemble()
    mass.Assemble()
    free = space.FreeDofs()
    pardofs = space.ParallelDofs()
    if pardofs is None or pardofs.comm.size == 1:
        A, M = free_block(stiffness.mat, free), free_block(mass.mat, free)
        return Discretization(space, A, M, A.getSize()[0], space.ndofglobal)
    parts = distributed_matrices(space, stiffness.mat, mass.mat, partitioner)
    return Discretization(space, parts.A, parts.M, parts.A.getSize()[0], space.ndofglobal,
                          parts)


def laplace_free_matrices(space: Any) -> tuple[Any, Any, Any]:
    """``(free, A, M)``: the free dofs of an NGSolve ``space`` and its stiffness
    ``(∇u, ∇v)`` and mass ``(u, v)`` on them, as scipy CSR matrices (serial)."""
    import ngsolve
    import numpy as np

    u, v = space.TnT()
    stiffness = ngsolve.BilinearForm(ngsolve.grad(u) * ngsolve.grad(v) * ngsolve.dx)
    mass = ngsolve.BilinearForm(u * v * ngsolve.dx)
    stiffness.Assemble()
    mass.Assemble()
    free = np.flatnonzero(np.asarray(space.FreeDofs(), dtype=bool))
    return free, scipy_free_block(stiffness.mat, free), scipy_free_block(mass.mat, free)


def free_dof_vector_to_gridfunction(space: Any, petsc_vec: Any, gridfunction: Any) -> None:
    """Copy a PETSc vector on free dofs into an NGSolve GridFunction (serial or MPI)."""
    import numpy as np

    free = space.FreeDofs()
    pardofs = space.ParallelDofs()
    if pardofs is None or pardofs.comm.size == 1:
        values = np.zeros(space.ndof)
        values[np.flatnonzero(free)] = petsc_vec.getArray()
        gridfunction.vec.FV().NumPy()[:] = values
        return
    from ngsolve.ngs2petsc import VectorMapping

    VectorMapping(pardofs, free).P2N(petsc_vec, gridfunction.vec)
