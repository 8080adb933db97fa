"""Inputs that used to hang a run end it within seconds with one line (issue 21, item 5):
a FIFO as input file, MPI ranks given different inputs, an accuracy target double
precision cannot reach, and SIGTERM while Netgen meshes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, run_cli

TURING = """
[case]
kind = "turing"
name = "fifo"
[model]
preset = "spots"
[grid]
n = 16
[initial]
type = "{type}"
path = "{path}"
[time]
method = "strang"
dt = 0.05
T = 0.5
"""


def pdekit_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("pdekit:")]


@pytest.mark.parametrize("command", ["check", "solve"])
@pytest.mark.parametrize("kind", ["file", "restart"])
def test_fifo_as_initial_data_is_refused_at_once(tmp_path, command, kind):
    if kind == "file":
        os.mkfifo(tmp_path / "fields.npy")
        path = "fields.npy"
    else:  # a restart folder whose final_state.npz is a FIFO
        (tmp_path / "old").mkdir()
        os.mkfifo(tmp_path / "old" / "final_state.npz")
        path = "old"
    (tmp_path / "c.toml").write_text(TURING.format(type=kind, path=path))
    result = run_cli(command, "c.toml", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stderr
    assert pdekit_lines(result.stderr) == [
        f"pdekit: c.toml: initial.path: expected a regular file (not a pipe, device or "
        f"socket), got '{path}'"]
    assert not (tmp_path / "results").exists()


def test_accuracy_below_double_precision_is_refused(tmp_path):
    start = time.monotonic()
    result = run_cli("eig", str(ROOT / "cases" / "eigen_lshape.toml"),
                     "--set", "solver.accuracy=1e-300", "--out", str(tmp_path / "out"))
    assert time.monotonic() - start < 30
    assert result.returncode == 2, result.stderr
    assert "solver.accuracy: expected a target of at least 1e-14" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("second", [["--set", "grid.n=32"], ["--out", "elsewhere"],
                                    ["--", "-ts_monitor"]])
def test_ranks_given_different_inputs_stop_together(tmp_path, second):
    """`mpiexec -n 1 pdekit solve c.toml : -n 1 pdekit solve c.toml --set ...` used to
    deadlock: the ranks agree on the resolved case before any work."""
    (tmp_path / "c.toml").write_text(TURING.format(type="noise", path="").replace(
        'path = ""\n', ""))
    base = [sys.executable, "-m", "pdekit.cli", "solve", "c.toml", "--set",
            "grid.backend=petsc", "--set", "time.method=arkimex"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    result = subprocess.run(["mpiexec", "-n", "1", *base, ":", "-n", "1", *base, *second],
                            cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert time.monotonic() - start < 60
    assert result.returncode == 2, result.stderr
    lines = pdekit_lines(result.stderr)
    assert len(lines) == 1 and "the same case, --set, --out and options on every rank" \
        in lines[0] and "rank 1 differs from rank 0" in lines[0], result.stderr
    assert not (tmp_path / "results").exists() and not (tmp_path / "elsewhere").exists()


SLOW_MESH = """
[case]
kind = "eigen"
name = "slow"
[geometry]
shape = "square"
side = 1.0
[mesh]
maxh = 0.004
[fem]
order = 1
[solver]
nev = 1
"""


def test_sigterm_ends_netgen_meshing_within_seconds(tmp_path):
    """Netgen meshing (tens of seconds here) ignored SIGTERM until it returned."""
    (tmp_path / "slow.toml").write_text(SLOW_MESH)
    run = subprocess.Popen([sys.executable, "-m", "pdekit.cli", "eig", "slow.toml"],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    running = tmp_path / "results" / "slow.running"
    end = time.monotonic() + 60
    while not running.exists() and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(2.0)  # well inside the meshing
    assert run.poll() is None
    run.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    _, err = run.communicate(timeout=60)
    assert time.monotonic() - sent < 5, err
    assert run.returncode == 128 + signal.SIGTERM, err
    failed = tmp_path / "results" / "slow.failed"
    assert pdekit_lines(err) == [f"pdekit: interrupted; partial output kept in "
                                 f"{Path('results') / 'slow.failed'}/"]
    assert json.loads((failed / "error.json").read_text())["type"] == "KeyboardInterrupt"
    assert not running.exists()


LONG_TURING = """
[case]
kind = "turing"
name = "{name}"
[model]
preset = "spots"
[grid]
n = 64
[initial]
{initial}
[time]
method = "strang"
dt = 0.01
T = {T}
[output]
every = 1000.0
png = false
"""


@pytest.mark.parametrize("adaptive", [False, True])
def test_interrupted_turing_run_keeps_a_state_to_restart_from(tmp_path, adaptive):
    """SIGTERM during the integration: the last completed step is kept as
    final_state.npz in the .failed folder, error.json says where the run stopped, and a
    restart from it continues the run (issue 27, F)."""
    text = LONG_TURING.format(name="long", initial='type = "noise"\nseed = 1', T=1e6)
    if adaptive:  # adaptive ETDRK4 instead of fixed-step Strang
        text = text.replace('method = "strang"', 'method = "etdrk4"\nadaptive = true\n'
                            'tolerance = 1e-3')
    (tmp_path / "long.toml").write_text(text)
    run = subprocess.Popen([sys.executable, "-m", "pdekit.cli", "solve", "long.toml"],
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(4.0)  # set-up (cached numba kernels, FFT plans) and some steps
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM, err
    failed = tmp_path / "results" / "long.failed"
    error = json.loads((failed / "error.json").read_text())
    assert error["error"].startswith("interrupted by SIGTERM; stopped at t = "), error
    with np.load(failed / "final_state.npz") as state:
        t_stop, u_stop = float(state["t"]), state["u"]
    assert 0 < t_stop < 1e6 and np.isfinite(u_stop).all() and u_stop.shape == (64, 64)
    assert f"stopped at t = {t_stop:.6g}" in pdekit_lines(err)[0]
    if adaptive:
        return
    # fixed steps: a restart to t_stop + 0.5 equals one straight run there
    end = round(t_stop + 0.5, 10)
    (tmp_path / "more.toml").write_text(LONG_TURING.format(
        name="more", initial=f'type = "restart"\npath = "{failed}"', T=end))
    (tmp_path / "straight.toml").write_text(LONG_TURING.format(
        name="straight", initial='type = "noise"\nseed = 1', T=end))
    for name in ("more", "straight"):
        done = run_cli("solve", f"{name}.toml", "--quiet", cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr
    more = np.load(tmp_path / "results" / "more" / "final_state.npz")
    straight = np.load(tmp_path / "results" / "straight" / "final_state.npz")
    np.testing.assert_allclose(more["u"], straight["u"], rtol=0, atol=1e-10)


@pytest.mark.parametrize("content, expected", [
    ("complex", "real fields (float or integer values)"),
    ("record", "real fields (float or integer values)"),
    ("text", "real fields (float or integer values)"),
    ("nan time", "a restart file whose time t is finite"),
    ("inf time", "a restart file whose time t is finite"),
])
def test_damaged_initial_data_is_one_line_before_anything(tmp_path, content, expected):
    """Archives whose values cannot be fields (issue 27, B): exit 2 naming
    initial.path, no traceback, no folder."""
    shape = (16, 16)
    if content.endswith("time"):
        (tmp_path / "old").mkdir()
        np.savez(tmp_path / "old" / "final_state.npz", u=np.ones(shape), v=np.ones(shape),
                 t=np.nan if content == "nan time" else np.inf)
        kind, path = "restart", "old"
    else:
        values = {"complex": np.ones((2, *shape)) * (1 + 1j),
                  "record": np.zeros((2, *shape), dtype=[("a", "f8")]),
                  "text": np.full((2, *shape), "x")}[content]
        np.save(tmp_path / "fields.npy", values)
        kind, path = "file", "fields.npy"
    (tmp_path / "c.toml").write_text(TURING.format(type=kind, path=path))
    result = run_cli("solve", "c.toml", cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "initial.path: expected " + expected in lines[0], lines
    assert not (tmp_path / "results").exists()
