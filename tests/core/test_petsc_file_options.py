"""PETSc options that open files, from a case file and after ``--``: written into the run
folder's ``petsc/`` folder or refused with exit 2, never anywhere else (issue #21).

The CLI runs as a subprocess in an empty working folder with its own ``$HOME``, beside a
"victim" file that no run may touch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from pdekit.petsc_files import check_option, file_targets, placed
from tests.conftest import ROOT, run_cli

pytest.importorskip("petsc4py")

TURING = """
[case]
kind = "turing"
name = "t"
[grid]
n = [12, 12]
length = 2.0
backend = "petsc"
[initial]
seed = 3
[time]
method = "arkimex"
dt = 0.05
T = 0.5
[output]
every = 0.5
vtk = false
png = false
[time.petsc]
"""

EIGEN = """
[case]
kind = "eigen"
name = "e"
[geometry]
shape = "square"
[mesh]
maxh = 0.2
[fem]
order = 1
[solver]
nev = 3
[output]
modes = 0
plot = 0
[solver.petsc]
"""

SENTINEL = "keep me\n"


@pytest.fixture
def place(tmp_path):
    """An empty working folder with a victim file, a $HOME, and a case writer."""
    work = tmp_path / "work"
    (work / "home").mkdir(parents=True)
    (tmp_path / "victim.txt").write_text(SENTINEL)
    (work / "victim.txt").write_text(SENTINEL)

    def write(head: str, table: str = "") -> str:
        (work / "case.toml").write_text(head + table)
        return "case.toml"

    return work, write


def run(work, *args, timeout=300):
    return run_cli(*args, cwd=work, env={"HOME": str(work / "home")}, timeout=timeout)


def untouched(work) -> None:
    """Nothing written beside the case but the run's own folders; victims intact."""
    assert (work / "victim.txt").read_text() == SENTINEL
    assert (work.parent / "victim.txt").read_text() == SENTINEL
    assert not {".petschistory", "x"} & set(os.listdir(work / "home"))
    assert sorted(os.listdir(work.parent)) == ["victim.txt", "work"]
    stray = set(os.listdir(work)) - {"case.toml", "victim.txt", "home", "out", ".out.lock"}
    assert not stray


@pytest.mark.parametrize("entry", [
    'log_view = ":{victim}"',                       # absolute path, written at exit
    'ts_view = "ascii:../victim.txt"',              # .. escape
    'ts_monitor = "ascii:${{HOMEDIRECTORY}}/x"',    # PETSc expands it to $HOME
    'ts_monitor = "ascii:~/x"',
    'TS_VIEW = "ascii:{victim}:ascii_info"',        # PETSc names ignore case
    'ts_view = "binary"',                           # ./binaryoutput
    'ts_view = "hdf5"',                             # ./output.h5
    'ts_view = "draw"',
    'ts_view = "socket"',
    'history = ""',                                 # ~/.petschistory
    'log_all = ""',                                 # ./Log.0
    'log_trace = "trace"',                          # ./trace.0 at start-up
    'info = "info"',                                # ./info.0 at start-up
    'malloc_view = "mv"',                           # ./mv_0 at exit
    'options_file = "{victim}"',                    # reads options around the checks
    'viewer_binary_filename = "b"',
    'ts_monitor_solution_vtk = "u-%03D.vts"',
    'ts_save_trajectory = true',
    'on_error_attach_debugger = "/bin/true"',       # starts a program
])
def test_case_file_options_writing_outside_are_refused(place, entry):
    work, write = place
    entry = entry.format(victim=work.parent / "victim.txt")
    key = entry.split(" = ")[0]
    result = run(work, "solve", write(TURING, entry + "\n"), "--out", "out")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1 and f"case.toml: time.petsc.{key}: expected " in lines[0]
    assert not (work / "out").exists()
    untouched(work)


@pytest.mark.parametrize("tokens", [
    ["-ts_view", "ascii:{victim}"],
    ["-log_view", ":../victim.txt"],
    ["-ts_monitor", "draw::draw_lg"],
    ["-ts_view", "binary:sub/x.bin"],
    ["-options_file", "{victim}"],
    ["-log_trace", "victim.txt"],
])
def test_command_line_options_writing_outside_are_refused(place, tokens):
    work, write = place
    tokens = [t.format(victim=work.parent / "victim.txt") for t in tokens]
    result = run(work, "solve", write(TURING), "--out", "out", "--", *tokens)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith(f"pdekit: command line: -- {tokens[0]}: ")
    assert not (work / "out").exists()
    untouched(work)


def test_turing_files_go_into_the_run_folder_and_the_run_says_where(place):
    work, write = place
    table = 'ts_view = "ascii:victim.txt"\nlog_view = ":log.txt"\n'
    result = run(work, "solve", write(TURING, table), "--out", "out",
                 "--", "-ts_monitor", "ascii:monitor.txt")
    assert result.returncode == 0, result.stderr[-2000:]
    untouched(work)
    petsc = work / "out" / "petsc"
    assert sorted(os.listdir(petsc)) == ["log.txt", "monitor.txt", "victim.txt"]
    assert (petsc / "victim.txt").read_text().startswith("TS Object:")
    assert "PETSc Performance Summary" in (petsc / "log.txt").read_text()
    # one monitor line per step, the initial state included
    steps = json.loads((work / "out" / "summary.json").read_text())["results"]["petsc"]["steps"]
    monitor = (petsc / "monitor.txt").read_text().splitlines()
    assert steps == 10 and len(monitor) == steps + 1 and monitor[-1].startswith("10 TS dt")
    for name in ("ts_view", "log_view", "ts_monitor"):
        assert f"PETSc -{name} writes out/petsc/" in result.stderr
    # PETSc prints no log at exit: it went into the file
    assert "PETSc Performance Summary" not in result.stdout

    quiet = run(work, "solve", "case.toml", "--out", "out", "--quiet",
                "--", "-ts_monitor", "ascii:monitor.txt")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert len((petsc / "monitor.txt").read_text().splitlines()) == steps + 1


def test_check_probes_eigen_options_without_writing_files(place):
    work, write = place
    table = 'eps_monitor = "ascii:victim.txt"\nst_ksp_view_pre = "ascii:pre.txt"\n'
    result = run(work, "check", write(EIGEN, table))
    assert result.returncode == 0, result.stderr[-2000:]
    untouched(work)
    assert sorted(os.listdir(work)) == ["case.toml", "home", "victim.txt"]


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="mpiexec not found")
def test_eigen_files_go_into_the_run_folder_on_two_ranks(place):
    work, write = place
    table = 'eps_view = "ascii:eps.txt"\nlog_view = ":log.txt"\n'
    env = {**os.environ, "HOME": str(work / "home"), "PYTHONPATH": str(ROOT),
           "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    result = subprocess.run(
        ["mpiexec", "-n", "2", sys.executable, "-m", "pdekit.cli", "eig",
         write(EIGEN, table), "--out", "out", "--", "-eps_view_values",
         "ascii:values.txt"], cwd=work, env=env, capture_output=True, text=True,
        timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    untouched(work)
    petsc = work / "out" / "petsc"
    assert sorted(os.listdir(petsc)) == ["eps.txt", "log.txt", "values.txt"]
    assert (petsc / "eps.txt").read_text().startswith("EPS Object: 2 MPI processes")
    assert "with 2 processors" in (petsc / "log.txt").read_text()
    # SLEPc's printed eigenvalues (4 or 5 decimals) are the ones in summary.json
    summary = json.loads((work / "out" / "summary.json").read_text())
    printed = [float(line) for line in (petsc / "values.txt").read_text().splitlines()[1:]
               if line.strip()]
    assert summary["results"]["ranks"] == 2
    computed = summary["results"]["eigenvalues"]
    assert len(printed) >= 3
    for value, reference in zip(printed, computed):
        assert value == pytest.approx(reference, rel=1e-5)
    assert result.stderr.count("PETSc -eps_view_values writes out/petsc/values.txt") == 1


@pytest.mark.parametrize("name, value, file", [
    ("eps_view", None, None), ("eps_view", "", None), ("eps_view", "1", None),
    ("eps_view", "::ascii_info_detail", None), ("eps_view", ":stderr", None),
    ("ksp_monitor", "ascii", None), ("eps_view", "ascii:eps.txt:ascii_info:append", "eps.txt"),
    ("st_ksp_converged_reason", ":reason.txt", "reason.txt"),
    ("eps_error_relative", "ascii:err.txt", "err.txt"),
    ("eps_view_vectors", "binary:v.bin", "v.bin"), ("mat_view", "hdf5:m.h5", "m.h5"),
    ("info", ":vec", None), ("log_trace", "", None), ("malloc_dump", None, None),
    ("objects_dump", None, None), ("viewer_binary_skip_info", None, None),
    ("eps_nev", "5", None), ("st_pc_factor_mat_solver_type", "mumps", None),
])
def test_allowed_options_and_their_files(name, value, file):
    assert check_option(name, value, from_case=True) == file


@pytest.mark.parametrize("name, value", [
    ("eps_view", ":.hidden"), ("eps_view", ":a b"), ("eps_view", "vtk:x.vts"),
    ("eps_view", "ascii:x:ascii_info:read"), ("eps_view", "glvis"), ("eps_view", "matlab"),
    ("log_view", "binary:log.bin"), ("ksp_monitor_lg_residualnorm", None),
    ("ksp_plot_eigenvalues", None), ("display", ":0"), ("pc_mg_dump_binary", None),
    ("mat_mumps_ooc_tmpdir", "/tmp"), ("ts_trajectory_dirname", "d"),
    ("options_file_yaml", "x.yaml"), ("log_summary", ":s.txt"), ("viewer_type", "draw"),
    ("start_in_debugger", None), ("ksp_monitor_python", "m.f"),
])
def test_refused_options(name, value):
    with pytest.raises(ValueError):
        check_option(name, value, from_case=True)


def test_debuggers_may_be_typed_after_the_double_dash():
    assert check_option("start_in_debugger", None, from_case=False) is None


def test_placed_values_keep_type_format_and_mode():
    assert placed([("eps_view", "ascii:e.txt:ascii_info:append"), ("eps_nev", "3"),
                   ("eps_view_vectors", "binary:v.bin"), ("log_view", ":l.txt:ascii_xml"),
                   ("ksp_view", None)], "/run/petsc") == [
        ("eps_view", "ascii:/run/petsc/e.txt:ascii_info:append"), ("eps_nev", "3"),
        ("eps_view_vectors", "binary:/run/petsc/v.bin"), ("log_view", "::ascii_xml"),
        ("ksp_view", None)]


def test_an_option_given_twice_writes_where_the_last_says():
    # PETSc's database keeps the last value, without regard to case
    assert file_targets([("log_view", ":a.txt"), ("EPS_VIEW", "ascii:x.txt"),
                         ("Log_View", ""), ("eps_view", ":y.txt")]) == {"eps_view": "y.txt"}
