"""The run of a prepared ``turing`` case: integrate, write snapshots, the final state and
plots, and hand the numbers to :mod:`pdekit.fd.report`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pdekit.fd.build import build_problem
from pdekit.fd.grid import Grid
from pdekit.fd.prepare import TuringSetup
from pdekit.fd.report import turing_report
from pdekit.memory import peak_rss_mib
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit.output.plots import save_animation, save_fields_png
from pdekit.time import (METHODS, AdaptiveStats, integrate, integrate_adaptive,
                         make_attempt, make_stepper)


@dataclass(frozen=True)
class TuringOutcome:
    """What an integration produced.

    Attributes
    ----------
    u, v
        Final fields, indexed ``[i, j]``.
    state_bytes
        Size of the stacked state vector.
    steps, t_final
        Accepted steps and the time reached.
    adaptive
        The step controller's statistics (None for fixed steps).
    files
        Files written into the run folder.
    memory_after_setup
        Peak resident memory (MiB) once the problem and stepper were built.
    """

    u: np.ndarray
    v: np.ndarray
    state_bytes: int
    steps: int
    t_final: float
    adaptive: AdaptiveStats | None
    files: list[str]
    memory_after_setup: float


class Snapshots:
    """Writes u, v at output times: ``.vti`` files in a live ``fields.pvd`` and, for an
    animation, in-memory frames of u."""

    def __init__(self, folder: Path, grid: Grid, vtk: bool, frames: bool):
        self.folder, self.grid = folder, grid
        self.series = PVDSeries(folder / "fields.pvd") if vtk else None
        self.frames: list[tuple[float, np.ndarray]] | None = [] if frames else None
        self.first = float(grid.coordinates()[0])

    def __call__(self, t: float, w: np.ndarray) -> None:
        u, v = split_state(w, self.grid)
        if self.series is not None:
            name = f"fields_{len(self.series.entries):05d}.vti"
            write_vti(self.folder / name, (self.first, self.first),
                      (self.grid.h, self.grid.h), {"u": u, "v": v})
            self.series.add(t, self.folder / name)
        if self.frames is not None:
            self.frames.append((t, u.copy()))


def split_state(w: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) as grid-shaped views of the stacked state w = [u.ravel(), v.ravel()]."""
    size = grid.n * grid.n
    return w[:size].reshape(grid.shape), w[size:].reshape(grid.shape)


def output_times(t0: float, t_end: float, every: float) -> list[float]:
    """t0, t0 + every, ... up to ``t_end``, and ``t_end`` itself (sorted, no repeats)."""
    times = [t0 + every * i for i in range(int((t_end - t0) / every + 1e-9) + 1)]
    return sorted(set(times + [t_end]))


def run(setup: TuringSetup, context: RunContext) -> RunReport:
    """Integrate the case, writing snapshots, the final state, plots and the report."""
    case, grid, model = setup.case, setup.grid, setup.model
    method, t0, t_end = case.time.method, setup.t0, case.time.T
    with context.phase("setup"):
        problem = build_problem(model, grid, case.model.terms, case.grid.diffusion,
                                case.grid.threads)
        if case.time.adaptive:
            attempt = make_attempt(method, problem)
        else:
            step = make_stepper(method, problem, setup.dt)
    memory_after_setup = peak_rss_mib()
    snapshots = Snapshots(context.dir, grid, case.output.vtk, case.output.animation != "none")
    times = output_times(t0, t_end, case.output.every)
    bar = context.progress(t_end - t0, f"turing {method} ({model.name})", unit="t")
    w0 = np.concatenate([setup.u0.ravel(), setup.v0.ravel()])
    stats = None
    with context.phase("integrate"):
        if case.time.adaptive:
            dt_max = case.time.dt_max or (t_end - t0) / 20
            w, stats = integrate_adaptive(
                attempt, w0, t0, t_end, setup.dt, case.time.tolerance, dt_max,
                low_order=METHODS.capabilities(method)["embedded_order"],
                output_times=times, on_output=snapshots, progress=bar)
            steps, t_final = stats.accepted, t_end
        else:
            w, steps = integrate(step, w0, t0, t_end, setup.dt, times, snapshots, bar,
                                 check_every=10)
            t_final = t0 + steps * setup.dt  # = t_end up to round-off
    bar.close()
    u, v = split_state(w, grid)
    with context.phase("output"):
        files = _write_fields(setup, context.dir, u, v, t_final, snapshots)
    outcome = TuringOutcome(u, v, w.nbytes, steps, t_final, stats, files, memory_after_setup)
    return turing_report(setup, outcome, context)


def _write_fields(setup: TuringSetup, folder: Path, u: np.ndarray, v: np.ndarray,
                  t_final: float, snapshots: Snapshots) -> list[str]:
    """``final_state.npz``, the PNG and the animation; the names of the files written."""
    grid, output = setup.grid, setup.case.output
    np.savez(folder / "final_state.npz", u=u, v=v, t=t_final, n=grid.n, length=grid.length)
    files = ["final_state.npz"]
    if snapshots.series is not None:
        files.append("fields.pvd")
    extent = (grid.x0, grid.x0 + grid.length, grid.x0, grid.x0 + grid.length)
    if output.png:
        save_fields_png({"u": u, "v": v}, extent,
                        f"{setup.label}, {setup.case.time.method}, t = {t_final:.4g}",
                        folder / "fields.png")
        files.append("fields.png")
    if snapshots.frames:
        name = f"u.{output.animation}"
        save_animation(snapshots.frames, extent, "u", folder / name)
        files.append(name)
    return files
