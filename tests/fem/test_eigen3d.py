"""The eigen kind in 3D through the CLI: cube, ball, Neumann cube, 2 ranks, accuracy target.

Exact references: the cube's λ/π² = l² + m² + n² (Dirichlet: 3 ×1, 6 ×3; Neumann: 0, 1 ×3),
the ball's squared zeros of spherical Bessel functions (π², 4.493409457909064² ×3), the
L-shape's λ1 = 9.6397238440219410527 (Trefethen & Betcke 2006). Tolerances are about 3× the
errors measured with NGSolve 6.2.2608 (in comments).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pdekit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
PI2 = math.pi ** 2
J1_ZERO = 4.493409457909064
LSHAPE_LAMBDA1 = 9.6397238440219410527


def run(case: str, out: Path, *sets: str) -> dict:
    args = [item for s in sets for item in ("--set", s)]
    assert main(["eig", str(CASES / case), "--out", str(out), "--quiet", *args]) == 0
    return json.loads((out / "summary.json").read_text())["results"]


def rel(values: list[float], exact: list[float]) -> list[float]:
    return [abs(v - e) / max(abs(e), 1.0) for v, e in zip(values, exact)]


def test_unit_cube_dirichlet(tmp_path):
    results = run("eigen_cube.toml", tmp_path / "cube", "output.plot=0")
    assert results["geometry"]["dim"] == 3
    assert max(rel(results["eigenvalues"], [3 * PI2] + [6 * PI2] * 3)) < 1.5e-4  # 4.7e-5
    assert [c["multiplicity"] for c in results["clusters"]] == [1, 3]
    assert results["reference_kind"] == "exact" and max(results["errors"]) < 1.5e-4
    pvd = (tmp_path / "cube" / "modes.pvd").read_text()
    assert 'file="mode_04.pvtu"' in pvd and (tmp_path / "cube" / "mode_01" / "piece_0.vtu").exists()


def test_unit_ball_curved(tmp_path):
    results = run("eigen_ball.toml", tmp_path / "ball", "output.modes=0", "output.plot=0")
    errors = rel(results["eigenvalues"], [PI2] + [J1_ZERO ** 2] * 3)
    assert errors[0] < 1e-6 and max(errors[1:]) < 3e-4  # 3.5e-7; 3e-5 .. 1.2e-4
    assert [c["multiplicity"] for c in results["clusters"]] == [1, 3]
    assert results["reference"][1] == pytest.approx(J1_ZERO ** 2, rel=1e-14)


def test_neumann_cube(tmp_path):
    results = run("eigen_cube.toml", tmp_path / "neumann", "boundary.default=neumann",
                  "output.modes=0", "output.plot=0")
    values = results["eigenvalues"]
    assert abs(values[0]) < 1e-9
    assert max(rel(values[1:], [PI2] * 3)) < 1e-6  # 1.4e-7
    assert [c["multiplicity"] for c in results["clusters"]] == [1, 3]
    assert results["solver"]["target"] == -1.0


def test_prism_and_csg_cases_prepare(tmp_path):
    from pdekit.core.cases import load_case

    case = tmp_path / "csg.toml"
    case.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "csg"\n'
                    'combine = "block + post - hole"\n'
                    '[geometry.primitives.block]\nshape = "box"\nsizes = [2, 1, 1]\n'
                    '[geometry.primitives.post]\nshape = "cylinder"\nbase = [1, 0.5, 1]\n'
                    'radius = 0.2\nheight = 0.5\n'
                    '[geometry.primitives.hole]\nshape = "ball"\ncenter = [0.5, 0.5, 0.5]\n'
                    'radius = 0.2\n[boundary]\nneumann = ["hole_sphere"]\n')
    setup = load_case(case, [], []).prepared
    assert setup.dim == 3 and "post_side" in setup.shape.boundaries
    assert setup.dirichlet == set(setup.shape.boundaries) - {"hole_sphere"}
    assert main(["check", str(case), "--set", "geometry.combine=block + pots"]) == 2


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec not found")
def test_two_ranks_equal_serial_and_write_pvtu(tmp_path):
    vtk = pytest.importorskip("vtk")
    sets = ["fem.order=3", "output.modes=2", "output.plot=1"]
    serial = run("eigen_cube.toml", tmp_path / "serial", *sets)
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "mpi"
    result = subprocess.run(
        [shutil.which("mpiexec"), "-n", "2", sys.executable, "-m", "pdekit.cli", "eig",
         str(CASES / "eigen_cube.toml"), "--out", str(out), "--quiet",
         *[item for s in sets for item in ("--set", s)]],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    parallel = json.loads((out / "summary.json").read_text())["results"]
    assert parallel["ranks"] == 2 and parallel["ndof"] == serial["ndof"]
    for a, b in zip(serial["eigenvalues"], parallel["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-10 * abs(a)
    # NGSolve's rank 0 holds no elements: one non-empty piece, written by rank 1.
    assert (out / "mode_01" / "piece_1.vtu").exists()
    assert not (out / "mode_01" / "piece_0.vtu").exists()
    reader = vtk.vtkXMLPUnstructuredGridReader()
    reader.SetFileName(str(out / "mode_01.pvtu"))
    reader.Update()
    grid = reader.GetOutput()
    single = vtk.vtkXMLUnstructuredGridReader()
    single.SetFileName(str(tmp_path / "serial" / "mode_01" / "piece_0.vtu"))
    single.Update()
    assert grid.GetNumberOfCells() == single.GetOutput().GetNumberOfCells() > 0
    u = grid.GetPointData().GetArray("u")
    low, high = u.GetRange()
    assert low > -1e-8 and high > 0  # first mode: one sign, positive after normalization
    assert high == pytest.approx(single.GetOutput().GetPointData().GetArray("u").GetRange()[1],
                                 rel=1e-6)
    assert (out / "modes.png").exists()


def test_accuracy_target_on_the_lshape(tmp_path):
    results = run("eigen_lshape.toml", tmp_path / "acc", "fem.order=6", "mesh.hp_levels=0",
                  "solver.accuracy=1e-10", "solver.nev=2", "output.modes=0",
                  "output.plot=0")
    accuracy = results["accuracy"]
    assert max(accuracy["differences"]) <= 1e-10 and accuracy["reached"]
    true_error = abs(results["eigenvalues"][0] - LSHAPE_LAMBDA1) / LSHAPE_LAMBDA1
    assert true_error < 1e-10  # 3.8e-12 at p = 11
    estimate = accuracy["estimates"][0]
    assert true_error / 10 <= estimate <= 10 * true_error  # 4.8e-12
    assert accuracy["orders"][0] == 6 and results["order"] == accuracy["orders"][-1]


def test_accuracy_target_stops_at_the_order_limit(tmp_path, capsys):
    out = tmp_path / "limit"
    code = main(["eig", str(CASES / "eigen_lshape.toml"), "--out", str(out), "--quiet",
                 "--set", "fem.order=2", "--set", "solver.max_order=3", "--set",
                 "solver.accuracy=1e-12", "--set", "output.modes=0", "--set", "output.plot=0"])
    assert code == 1
    message = capsys.readouterr().err
    assert "not reached before the order limit solver.max_order = 3" in message
    assert "orders 2..3 agree to 3.00e-02" in message  # and the eigenvalues reached
