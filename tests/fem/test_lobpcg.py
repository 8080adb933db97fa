"""LOBPCG + AMG (``solver.method = "lobpcg"``), the ``auto`` method rule and the option
probe around it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pdekit.core.cases import load_case
from pdekit.cli import main
from pdekit.errors import CaseError
from pdekit.fem.geometry.shapes2d import lshape
from pdekit.fem.solve.method import LOBPCG_MAX_NEV, SLICING_MIN_NEV, choose_method
from pdekit.fem.solve.option_probe import OptionProblem, check_options
from pdekit.fem.schema import GeometrySection, SolverSection
from pdekit.fem.geometry.solids import build_solid

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
MPIEXEC = shutil.which("mpiexec")


def cube():
    return build_solid(GeometrySection(shape="box"))


@pytest.mark.parametrize("shape, order, maxh, refine, nev", [
    (cube, 1, 0.25, 1, 4),       # λ/π² = 3, 6 (x3) on a coarse P1 mesh
    (cube, 2, 0.5, 1, 7),        # through the 9 (x3) multiplet's first member
    (lshape, 2, 0.1, 0, 6),      # singular corner, hp-graded
])
@pytest.mark.parametrize("preconditioner", ["gamg", "hypre"])
def test_lobpcg_gives_the_krylov_schur_eigenvalues(eigen, shape, order, maxh, refine, nev,
                                                   preconditioner):
    from pdekit.fem.solve.slepc_solver import MethodSettings, solve_eigen

    reference, (mesh, _, disc, ks) = eigen(shape(), order=order, maxh=maxh, refine=refine,
                                           nev=nev, method="krylovschur")
    assert ks.settings["method"] == "krylovschur"
    result = solve_eigen(disc.A, disc.M, nev=nev, target=0.0, tol=1e-12, method="lobpcg",
                         dim=mesh.dim, stiffness_definite=True,
                         settings=MethodSettings(preconditioner=preconditioner))
    assert result.settings["method"] == "lobpcg"
    assert result.settings["implementation"] == "pdekit"
    assert result.settings["preconditioner"] == preconditioner
    assert len(result.eigenvalues) >= nev
    for a, b in zip(reference, result.eigenvalues[:nev]):
        assert abs(a - b) <= 1e-9 * a


def test_neumann_lobpcg_finds_the_zero_eigenvalue(eigen):
    from pdekit.fem.geometry.shapes2d import rectangle
    from pdekit.fem.solve.slepc_solver import solve_eigen

    reference, (mesh, _, disc, _) = eigen(rectangle(1.0, 1.0), order=2, maxh=0.2, nev=4,
                                          all_neumann=True, method="krylovschur")
    result = solve_eigen(disc.A, disc.M, nev=4, target=-1.0, tol=1e-12, method="lobpcg",
                         dim=2, stiffness_definite=False)
    assert abs(result.eigenvalues[0]) < 1e-8
    for a, b in zip(reference[1:], result.eigenvalues[1:4]):
        assert abs(a - b) <= 1e-9 * a


def test_the_issue_command_line_runs_lobpcg(tmp_path):
    """``pdekit eig cases/eigen_cube.toml -- -eps_type lobpcg -st_type precond
    -st_pc_type hypre`` was refused with PETSc error 56 (LOBPCG has no target)."""
    sets = ["--set", "fem.order=2", "--set", "output.modes=0",
            "--set", "output.plot=0"]
    assert main(["eig", str(CASES / "eigen_cube.toml"), "--out", str(tmp_path / "ks"),
                 "--quiet", *sets, "--set", "solver.method=krylovschur"]) == 0
    assert main(["eig", str(CASES / "eigen_cube.toml"), "--out", str(tmp_path / "lo"),
                 "--quiet", *sets, "--", "-eps_type", "lobpcg", "-st_type", "precond",
                 "-st_pc_type", "hypre"]) == 0
    ks = json.loads((tmp_path / "ks" / "summary.json").read_text())["results"]
    lo = json.loads((tmp_path / "lo" / "summary.json").read_text())["results"]
    assert lo["solver"]["method"] == "lobpcg" and lo["solver"]["pc"] == "hypre"
    assert lo["solver"]["method_reason"] == "options: -eps_type lobpcg"
    for a, b in zip(ks["eigenvalues"], lo["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-9 * a


def test_method_rule():
    def pick(**kw):
        args = dict(interval=False, nev=4, spd=True, direct=True)
        return choose_method("auto", **{**args, **kw}).name

    assert pick() == "krylovschur"
    assert pick(direct=False) == "lobpcg"
    assert pick(direct=False, nev=LOBPCG_MAX_NEV + 1) == "krylovschur"
    assert pick(nev=1, dim=3) == "lobpcg" and pick(nev=1, dim=2) == "krylovschur"
    assert pick(nev=1, dim=3, amg_rows=False) == "krylovschur"
    assert pick(direct=False, spd=False) == "krylovschur"
    assert pick(nev=SLICING_MIN_NEV) == "slicing"
    # with a refinement hierarchy (geometric multigrid) LOBPCG wins further
    assert pick(nev=10, dim=3, geometric=True) == "lobpcg"
    assert pick(nev=11, dim=3, geometric=True) == "krylovschur"
    assert pick(nev=4, dim=2, geometric=True) == "lobpcg"
    assert pick(nev=5, dim=2, geometric=True) == "krylovschur"
    assert pick(nev=4, dim=2, geometric=True, spd=False) == "krylovschur"
    assert pick(interval=True, spd=False) == "slicing"
    assert choose_method("arnoldi", interval=False, nev=4, spd=True, direct=False).name \
        == "arnoldi"
    chosen = choose_method("auto", interval=False, nev=4, spd=True, direct=True,
                           options=[("eps_type", "lobpcg")])
    assert chosen.name == "lobpcg" and "-eps_type" in chosen.reason
    assert choose_method("auto", interval=False, nev=1, spd=True, direct=True, dim=3,
                         options=[("eps_type", "arnoldi")]).name == "krylovschur"


def test_probe_accepts_options_of_the_method_auto_may_pick():
    check_options([("st_pc_gamg_threshold", "0.05")], SolverSection())
    check_options([("st_pc_gamg_threshold", "0.05")], SolverSection(method="lobpcg"))
    check_options([("eps_lobpcg_blocksize", "8"), ("eps_type", "lobpcg")], SolverSection())
    check_options([("st_pc_factor_mat_solver_type", "cholmod")], SolverSection())
    with pytest.raises(OptionProblem, match="reads"):
        check_options([("eps_lobpcg_blocksize", "8")], SolverSection(method="krylovschur"))


def test_probe_refusal_quotes_petsc():
    with pytest.raises(OptionProblem) as problem:
        check_options([("st_type", "nonexistent")], SolverSection())
    assert "PETSc error code" in problem.value.expected
    assert "nonexistent" in problem.value.expected.partition("(")[2]


HEAD = '[case]\nkind = "eigen"\n[geometry]\nshape = "square"\n'


@pytest.mark.parametrize("text, key, phrase", [
    ('[solver]\nmethod = "lobpcg"\ntarget = 5.0\n', "solver.target", "smallest"),
    ('[solver]\nmethod = "lobpcg"\nproblem_type = "gnhep"\n', "solver.problem_type",
     "Hermitian"),
    ('[solver]\ninterval = [2.0, 1.0]\n', "solver.interval", "a < b"),
    ('[solver]\ninterval = [1.0, 2.0]\nmethod = "lobpcg"\n', "solver.method", "'slicing'"),
    ('[solver]\ninterval = [1.0, 2.0]\n[convergence]\nrefine = [0, 1]\n', "solver.interval",
     "convergence study"),
    ('[solver]\nrestart = 2.0\n', "solver.restart", "1"),
])
def test_bad_method_settings_are_refused(write_case, text, key, phrase):
    with pytest.raises(CaseError) as error:
        load_case(write_case(HEAD + text), (), ())
    assert error.value.key == key and phrase in error.value.expected
    assert "known key" not in error.value.expected


def test_restart_threshold_needs_slepcs_lobpcg(write_case, tmp_path, capsys):
    """``solver.restart`` is SLEPc's LOBPCG's: refused before anything runs unless
    ``eps_type = "lobpcg"`` names that solver."""
    path = write_case(HEAD + '[solver]\nmethod = "lobpcg"\nrestart = 0.5\nnev = 2\n'
                      '[mesh]\nmaxh = 0.3\n[output]\nmodes = 0\nplot = 0\n')
    out = tmp_path / "out"
    assert main(["eig", str(path), "--out", str(out), "--quiet"]) == 2
    assert "solver.restart" in capsys.readouterr().err and not out.exists()
    assert main(["eig", str(path), "--out", str(out), "--quiet", "--", "-eps_type",
                 "lobpcg"]) == 0
    solver = json.loads((out / "summary.json").read_text())["results"]["solver"]
    assert solver["method"] == "lobpcg" and solver["implementation"] == "slepc"
    assert solver["restart"] == 0.5


def mpirun(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-m", "pdekit.cli", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
@pytest.mark.parametrize("case, sets", [
    ("eigen_cube.toml", ["fem.order=1", "mesh.maxh=0.15", "mesh.refine=0"]),
    ("eigen_cube.toml", ["fem.order=2"]),
    ("eigen_lshape.toml", ["fem.order=2", "mesh.maxh=0.1"]),
])
def test_two_rank_lobpcg_equals_serial_krylov_schur(tmp_path, case, sets):
    sets = [item for s in [*sets, "output.modes=0", "output.plot=0"]
            for item in ("--set", s)]
    assert main(["eig", str(CASES / case), "--out", str(tmp_path / "ks"), "--quiet", *sets,
                 "--set", "solver.method=krylovschur"]) == 0
    done = mpirun(["eig", str(CASES / case), "--out", str(tmp_path / "lo"), "--quiet", *sets,
                   "--set", "solver.method=lobpcg", "--set", "solver.tol=1e-12"])
    assert done.returncode == 0, done.stderr[-3000:]
    ks = json.loads((tmp_path / "ks" / "summary.json").read_text())["results"]
    lo = json.loads((tmp_path / "lo" / "summary.json").read_text())["results"]
    assert lo["ranks"] == 2 and lo["solver"]["method"] == "lobpcg"
    for a, b in zip(ks["eigenvalues"], lo["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-9 * a
    # Netgen's rank 0 holds no elements; both ranks report their mesh and assembly times.
    workers = lo["workers"]
    assert len(workers) == 2 and workers[0]["elements"] == 0 and workers[1]["elements"] > 0
    assert all(w["mesh_s"] >= 0 and w["assembly_s"] >= 0 for w in workers)


def test_convergence_study_and_accuracy_target_run_on_lobpcg(tmp_path):
    square = str(CASES / "eigen_square.toml")
    base = ["--quiet", "--set", "solver.method=lobpcg", "--set", "solver.nev=2",
            "--set", "mesh.maxh=0.25", "--set", "output.modes=0", "--set", "output.plot=0"]
    assert main(["eig", square, "--out", str(tmp_path / "study"), *base, "--set",
                 "fem.order=1", "--set", "convergence.refine=[1, 2, 3]"]) == 0
    study = json.loads((tmp_path / "study" / "summary.json").read_text())["results"]
    assert all(level["solver"]["method"] == "lobpcg" for level in study["levels"])
    assert study["study"]["rates_h"]["p=1 lambda1"][-1] == pytest.approx(2.0, abs=0.2)
    assert main(["eig", square, "--out", str(tmp_path / "target"), *base, "--set",
                 "fem.order=2", "--set", "solver.accuracy=1e-7"]) == 0
    target = json.loads((tmp_path / "target" / "summary.json").read_text())["results"]
    assert target["solver"]["method"] == "lobpcg" and target["accuracy"]["reached"]
    assert max(target["errors"]) < 1e-7
