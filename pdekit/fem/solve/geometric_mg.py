"""Geometric multigrid on Netgen's refinement hierarchy, as a PETSc preconditioner.

A mesh made by ``mesh.refine`` uniform refinements keeps its hierarchy: every vertex
added by a refinement is the midpoint of an edge of the level before, whose two end
vertices Netgen records (``Mesh.GetParentVertices``), and Netgen numbers the vertices
of each level after those of the levels before. So the P1 space of level l is nested in
that of level l + 1, and the prolongation is the identity on the old vertices and the
mean of the two parents on the new ones. NGSolve's H1 basis is hierarchical (its
vertex functions are the P1 hat functions, higher-order functions vanish at the
vertices), so P1 on the finest mesh is nested in Pp there by injecting the vertex
dofs: a p-level on top of the h-levels (p-multigrid, Rønquist & Patera, Int. J. Numer.
Meth. Eng. 24, 1987).

The V-cycle is PETSc's ``PCMG`` with these interpolations and Galerkin coarse operators
(Pᵀ A P, so the coarse levels need no assembly), one symmetric Gauss–Seidel sweep before
and after the coarse correction (PETSc's SOR, ω = 1) and a Cholesky solve on the coarse
mesh. P1 cube, 148k dofs, 4 pairs, tol 1e-10, pdekit's LOBPCG: 13 iterations and 1.7 s,
against 26 iterations and 3.5 s preconditioned by GAMG; with PETSc's default smoothing
(two Chebyshev–Jacobi sweeps) 13 iterations and 2.5 s. Options (prefix ``st_``: ``-st_mg_levels_ksp_type``, ``-st_pc_mg_cycle_type w``…)
change it. Rows and columns of
Dirichlet dofs are left out on every level, as in the matrices the solve uses.

Serial only: under MPI the solve's matrices are repartitioned (:mod:`pdekit.fem.solve.
partition`), and the hierarchy of a distributed Netgen mesh lives on the ranks that hold
its elements.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["hierarchy_levels", "multigrid_preconditioner", "prolongations",
           "refinement_hierarchy"]


def _parents(mesh: Any) -> np.ndarray:
    """The two parent vertices of each vertex (−1, −1 on the coarse mesh)."""
    return np.array([mesh.GetParentVertices(v) for v in range(mesh.nv)], dtype=np.int64)


def _levels(parents: np.ndarray) -> list[int]:
    """Vertices up to each refinement level (level 0: the coarse mesh), cumulative: the
    vertices of levels ≤ l are the first ``counts[l]``."""
    # a vertex is one level above its higher parent: one vectorized pass per level
    child = parents[:, 0] >= 0
    level = np.zeros(len(parents), dtype=np.int64)
    while True:
        updated = level.copy()
        updated[child] = 1 + np.maximum(level[parents[child, 0]], level[parents[child, 1]])
        if np.array_equal(updated, level):
            break
        level = updated
    if np.any(np.diff(level) < 0):
        raise ValueError("the mesh's vertices are not numbered level by level")
    return [int(np.searchsorted(level, l, side="right")) for l in range(level.max() + 1)]


def hierarchy_levels(mesh: Any) -> list[int]:
    """Vertices up to each refinement level of ``mesh``, cumulative (see
    :func:`prolongations`)."""
    return _levels(_parents(mesh))


def prolongations(mesh: Any, free: np.ndarray, ndof: int) -> list[Any]:
    """The interpolations (scipy CSR) between consecutive levels, coarsest first, on free
    dofs (``free``: a mask over the ``ndof`` dofs, vertex dofs first): P1 level l → P1
    level l + 1 for each refinement, then P1 → the finest space when it is of higher
    order. Raises ``ValueError`` if the vertices are not numbered level by level."""
    import scipy.sparse as sp

    parents = _parents(mesh)
    counts = _levels(parents)
    matrices = []
    for coarse, fine in zip(counts[:-1], counts[1:]):
        new = np.arange(coarse, fine)
        rows = np.concatenate([np.arange(coarse), new, new])
        cols = np.concatenate([np.arange(coarse), parents[new, 0], parents[new, 1]])
        values = np.concatenate([np.ones(coarse), np.full(2 * new.size, 0.5)])
        P = sp.csr_matrix((values, (rows, cols)), shape=(fine, coarse))
        matrices.append(P[free[:fine]][:, free[:coarse]].tocsr())
    if ndof > mesh.nv:  # P1 → Pp on the finest mesh: the vertex dofs
        inject = sp.eye(ndof, mesh.nv, format="csr")
        matrices.append(inject[free][:, free[:mesh.nv]].tocsr())
    return matrices


def multigrid_preconditioner(A: Any, interpolations: list[Any], prefix: str = "") -> Any:
    """A PETSc ``PCMG`` on ``A`` (the finest level) with these interpolations (coarsest
    first) and Galerkin coarse operators; options prefix ``prefix``; options read, not
    set up."""
    from petsc4py import PETSc

    pc = PETSc.PC().create(comm=A.getComm())
    pc.setOptionsPrefix(prefix)
    pc.setOperators(A)
    pc.setType(PETSc.PC.Type.MG)
    pc.setMGLevels(len(interpolations) + 1)
    pc.setMGType(PETSc.PC.MGType.MULTIPLICATIVE)
    for level, P in enumerate(interpolations, start=1):
        P.sort_indices()
        matrix = PETSc.Mat().createAIJ(size=P.shape, comm=A.getComm(), csr=(
            P.indptr.astype(PETSc.IntType), P.indices.astype(PETSc.IntType), P.data))
        pc.setMGInterpolation(level, matrix)
    for level in range(1, len(interpolations) + 1):
        smoother = pc.getMGSmoother(level)  # one symmetric Gauss–Seidel sweep
        smoother.setType(PETSc.KSP.Type.RICHARDSON)
        smoother.setTolerances(max_it=1)
        smoother.getPC().setType(PETSc.PC.Type.SOR)
    coarse = pc.getMGCoarseSolve()
    coarse.setType(PETSc.KSP.Type.PREONLY)
    coarse.getPC().setType(PETSc.PC.Type.CHOLESKY)
    database = PETSc.Options()
    galerkin = prefix + "pc_mg_galerkin"  # petsc4py 3.18 has no setter
    ours = not database.hasName(galerkin)
    if ours:
        database.setValue(galerkin, "both")
    try:
        pc.setFromOptions()
    finally:
        if ours:
            database.delValue(galerkin)
    return pc


def refinement_hierarchy(mesh: Any, space: Any, comm: Any) -> Callable[[], list[Any]] | None:
    """``() -> interpolations`` of :func:`prolongations` for the free dofs of ``space``
    on ``mesh``, or ``None`` where there is no hierarchy to use (no refinement, or more
    than one rank)."""
    if comm.Get_size() > 1 or mesh.levels < 2:
        return None
    free = np.asarray(space.FreeDofs(), dtype=bool)
    return lambda: prolongations(mesh, free, space.ndof)
