"""Geometric multigrid on Netgen's refinement hierarchy (:mod:`pdekit.fem.solve.geometric_mg`)
as LOBPCG's preconditioner."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pdekit.cli import main
from pdekit.fem.geometry.mesh import build_mesh
from pdekit.fem.geometry.solids import build_solid
from pdekit.fem.schema import GeometrySection
from pdekit.fem.solve.geometric_mg import hierarchy_levels, prolongations


def refined_cube(refine: int, maxh: float = 0.4):
    cube = build_solid(GeometrySection(shape="box"))
    mesh, _ = build_mesh(cube, set(cube.boundaries), maxh=maxh, refine=refine, hp=False,
                         hp_levels=0, hp_factor=0.2, curve_order=1)
    return mesh


def test_interpolations_reproduce_linear_functions():
    """P1 prolongation is exact on linear functions: interpolating a + b·x + c·y + d·z
    from the vertices of level l gives its values at the vertices of level l + 1."""
    mesh = refined_cube(2)
    counts = hierarchy_levels(mesh)
    assert len(counts) == 3 and counts[-1] == mesh.nv and counts[0] < counts[1] < counts[2]
    points = np.array([v.point for v in mesh.vertices])
    f = 0.3 + 1.7 * points[:, 0] - 2.1 * points[:, 1] + 0.9 * points[:, 2]
    everything = np.ones(mesh.nv, dtype=bool)
    for P, coarse, fine in zip(prolongations(mesh, everything, mesh.nv), counts, counts[1:]):
        assert P.shape == (fine, coarse)
        assert np.allclose(P @ f[:coarse], f[:fine], rtol=0, atol=1e-13)


def test_higher_order_level_injects_the_vertex_dofs():
    mesh = refined_cube(1)
    ndof = mesh.nv + 50  # vertex dofs first, then others (edge, face, cell)
    free = np.ones(ndof, dtype=bool)
    free[3] = False  # a Dirichlet vertex leaves both sides
    top = prolongations(mesh, free, ndof)[-1]
    assert top.shape == (ndof - 1, mesh.nv - 1)
    assert np.array_equal(top.toarray(), np.eye(ndof - 1, mesh.nv - 1))


@pytest.mark.parametrize("order, maxh, refine, nev", [(1, 0.3, 2, 4), (2, 0.5, 1, 4)])
def test_multigrid_lobpcg_gives_the_krylov_schur_eigenvalues(tmp_path, order, maxh, refine,
                                                             nev):
    sets = ["--set", f"fem.order={order}", "--set", f"mesh.maxh={maxh}", "--set",
            f"mesh.refine={refine}", "--set", f"solver.nev={nev}", "--set", "output.modes=0",
            "--set", "output.plot=0"]
    case = "cases/eigen_cube.toml"
    assert main(["eig", case, "--out", str(tmp_path / "ks"), "--quiet", *sets,
                 "--set", "solver.method=krylovschur"]) == 0
    assert main(["eig", case, "--out", str(tmp_path / "mg"), "--quiet", *sets,
                 "--set", "solver.method=lobpcg", "--set", "solver.tol=1e-12"]) == 0
    ks = json.loads((tmp_path / "ks" / "summary.json").read_text())["results"]
    mg = json.loads((tmp_path / "mg" / "summary.json").read_text())["results"]
    solver = mg["solver"]
    assert solver["preconditioner"] == "multigrid" and solver["pc"] == "mg"
    assert f"{refine + 1 + (order > 1)} levels" in solver["preconditioner_reason"]
    for a, b in zip(ks["eigenvalues"], mg["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-9 * a


def test_auto_takes_gamg_without_refinements_and_multigrid_needs_them(tmp_path, capsys):
    sets = ["--set", "mesh.maxh=0.3", "--set", "mesh.refine=0", "--set", "solver.nev=2",
            "--set", "solver.method=lobpcg", "--set", "output.modes=0", "--set",
            "output.plot=0"]
    case = "cases/eigen_cube.toml"
    assert main(["eig", case, "--out", str(tmp_path / "auto"), "--quiet", *sets]) == 0
    solver = json.loads((tmp_path / "auto" / "summary.json").read_text())["results"]["solver"]
    assert solver["preconditioner"] == "gamg"
    assert "no refinement hierarchy" in solver["preconditioner_reason"]
    out = tmp_path / "refused"
    assert main(["eig", case, "--out", str(out), "--quiet", *sets, "--set",
                 "solver.preconditioner=multigrid"]) == 2
    assert "mesh.refine" in capsys.readouterr().err and not out.exists()
