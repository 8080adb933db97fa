"""What a PINN run leaves: quiet terminals, weights and history on SIGTERM, the history's
loss terms, and pictures (1D overlay, diverging signed maps, colour bars, stage panels)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.pinn.conftest import small_trainer, stages

pytest.importorskip("tensorflow")

CASE = """
[case]
kind = "poisson-pinn"
name = "run"
[domain]
x = [0.0, 1.0]
[problem]
exact = "sin(pi*x)"
[network]
width = 6
[points]
interior = 24
[evaluation]
n = 41
[training]
stages = {stages}
"""


def _pdekit(args: list[str], cwd: Path, **popen: object) -> subprocess.Popen:
    """``python -m pdekit.cli ARGS`` as a user runs it: no matplotlib backend or TF log
    level chosen by the environment."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen([sys.executable, "-m", "pdekit.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) of a running process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _read_history(path: Path) -> list[dict[str, str]]:
    with path.open() as stream:
        return list(csv.DictReader(stream))


def test_quiet_run_prints_nothing_and_logs_the_loss_terms(tmp_path):
    (tmp_path / "case.toml").write_text(CASE.format(
        stages='[{method = "adam", iterations = 40, lr = 1e-2}, '
               '{method = "gauss-newton", iterations = 3}, {method = "lbfgs", iterations = 2}]'))
    process = _pdekit(["solve", "case.toml", "--quiet"], tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert out == "" and err == ""
    folder = tmp_path / "results" / "run"
    rows = _read_history(folder / "history.csv")
    for row in rows:
        total = float(row["loss_pde"]) + float(row["loss_boundary"])
        assert float(row["loss"]) == pytest.approx(total, rel=1e-9)
        assert float(row["loss_boundary"]) > 0  # the penalty term, logged apart
    assert [r["method"] for r in rows[:2]] == ["init", "adam"] and rows[0]["stage"] == "0"
    for name in ("solution.png", "residual.png", "history.png"):
        assert (folder / name).stat().st_size > 10_000


def test_sigterm_keeps_the_weights_and_history_so_far(tmp_path):
    (tmp_path / "case.toml").write_text(CASE.format(
        stages='[{method = "adam", iterations = 100000000, lr = 1e-3, log_every = 200}]'))
    process = _pdekit(["solve", "case.toml"], tmp_path)
    running = tmp_path / "results" / "run.running"
    # TensorFlow's import and the XLA compilation of the Adam loop take 6-8 CPU seconds,
    # then ~500 iterations per CPU second; CPU time measures progress on a loaded machine
    # better than wall time does
    deadline = time.monotonic() + 150
    while _cpu_seconds(process.pid) < 15 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert running.is_dir() and process.poll() is None, process.communicate()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1].startswith("pdekit: interrupted")
    failed = tmp_path / "results" / "run.failed"
    assert not running.exists() and (failed / "error.json").is_file()
    from pdekit.pinn.weights import read_arrays, read_metadata

    arrays = read_arrays(failed / "weights.npz")
    assert [a.shape for a in arrays] == [(1, 6), (6,), (6, 1), (1,)]
    assert all(np.isfinite(a).all() for a in arrays)
    assert read_metadata(failed / "weights.npz")["width"] == 6
    rows = _read_history(failed / "history.csv")
    assert len(rows) >= 3 and rows[-1]["method"] == "adam"
    iterations = [int(r["iteration"]) for r in rows]
    assert iterations == sorted(iterations) and iterations[-1] >= 400
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])


def test_nonfinite_loss_exits_1_naming_the_numbers(tmp_path):
    (tmp_path / "case.toml").write_text(CASE.format(
        stages='[{method = "adam", iterations = 200, lr = 1e300}]'))
    process = _pdekit(["solve", "case.toml", "--quiet"], tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "loss = nan" in lines[0] and "iteration" in lines[0]
    failed = tmp_path / "results" / "run.failed"
    assert (failed / "history.csv").is_file() and (failed / "weights.npz").is_file()


# ------------------------------------------------------------------ history rows and terms

def test_history_is_dense_for_adam_and_its_terms_are_the_residuals():
    trainer = small_trainer(1, hard=False, width=8, n_int=50)
    trainer.run(stages({"method": "adam", "iterations": 1000, "lr": 1e-2}))
    adam = [h for h in trainer.history if h["method"] == "adam"]
    assert 50 <= len(adam) <= 101 and adam[-1]["stage_iteration"] == 1000
    # the PDE term is mean((Lap u - f)^2) over the interior points, the boundary term
    # gamma mean((u - g)^2) at the two end points: recomputed by nested autodiff
    loss, model = trainer.problem, trainer.problem.model
    from pdekit.pinn import points as pts

    interior = pts.interior_points([(-1.0, 1.0)], 50, "uniform", 0)
    f = loss.problem.f(interior)
    pde = np.mean((model.laplacian_autodiff(interior).numpy() - f) ** 2)
    ends = np.array([[-1.0], [1.0]])
    boundary = np.mean((model(ends).numpy() - loss.problem.g(ends)) ** 2)
    assert adam[-1]["loss_pde"] == pytest.approx(pde, rel=1e-8)
    assert adam[-1]["loss_boundary"] == pytest.approx(boundary, rel=1e-8)


# ------------------------------------------------------------------ pictures

@pytest.fixture
def figures(monkeypatch):
    """The figures the PINN plots make, drawn but kept open (instead of written)."""
    from pdekit.pinn import plots

    kept = []

    def keep(figure, path):
        figure.canvas.draw()
        kept.append(figure)
        return Path(path)

    monkeypatch.setattr(plots, "save_figure", keep)
    yield kept
    for figure in kept:
        plots.pyplot().close(figure)


def test_1d_solution_overlays_u_and_exact_and_shows_the_signed_error(figures, tmp_path):
    from pdekit.pinn.plots import save_solution

    x = np.linspace(0.0, 1.0, 51)
    exact = np.sin(np.pi * x)
    save_solution([x], exact + 1e-3 * x, exact, "t", tmp_path / "s.png")
    top, bottom = figures[0].axes
    assert [line.get_label() for line in top.get_lines()] == ["u (network)", "exact"]
    low, high = bottom.get_ylim()
    assert low == pytest.approx(-high) and high >= 1e-3


def test_2d_signed_maps_diverge_around_zero_with_bars_as_tall_as_the_axes(figures, tmp_path):
    from pdekit.pinn.plots import SIGNED_MAP, save_residual, save_solution

    axes = [np.linspace(0.0, 3.0, 31), np.linspace(0.0, 1.0, 11)]  # a 3:1 rectangle
    X, Y = np.meshgrid(*axes, indexing="ij")
    exact = np.sin(X) * Y
    save_solution(axes, exact + 0.01 * X - 0.02, exact, "t", tmp_path / "s.png")
    save_residual(axes, 0.3 * X - 0.1, "t", tmp_path / "r.png")
    for figure, signed in ((figures[0], 2), (figures[1], 0)):
        images = [a for a in figure.axes if a.get_images()]
        bars = [a for a in figure.axes if not a.get_images()]
        assert len(bars) == len(images)
        for image_axis, bar_axis in zip(images, bars):
            box, bar = image_axis.get_position(), bar_axis.get_position()
            assert bar.height == pytest.approx(box.height, rel=1e-3)
            inches = figure.get_size_inches()
            aspect = box.width * inches[0] / (box.height * inches[1])
            assert aspect == pytest.approx(3.0, rel=0.02)  # drawn to scale
        image = images[signed].get_images()[0]
        low, high = image.get_clim()
        assert image.get_cmap().name == SIGNED_MAP and low == pytest.approx(-high)
    u_image, exact_image, _ = (a.get_images()[0] for a in figures[0].axes if a.get_images())
    u = exact + 0.01 * X - 0.02
    shared = (min(u.min(), exact.min()), max(u.max(), exact.max()))  # one scale for both
    assert u_image.get_clim() == pytest.approx(shared) == exact_image.get_clim()


def test_history_has_one_panel_per_stage_and_labelled_stage_bands(figures, tmp_path):
    from pdekit.pinn.plots import save_history

    trainer = small_trainer(1, hard=False, width=6, n_int=30)
    trainer.run(stages({"method": "adam", "iterations": 300, "lr": 1e-2},
                       {"method": "gauss-newton", "iterations": 4}))
    save_history(trainer.history, "case: what ran", tmp_path / "h.png")
    figure = figures[0]
    adam, gauss_newton, timeline = figure.axes
    assert "adam" in adam.get_title() and "gauss-newton" in gauss_newton.get_title()
    assert adam.get_xlim()[1] == 300 and gauss_newton.get_xlim()[1] == 4
    labels = {line.get_label() for line in adam.get_lines()}
    assert any("PDE term" in label for label in labels)
    assert any("boundary term" in label for label in labels)
    bands = [text.get_text() for text in timeline.texts]
    assert bands == ["1: adam", "2: gauss-newton"]
    assert timeline.get_xlabel().startswith("wall time")
