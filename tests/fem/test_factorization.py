"""The factorization of shift-and-invert: every path gives the exact unit-square
eigenvalues and the same ones; the automatic choice by problem, rank count and memory;
summary.json reports the path (serial, under ``mpiexec -n 2``, and under a lowered
factor budget)."""

from __future__ import annotations

import json
import math

import pytest

from pdekit.cli import main
from pdekit.fem.solve.factorization import FACTORIZATIONS, choose, factor_bytes, shifted_is_spd
from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.fem.solve.reference import rectangle_eigenvalues

from .test_mpi_eigen import CASES, MPIEXEC, mpirun

PI2 = math.pi ** 2
GIB = 2.0 ** 30


def test_shifted_matrix_is_spd_below_the_spectrum():
    assert shifted_is_spd(True, 0.0, dirichlet=True)
    assert not shifted_is_spd(True, 0.0, dirichlet=False)  # Neumann: A singular
    assert shifted_is_spd(True, -1.0, dirichlet=False)
    assert not shifted_is_spd(True, 30.0, dirichlet=True)  # may lie inside the spectrum
    assert not shifted_is_spd(False, 0.0, dirichlet=True)  # non-Hermitian problem type


@pytest.mark.parametrize("ranks, spd, expected", [
    (1, True, "cholmod"), (2, True, "mumps-cholesky"),
    (1, False, "mumps"), (2, False, "mumps")])
def test_auto_choice_by_rank_count_and_definiteness(ranks, spd, expected):
    choice = choose("auto", ndof=1e5, dim=2, ranks=ranks, spd=spd, budget_bytes=8 * GIB)
    assert choice.name == expected and choice.reason
    assert choose("auto", ndof=1e5, dim=2, ranks=ranks, spd=spd, budget_bytes=8 * GIB,
                  cholmod=False).name == ("petsc-cholesky" if expected == "cholmod"
                                          else expected)


def test_auto_goes_iterative_when_the_factor_does_not_fit():
    # 2D, 1e5 dofs: 3 N log2 N entries of 12 bytes, about 56 MiB.
    assert factor_bytes(1e5, 2) == pytest.approx(12 * 3 * 1e5 * math.log2(1e5))
    assert choose("auto", ndof=1e5, dim=2, ranks=1, spd=True,
                  budget_bytes=0.1 * GIB).name == "cholmod"
    small_budget = choose("auto", ndof=1e5, dim=2, ranks=1, spd=True,
                          budget_bytes=0.01 * GIB)
    assert small_budget.name == "iterative" and "budget" in small_budget.reason
    # 3D fill grows like N^(4/3): the same dofs need a larger factor than in 2D.
    assert factor_bytes(1e6, 3) > 5 * factor_bytes(1e6, 2)
    # Large 3D problems go iterative whatever the budget; small ones factor (no CHOLMOD:
    # MUMPS, PETSc's own Cholesky is not supernodal and hopeless in 3D).
    big = dict(dim=3, ranks=1, spd=True, budget_bytes=1e6 * GIB)
    assert choose("auto", ndof=5e5, **big).name == "iterative"
    assert choose("auto", ndof=5e4, **big).name == "cholmod"
    assert choose("auto", ndof=5e4, cholmod=False, **big).name == "mumps-cholesky"
    # ... unless the rows are dense (high order), where AMG coarsens badly: factor if it fits
    assert choose("auto", ndof=5e5, row_nnz=40.0, **big).name == "iterative"
    assert choose("auto", ndof=5e5, row_nnz=200.0, **big).name == "cholmod"
    assert choose("auto", ndof=5e5, row_nnz=200.0, **{**big, "budget_bytes": 1.0}
                  ).name == "iterative"
    # A forced choice is taken as given, even when it does not fit.
    assert choose("mumps", ndof=1e9, dim=3, ranks=1, spd=True, budget_bytes=1).name == "mumps"


@pytest.fixture(scope="module")
def square_values():
    """Unit square, P2, Dirichlet: the 6 lowest eigenvalues by every path."""
    from tests.fem.conftest import solve_laplace

    out = {}
    for name in FACTORIZATIONS:
        values, (_, _, disc, result) = solve_laplace(rectangle(1.0, 1.0), order=2, maxh=0.1,
                                                     nev=6, tol=1e-10, factorization=name)
        out[name] = values, result.settings, disc.ndof
    return out


@pytest.mark.parametrize("name", FACTORIZATIONS.names())
def test_each_path_gives_the_exact_square_eigenvalues(square_values, name):
    values, settings, _ = square_values[name]
    exact = rectangle_eigenvalues(1, 1, 6)  # (2, 5, 5, 8, 10, 10) π²
    assert values == pytest.approx(exact, rel=2e-3)
    assert all(v >= e * (1 - 1e-12) for v, e in zip(values, exact))  # conforming: above
    assert settings["factorization"] == name
    inner = FACTORIZATIONS.get(name)
    assert settings["pc"] == inner.pc and settings["ksp"] == inner.ksp
    if inner.package:
        assert settings["factor_solver"] == inner.package
    else:
        assert settings["inner_rtol"] <= 1e-10 * 1e-2


def test_every_path_gives_the_same_eigenvalues(square_values):
    reference, _, _ = square_values["mumps"]
    for name, (values, _, _) in square_values.items():
        # Direct paths agree to rounding; the iterative inner solve to its tolerance.
        rel = 1e-12 if FACTORIZATIONS.capabilities(name).direct else 1e-9
        assert values == pytest.approx(reference, rel=rel), name


@pytest.mark.parametrize("name", ["petsc-cholesky", "cholmod", "mumps-cholesky", "iterative"])
def test_spd_paths_with_a_negative_shift_on_the_neumann_square(eigen, name):
    values, (_, _, _, result) = eigen(rectangle(1.0, 1.0), order=4, maxh=0.2, nev=4,
                                      all_neumann=True, tol=1e-10, factorization=name)
    assert abs(values[0]) < 1e-8
    assert values[1:] == pytest.approx([PI2, PI2, 2 * PI2], rel=1e-7)
    assert result.settings["factorization"] == name


def test_a_shift_inside_the_spectrum_takes_lu(eigen):
    # σ = 30 lies between 2π² and 5π²: A − σM is indefinite, Cholesky does not apply.
    values, (_, _, _, result) = eigen(rectangle(1.0, 1.0), order=3, maxh=0.1, nev=3,
                                      target=30.0, tol=1e-10)
    assert result.settings["factorization"] == "mumps"
    assert result.settings["pc"] == "lu"
    assert values == pytest.approx([2 * PI2, 5 * PI2, 5 * PI2], rel=1e-5)


def summary_solver(folder) -> dict:
    return json.loads((folder / "summary.json").read_text())["results"]["solver"]


def test_summary_reports_the_serial_choice_and_a_forced_one(tmp_path):
    assert main(["eig", str(CASES / "eigen_square.toml"), "--out", str(tmp_path / "auto"),
                 "--quiet", "--set", "mesh.maxh=0.2"]) == 0
    solver = summary_solver(tmp_path / "auto")
    assert solver["factorization"] == "cholmod"
    assert solver["pc"] == "cholesky" and solver["factor_solver"] == "cholmod"
    assert "s.p.d." in solver["factorization_reason"]
    assert main(["eig", str(CASES / "eigen_square.toml"), "--out", str(tmp_path / "forced"),
                 "--quiet", "--set", "mesh.maxh=0.2", "--set",
                 "solver.factorization=petsc-cholesky"]) == 0
    solver = summary_solver(tmp_path / "forced")
    assert solver["factorization"] == "petsc-cholesky" and solver["factor_solver"] == "petsc"
    assert solver["factorization_reason"] == "solver.factorization"


def test_summary_reports_iterative_under_a_lowered_budget(tmp_path):
    out = tmp_path / "iterative"
    assert main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.1", "--set", "solver.factor_memory=1e-6"]) == 0
    results = json.loads((out / "summary.json").read_text())["results"]
    assert results["solver"]["factorization"] == "iterative"
    assert results["solver"]["ksp"] == "cg" and results["solver"]["pc"] == "gamg"
    assert "budget" in results["solver"]["factorization_reason"]
    assert results["eigenvalues_over_pi2"] == pytest.approx([2, 5, 5, 8, 10, 10], rel=2e-3)


def test_mumps_options_keep_mumps_under_auto(tmp_path):
    out = tmp_path / "mumps"
    assert main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.2", "--", "-st_mat_mumps_icntl_14", "40"]) == 0
    assert summary_solver(out)["factorization"] == "mumps"


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
def test_two_ranks_choose_mumps_cholesky(tmp_path):
    out = tmp_path / "mpi"
    result = mpirun(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                     "--set", "mesh.maxh=0.1"])
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((out / "summary.json").read_text())["results"]
    assert results["ranks"] == 2
    assert results["solver"]["factorization"] == "mumps-cholesky"
    assert results["solver"]["factor_solver"] == "mumps"
    assert results["eigenvalues_over_pi2"] == pytest.approx([2, 5, 5, 8, 10, 10], rel=1e-3)
