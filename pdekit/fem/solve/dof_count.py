"""The exact free-dof count of a small level, for ``solver.nev`` before the run.

The size estimate (:mod:`pdekit.fem.solve.size`) counts every dof, Dirichlet ones too, and is good
to a factor 2 on meshes of some size; on a mesh of a few elements the boundary holds most
dofs (a unit square at ``maxh = 0.5``, P1: about 10 estimated, 0 free). When ``nev`` comes
within :data:`NEV_MARGIN` of the estimate of a level below :data:`EXACT_COUNT_DOFS`, the
level is meshed here (imports NGSolve) and its free dofs counted, so that too large a
``nev`` is bad input found before anything is written, not in the run.
"""

from __future__ import annotations

from typing import Any, Collection

EXACT_COUNT_DOFS = 2e4
"""Estimated dofs up to which a level is meshed to count (well under a second)."""

NEV_MARGIN = 16
"""Count exactly when the estimate is below this many times ``nev``."""


def needs_count(nev: int, estimated_dofs: float) -> bool:
    """Whether ``nev`` is close enough to a small level's estimate to count exactly."""
    return estimated_dofs <= min(EXACT_COUNT_DOFS, NEV_MARGIN * nev)


def free_dofs(shape: Any, dirichlet: Collection[str], order: int, *, maxh: float,
              refine: int, hp: bool, hp_levels: int, hp_factor: float,
              curve_order: int) -> int:
    """Free dofs of H1 of ``order`` on the serial mesh the run would build (arguments as
    :func:`pdekit.fem.geometry.mesh.build_mesh`).

    Raises
    ------
    pdekit.fem.geometry.mesh_text.MeshFileError
        When a mesh file cannot be read.
    """
    import ngsolve

    from pdekit.fem.solve.assembly import dirichlet_pattern
    from pdekit.fem.geometry.mesh import build_mesh

    mesh, _ = build_mesh(shape, set(dirichlet), maxh=maxh, refine=refine, hp=hp,
                         hp_levels=hp_levels, hp_factor=hp_factor, curve_order=curve_order)
    pattern = dirichlet_pattern(dirichlet)
    space = ngsolve.H1(mesh, order=order, dirichlet=pattern) if pattern else \
        ngsolve.H1(mesh, order=order)
    return sum(space.FreeDofs())
