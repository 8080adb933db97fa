"""The eigen kind through the CLI: end-to-end runs, files, exit codes 1 and 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from pdekit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
from .gmsh_helper import write_square_msh


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_square_case_end_to_end(tmp_path):
    out = tmp_path / "square"
    code = main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.1"])
    assert code == 0
    results = summary(out)["results"]
    assert results["eigenvalues_over_pi2"] == pytest.approx([2, 5, 5, 8, 10, 10], rel=1e-3)
    assert [c["multiplicity"] for c in results["clusters"]] == [1, 2, 1, 2]
    assert all(r < 1e-8 for r in results["residuals"])
    # One rank, σ = 0 with Dirichlet: A − σM is s.p.d., so Cholesky by CHOLMOD.
    assert results["solver"]["factorization"] == "cholmod"
    assert results["solver"]["factor_solver"] == "cholmod"
    assert results["solver"]["pc"] == "cholesky"
    assert results["solver"]["st"] == "sinvert" and results["solver"]["method"] == "krylovschur"
    timings = summary(out)["timings"]
    assert {"mesh", "assembly", "solve"} <= set(timings)
    import meshio

    pvd = (out / "modes.pvd").read_text()
    for k in range(1, 7):
        assert f'file="mode_{k:02d}.vtu"' in pvd
    mode = meshio.read(out / "mode_01.vtu")
    u = mode.point_data["u"]
    # First Dirichlet mode: one sign, vanishing on the boundary, peak at the center.
    assert u.min() > -1e-8 and u.max() > 0
    boundary = (mode.points[:, 0] < 1e-12) | (mode.points[:, 0] > 1 - 1e-12)
    assert abs(u[boundary]).max() < 1e-10
    center = u[abs(mode.points[:, 0] - 0.5) + abs(mode.points[:, 1] - 0.5) < 0.06]
    assert center.max() == pytest.approx(u.max(), rel=0.05)
    assert (out / "modes.png").stat().st_size > 10_000
    assert not (tmp_path / "square.running").exists()


def test_convergence_case_rates(tmp_path):
    out = tmp_path / "conv"
    code = main(["eig", str(CASES / "eigen_convergence.toml"), "--out", str(out), "--quiet",
                 "--set", "convergence.refine=[2, 3, 4, 5]", "--set", "output.modes=0"])
    assert code == 0
    study = summary(out)["results"]["study"]
    assert study["reference_kind"] == "exact"
    rates = study["rates_h"]["p=1 lambda1"]
    assert rates[0] is None and all(abs(r - 2.0) < 0.05 for r in rates[1:])
    assert [row["h"] for row in study["rows"]] == [2.0 ** -k for k in (2, 3, 4, 5)]
    errors = [row["errors"][0] for row in study["rows"]]
    assert abs(study["rows"][-1]["eigenvalues"][0] / math.pi ** 2 - 2) == pytest.approx(
        2 * errors[-1], rel=1e-9)  # |λ1/π² − 2| = 2·rel.error
    assert (out / "convergence.png").exists()


def test_richardson_when_no_reference(tmp_path):
    out = tmp_path / "poly"
    code = main(["eig", str(CASES / "eigen_polygon.toml"), "--out", str(out), "--quiet",
                 "--set", "geometry.vertices=[[0,0],[1,0],[1,1],[0,1]]",
                 "--set", "geometry.edge_names=['a','b','c','top']",
                 "--set", "boundary.neumann=[]", "--set", "fem.order=1",
                 "--set", "mesh.maxh=0.25", "--set", "convergence.refine=[1,2,3,4]",
                 "--set", "solver.nev=1", "--set", "output.modes=0", "--set", "output.plot=0"])
    assert code == 0
    study = summary(out)["results"]["study"]
    assert study["reference_kind"] == "richardson"
    # The extrapolated λ1 of the (unnamed) unit square is far closer than the finest level.
    assert study["reference"][0] == pytest.approx(2 * math.pi ** 2, rel=1e-5)


def test_gmsh_mesh_file(tmp_path):
    write_square_msh(tmp_path / "square.msh", n=8)
    case = tmp_path / "msh.toml"
    case.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "mesh"\nfile = "square.msh"\n'
                    '[fem]\norder = 4\n[boundary]\nneumann = ["left"]\n[solver]\nnev = 2\n'
                    '[output]\nmodes = 1\nplot = 0\n')
    out = tmp_path / "msh"
    assert main(["eig", str(case), "--out", str(out), "--quiet"]) == 0
    values = summary(out)["results"]["eigenvalues"]
    # Neumann on x = 0: λ = ((m + 1/2)² + n²)π² → 1.25π², 3.25π².
    assert values == pytest.approx([1.25 * math.pi ** 2, 3.25 * math.pi ** 2], rel=1e-6)


def test_solver_options_reach_petsc(tmp_path):
    out = tmp_path / "opts"
    code = main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.2", "--set", "output.plot=0",
                 "--set", "solver.petsc.eps_type=arnoldi",
                 "--", "-st_pc_factor_mat_solver_type", "petsc"])
    assert code == 0
    settings = summary(out)["results"]["solver"]
    assert settings["method"] == "arnoldi" and settings["factor_solver"] == "petsc"


def test_prefixed_mumps_and_viewer_options_are_accepted(tmp_path, capfd):
    out = tmp_path / "mumps"
    code = main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.3", "--set", "output.plot=0", "--set", "output.modes=0",
                 "--", "-st_mat_mumps_icntl_7", "2", "-eps_view_values"])
    assert code == 0
    assert summary(out)["results"]["solver"]["options"] == {"st_mat_mumps_icntl_7": "2",
                                                            "eps_view_values": None}


def test_too_few_converged_pairs_exit_1(tmp_path, capsys):
    out = tmp_path / "nc"
    code = main(["eig", str(CASES / "eigen_square.toml"), "--out", str(out), "--quiet",
                 "--set", "solver.nev=20", "--set", "solver.ncv=21", "--set", "solver.max_it=1",
                 "--set", "output.plot=0"])
    assert code == 1
    message = capsys.readouterr().err
    assert "converged" in message and "of 20 eigenpairs" in message
    assert not out.exists() and (tmp_path / "nc.failed" / "error.json").exists()


BAD = {
    "self_intersecting": ('shape = "polygon"\nvertices = [[0,0],[2,2],[2,0],[0,2]]', [],
                          "geometry.vertices"),
    "too_short": ('shape = "polygon"\nvertices = [[0,0],[1,0]]', [], "geometry.vertices"),
    "missing_mesh": ('shape = "mesh"\nfile = "nowhere.msh"', [], "geometry.file"),
    "nev_zero": ('shape = "square"', ["--set", "solver.nev=0"], "solver.nev"),
    "nev_negative": ('shape = "square"', ["--set", "solver.nev=-3"], "solver.nev"),
    "unknown_key": ('shape = "square"', ["--set", "solver.neev=4"], "solver.neev"),
    "unknown_shape": ('shape = "sqare"', [], "geometry.shape"),
    "bad_boundary": ('shape = "square"', ["--set", "boundary.neumann=['lft']"],
                     "boundary.neumann"),
    "neumann_zero_shift": ('shape = "square"', ["--set", "boundary.default=neumann",
                                                "--set", "solver.target=0"], "solver.target"),
    "bad_petsc_token": ('shape = "square"', ["--", "eps_nev", "3"], "--"),
    "bad_petsc_option": ('shape = "square"', ["--set", "mesh.maxh=0.3", "--",
                                              "-eps_type", "nosuchsolver"], "-- -eps_type"),
    "bad_petsc_table_value": ('shape = "square"\n[solver.petsc]\nst_type = "nonexistent"', [],
                              "solver.petsc.st_type"),
    "petsc_option_without_value": ('shape = "square"', ["--", "-eps_nev"], "-- -eps_nev"),
    "unknown_petsc_option": ('shape = "square"', ["--set", "mesh.maxh=0.3", "--",
                                                  "-eps_nevv", "3"], "-eps_nevv"),
    "unprefixed_mumps_option": ('shape = "square"', ["--set", "mesh.maxh=0.3", "--",
                                                     "-mat_mumps_icntl_7", "2"],
                                "-mat_mumps_icntl_7"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exit_2(tmp_path, capsys, name):
    geometry, extra, key = BAD[name]
    case = tmp_path / "bad.toml"
    case.write_text(f'[case]\nkind = "eigen"\n[geometry]\n{geometry}\n')
    out = tmp_path / "bad_out"
    code = main(["eig", str(case), "--out", str(out), "--quiet", *extra])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and key in err[-1] and "Traceback" not in "\n".join(err)
    assert not out.exists()
    # everything, PETSc options included, is found before the run folder exists
    assert not (tmp_path / "bad_out.running").exists()
    assert not (tmp_path / "bad_out.failed").exists()


def test_list_and_check_do_not_import_heavy_modules():
    code = ("import sys, io, contextlib\nfrom pdekit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as f: main(['list'])\n"
            "assert 'eigen' in f.getvalue() and 'krylovschur, arnoldi' in f.getvalue()\n"
            "with contextlib.redirect_stdout(io.StringIO()) as f:\n"
            "    assert main(['check', 'cases/eigen_polygon.toml']) == 0\n"
            "heavy = [m for m in ('ngsolve', 'netgen', 'petsc4py', 'slepc4py', 'mpi4py',"
            " 'matplotlib') if m in sys.modules]\nprint(heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_solve_command_runs_eigen_cases_and_check_prints(tmp_path, capsys):
    out = tmp_path / "disk"
    assert main(["solve", str(CASES / "eigen_disk.toml"), "--out", str(out), "--quiet",
                 "--set", "output.modes=0", "--set", "output.plot=0",
                 "--set", "solver.nev=1"]) == 0
    assert summary(out)["results"]["eigenvalues"][0] == pytest.approx(5.783185962946784,
                                                                      rel=1e-8)
    assert main(["check", str(CASES / "eigen_polygon.toml")]) == 0
    printed = capsys.readouterr().out
    assert "valid eigen case" in printed and "hp_factor" in printed


@pytest.mark.parametrize("name", ["eigen_square", "eigen_lshape", "eigen_disk",
                                  "eigen_convergence", "eigen_polygon"])
def test_bundled_cases_validate(name):
    assert main(["check", str(CASES / f"{name}.toml")]) == 0
