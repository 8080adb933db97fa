"""Spectrum slicing (``solver.interval``, large ``nev``) and the Weyl-law picture."""

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
from pdekit.fem.solve.slepc_solver import clusters
from pdekit.fem.solve.weyl import Measures, weyl_count, weyl_eigenvalue

ROOT = Path(__file__).resolve().parents[2]
SQUARE = ROOT / "cases" / "eigen_square.toml"
MPIEXEC = shutil.which("mpiexec")
# P3 on h = 0.025: the 200th eigenvalue (λ/π² = 289) to 2e-5, far below the smallest
# relative gap between distinct values m² + n² ≤ 290 (1/290 = 3.4e-3).
FINE = ["--set", "fem.order=3", "--set", "mesh.maxh=0.1", "--set", "mesh.refine=2",
        "--set", "output.modes=0", "--set", "output.plot=0"]
COARSE = [*FINE[:4], "--set", "mesh.refine=1", *FINE[6:], "--set", "solver.method=slicing",
          "--set", "solver.tol=1e-12"]  # converged well below the 1e-9 compared across ranks


def square_exact(count: int) -> list[float]:
    """The first ``count`` Dirichlet eigenvalues of the unit square, π²(m² + n²)."""
    return sorted(math.pi ** 2 * (m * m + n * n) for m in range(1, count + 1)
                  for n in range(1, count + 1))[:count]


def results(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())["results"]


def mpirun(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-m", "pdekit.cli", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def serial_200(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("slicing") / "serial"
    assert main(["eig", str(SQUARE), "--out", str(out), "--quiet", "--set", "solver.nev=200",
                 *FINE]) == 0
    return results(out)


def test_first_200_square_eigenvalues_with_multiplicities(serial_200):
    found = serial_200["eigenvalues"]
    assert serial_200["solver"]["method_choice"] == "slicing"
    exact = square_exact(200)
    assert len(found) == 200
    for value, reference in zip(found, exact):
        assert abs(value - reference) <= 1e-4 * reference
    # Same multiplets: the exact list's multiplicities, cluster by cluster.
    assert [len(c) for c in clusters(found, 1e-3)] == [len(c) for c in clusters(exact, 1e-9)]
    assert "weyl.png" in serial_200["files"]


def test_interval_holds_every_eigenvalue_in_it(tmp_path):
    # λ/π² in [9.5, 26.5]: 10, 13, 17 (x2 each), 18, 20, 25, 26 (x2 each); below: 2, 5, 5, 8.
    lower, upper = 9.5 * math.pi ** 2, 26.5 * math.pi ** 2
    assert main(["eig", str(SQUARE), "--out", str(tmp_path / "o"), "--quiet",
                 "--set", f"solver.interval=[{lower}, {upper}]", "--set", "fem.order=3",
                 "--set", "output.modes=0", "--set", "output.plot=0"]) == 0
    got = results(tmp_path / "o")
    exact = [v for v in square_exact(60) if lower <= v <= upper]
    assert len(got["eigenvalues"]) == len(exact) == 13
    assert got["solver"]["below_interval"] == 4
    for value, reference in zip(got["eigenvalues"], exact):
        assert abs(value - reference) <= 1e-4 * reference


def test_empty_interval_returns_none_and_says_so(tmp_path, capsys):
    # No eigenvalue between λ/π² = 2 and 5.
    assert main(["eig", str(SQUARE), "--out", str(tmp_path / "o"), "--set",
                 f"solver.interval=[{2.5 * math.pi ** 2}, {4.5 * math.pi ** 2}]",
                 "--set", "output.plot=0"]) == 0
    assert "no eigenvalue in [" in capsys.readouterr().out
    got = results(tmp_path / "o")
    assert got["eigenvalues"] == [] and got["solver"]["below_interval"] == 1


@pytest.fixture(scope="module")
def serial_100(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("slicing") / "serial"
    assert main(["eig", str(SQUARE), "--out", str(out), "--quiet", "--set", "solver.nev=100",
                 *COARSE]) == 0
    found = results(out)
    assert found["solver"]["method_choice"] == "slicing" and len(found["eigenvalues"]) == 100
    return found


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
@pytest.mark.parametrize("partitions", [1, 2])
def test_two_ranks_equal_serial(tmp_path, serial_100, partitions):
    done = mpirun(["eig", str(SQUARE), "--out", str(tmp_path / "o"), "--quiet",
                   "--set", "solver.nev=100", "--set", f"solver.partitions={partitions}",
                   *COARSE])
    assert done.returncode == 0, done.stderr[-3000:]
    got = results(tmp_path / "o")
    assert got["ranks"] == 2 and got["solver"]["partitions"] == partitions
    for a, b in zip(serial_100["eigenvalues"], got["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-9 * a


def test_weyl_law_on_the_unit_square():
    """The two-term law against the exact count of π²(m² + n²) ≤ λ, m, n ≥ 1."""
    square = Measures(2, 1.0, 4.0, 0.0)
    for lam in (2000.0, 8000.0):
        exact = sum(1 for m in range(1, 100) for n in range(1, 100)
                    if math.pi ** 2 * (m * m + n * n) <= lam)
        assert abs(weyl_count(lam, square) - exact) <= 0.03 * exact
    assert weyl_count(weyl_eigenvalue(200, square), square) == pytest.approx(200)
    cube = Measures(3, 1.0, 6.0, 0.0)
    exact = sum(1 for a in range(1, 40) for b in range(1, 40) for c in range(1, 40)
                if math.pi ** 2 * (a * a + b * b + c * c) <= 3000.0)
    assert abs(weyl_count(3000.0, cube) - exact) <= 0.05 * exact


def test_probe_refuses_another_eps_type_with_an_interval():
    """Krylov–Schur alone slices; SLEPc 3.18 crashes if an EPS with an interval changes
    type, so the probe says so instead of trying."""
    from pdekit.fem.solve.option_probe import OptionProblem, check_options
    from pdekit.fem.schema import SolverSection

    with pytest.raises(OptionProblem, match="Krylov–Schur"):
        check_options([("eps_type", "arnoldi")], SolverSection(interval=[1.0, 2.0]))
    check_options([("eps_type", "arnoldi")], SolverSection())  # auto: shift-and-invert


@pytest.mark.parametrize("guess", [0.3, 40.0, 2000.0])
def test_upper_bound_for_nev_from_a_low_a_good_and_a_far_too_high_guess(guess):
    from pdekit.fem.solve.slicing import TOO_MANY, upper_bound_for

    def count(sigma):  # eigenvalues 1, 2, 3, ... (N(λ) = ⌊λ⌋ below λ)
        return max(0, math.ceil(sigma) - 1)

    upper, found = upper_bound_for(30, 0.0, guess, count)
    assert found == count(upper) >= 30
    assert found <= TOO_MANY * 30
