"""Runs of one case exclude each other (issue 21, item 1): exactly one run writes a run
folder at a time, the loser exits 2 with one line naming the holder's pid and touches
nothing, and the previous good result survives until the winner replaces it whole."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pdekit.output import RunContext
from pdekit.output.folders import MARKER
from pdekit.output.lock import RunLock, lock_path
from tests.conftest import ROOT, run_cli

MPIEXEC = ["mpiexec", "-n", "2"]
PETSC = ["--set", "grid.backend=petsc", "--set", "time.method=arkimex"]

RACE = """
[case]
kind = "turing"
name = "race"
[model]
preset = "spots"
[grid]
n = 32
length = 2.0
[initial]
type = "noise"
seed = 0
[time]
method = "strang"
dt = 0.05
T = {T}
[output]
every = 0.05
png = false
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def previous_result(final: Path) -> None:
    """A finished run of the case, made as a run makes it."""
    context = RunContext(final, quiet=True)
    context.prepare()
    (context.dir / "fields.pvd").write_text("<VTKFile>previous</VTKFile>\n")
    context.finish({"status": "ok"})


def assert_refused(result: subprocess.CompletedProcess, pid: int) -> None:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines()
             if line.startswith("pdekit:")]  # mpiexec adds its own report of exit code 2
    assert len(lines) == 1, result.stderr
    assert f"another pdekit run of this case is in progress (pid {pid})" in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize("case, extra", [
    ("turing.toml", []),
    ("turing.toml", PETSC),
    ("eigen_square.toml", []),
    ("poisson1d.toml", []),
])
def test_every_kind_refuses_a_held_case_and_touches_nothing(tmp_path, case, extra):
    final = tmp_path / "out"
    previous_result(final)
    before = snapshot(tmp_path)
    lock = RunLock(final, "test", "--out")
    lock.acquire()  # another run is writing this case
    try:
        result = run_cli("solve", str(ROOT / "cases" / case), "--out", str(final), *extra,
                         timeout=120)
    finally:
        lock.release()
    assert_refused(result, os.getpid())
    assert snapshot(tmp_path) == before


def test_two_ranks_refuse_a_held_case_once_and_touch_nothing(tmp_path):
    final = tmp_path / "out"
    previous_result(final)
    before = snapshot(tmp_path)
    lock = RunLock(final, "test", "--out")
    lock.acquire()
    try:
        result = subprocess.run(
            [*MPIEXEC, sys.executable, "-m", "pdekit.cli", "solve",
             str(ROOT / "cases" / "turing.toml"), *PETSC, "--set", "grid.n=32",
             "--out", str(final)],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        lock.release()
    assert_refused(result, os.getpid())
    assert snapshot(tmp_path) == before


def start_run(case: Path, cwd: Path, launcher: list[str] = ()) -> subprocess.Popen:
    """A run in the background (under ``launcher``: 2 ranks on the PETSc path)."""
    return subprocess.Popen([*launcher, sys.executable, "-m", "pdekit.cli", "solve", str(case),
                             "--quiet", *(PETSC if launcher else [])], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for_lock(path: Path, timeout: float = 60) -> int:
    """The pid a starting run wrote into the lock file, once it holds the lock."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            return int(json.loads(path.read_text())["pid"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.02)
    raise AssertionError(f"no run took {path}")


def assert_complete(final: Path) -> None:
    """A finished Turing run: marker, summary and every VTI its PVD lists."""
    assert (final / MARKER).is_file() and (final / "summary.json").is_file()
    listed = re.findall(r'file="([^"]+)"', (final / "fields.pvd").read_text())
    assert len(listed) == 81
    assert all((final / name).is_file() for name in listed)
    assert not final.with_name(final.name + ".running").exists()


@pytest.mark.parametrize("launcher, offset", [([], 0.0), (MPIEXEC, 0.5)],
                         ids=["serial-0.0", "2 ranks-0.5"])
def test_second_run_started_during_the_first_loses(tmp_path, offset, launcher):
    """Issue 21's reproduction: a finished run, then one run started and a second one
    started `offset` seconds after the first holds the lock."""
    case = tmp_path / "race.toml"
    case.write_text(RACE.format(T=4.0))
    first_done = run_cli("solve", str(case), "--quiet", cwd=tmp_path)
    assert first_done.returncode == 0, first_done.stderr
    final = tmp_path / "results" / "race"
    kept = snapshot(final)

    winner = start_run(case, tmp_path, launcher)
    holder = wait_for_lock(lock_path(final))
    time.sleep(offset)
    loser = run_cli("solve", str(case), cwd=tmp_path)
    if winner.poll() is None:  # the loser was refused while the winner ran
        assert_refused(loser, holder)
        assert snapshot(final) == kept  # the previous result is untouched meanwhile
    _, err = winner.communicate(timeout=120)
    assert winner.returncode == 0, err
    assert err == ""
    assert_complete(final)


def test_lock_of_a_killed_run_is_free(tmp_path):
    """kill -9 releases the lock; the next run clears the dead run's staging folder."""
    case = tmp_path / "race.toml"
    case.write_text(RACE.format(T=30.0))
    victim = start_run(case, tmp_path)
    wait_for_lock(lock_path(tmp_path / "results" / "race"))
    time.sleep(1.0)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    case.write_text(RACE.format(T=4.0))
    rerun = run_cli("solve", str(case), "--quiet", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    assert_complete(tmp_path / "results" / "race")


@pytest.mark.parametrize("planted", ["user file", "symlink", "fifo"])
def test_lock_name_taken_by_something_else_is_bad_input(tmp_path, planted):
    final = tmp_path / "out"
    target = lock_path(final)
    if planted == "user file":
        target.write_text("my notes\n")
    elif planted == "symlink":
        (tmp_path / "notes.txt").write_text("my notes\n")
        target.symlink_to(tmp_path / "notes.txt")
    else:
        os.mkfifo(target)
    before = snapshot(tmp_path)
    result = run_cli("solve", str(ROOT / "cases" / "turing.toml"), "--out", str(final),
                     timeout=60)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--out" in result.stderr
    assert snapshot(tmp_path) == before
    assert not final.exists()
