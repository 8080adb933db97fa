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


@dataclass
class Discretization:
    """The assembled eigenproblem.

    Attributes
    ----------
    space
        ``ngsolve.H1`` space (this rank's part).
    A, M
        ``petsc4py.PETSc.Mat`` stiffness and mass on free dofs (distributed under MPI; the
        eigen solve replaces them by copies renumbered by a graph partition,
        :mod:`pdekit.fem.solve.partition`).
    ndof
        Global number of free dofs (the eigenproblem size).
    ndof_total
        Global number of dofs including Dirichlet ones.
    """

    space: Any
    A: Any
    M: Any
    ndof: int
    ndof_total: int


def dirichlet_pattern(names: Iterable[str]) -> str:
    """NGSolve boundary regex matching exactly ``names`` (empty string: none)."""
    return "|".join(f"^{re.escape(name)}$" for name in sorted(set(names)))


def assemble(mesh: Any, order: int, dirichlet: Iterable[str]) -> Discretization:
    """Assemble stiffness and mass of −Δ on H1 of ``order`` and restrict to free dofs.

    Parameters
    ----------
    mesh
        ``ngsolve.Mesh`` (distributed or not).
    order
        Polynomial order p ≥ 1.
    dirichlet
        Boundary names with u = 0.

    Returns
    -------
    Discretization
    """
    import ngsolve
    from ngsolve import dx, grad
    from ngsolve.ngs2petsc import CreatePETScMatrix

    pattern = dirichlet_pattern(dirichlet)
    space = ngsolve.H1(mesh, order=order, dirichlet=pattern) if pattern else \
        ngsolve.H1(mesh, order=order)
    u, v = space.TnT()
    # Non-symmetric storage on purpose: CreatePETScMatrix converts the full CSR pattern.
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
    else:
        A = CreatePETScMatrix(stiffness.mat, free)
        M = CreatePETScMatrix(mass.mat, free)
    return Discretization(space, A, M, A.getSize()[0], space.ndofglobal)


def scipy_csr(matrix: Any) -> Any:
    """A serial NGSolve sparse matrix as scipy CSR."""
    import numpy as np
    import scipy.sparse as sp

    values, columns, starts = matrix.CSR()
    return sp.csr_matrix((np.asarray(values), np.asarray(columns), np.asarray(starts)),
                         shape=(matrix.height, matrix.width))


def scipy_free_block(matrix: Any, keep: Any) -> Any:
    """Rows and columns ``keep`` of a serial NGSolve sparse matrix, as scipy CSR."""
    return scipy_csr(matrix)[keep][:, keep].tocsr()


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


def free_block(matrix: Any, free: Any) -> Any:
    """The free-dof block of a serial NGSolve sparse matrix as a PETSc AIJ matrix, rows in
    the order of the free dofs (what :func:`free_dof_vector_to_gridfunction` assumes).

    One CSR slice with scipy: 3–5× faster than ``CreatePETScMatrix`` (block matrix,
    sub-matrix extraction, conversion), which serves the distributed case.
    """
    import numpy as np
    from petsc4py import PETSc

    block = scipy_free_block(matrix, np.flatnonzero(np.asarray(free, dtype=bool)))
    block.sort_indices()
    return PETSc.Mat().createAIJ(size=block.shape, comm=PETSc.COMM_SELF, csr=(
        block.indptr.astype(PETSc.IntType), block.indices.astype(PETSc.IntType), block.data))


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
