"""Shared helpers for the FEM eigen tests: a direct (no CLI) solve of a geometry."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from pdekit.fem.geometry.shapes2d import Shape


def solve_laplace(shape: Shape, *, order: int, maxh: float, refine: int = 0,
                  nev: int = 6, neumann: tuple[str, ...] = (), all_neumann: bool = False,
                  hp: bool = True, hp_levels: int = 0, hp_factor: float = 0.2,
                  curve: int | None = None, target: float | None = None,
                  tol: float = 1e-12, factorization: str = "auto",
                  factor_budget_bytes: float | None = None,
                  method: str = "auto") -> tuple[list[float], Any]:
    """Mesh, assemble and solve with the plain pdekit.fem functions (serial)."""
    from pdekit.fem.solve.assembly import assemble
    from pdekit.fem.geometry.mesh import build_mesh
    from pdekit.fem.solve.slepc_solver import solve_eigen

    dirichlet = set() if all_neumann else set(shape.boundaries) - set(neumann)
    mesh, info = build_mesh(shape, dirichlet, maxh=maxh, refine=refine, hp=hp,
                            hp_levels=hp_levels or order, hp_factor=hp_factor,
                            curve_order=order if curve is None else curve)
    disc = assemble(mesh, order, dirichlet)
    if target is None:
        target = 0.0 if dirichlet else -1.0
    result = solve_eigen(disc.A, disc.M, nev=nev, target=target, tol=tol,
                         factorization=factorization, method=method, dim=mesh.dim,
                         stiffness_definite=bool(dirichlet),
                         factor_budget_bytes=factor_budget_bytes)
    assert result.converged >= nev
    return result.eigenvalues[:nev], (mesh, info, disc, result)


@pytest.fixture
def eigen() -> Callable[..., tuple[list[float], Any]]:
    return solve_laplace
