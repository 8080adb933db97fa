"""The run of a prepared ``turing`` case: integrate, write snapshots, the final state and
plots, and hand the numbers to :mod:`pdekit.fd.report`."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from pdekit.fd.build import build_problem
from pdekit.fd.grid import Grid
from pdekit.fd.outcome import TuringOutcome
from pdekit.fd.prepare import TuringSetup
from pdekit.fd.report import one_or_per_axis, run_title, turing_report
from pdekit.memory import peak_rss_mib
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit.output.plots import (save_animation, save_fields_png, save_lines_png,
                                 save_slices_png)
from pdekit.time import (METHODS, integrate, integrate_adaptive,
                         make_attempt, make_stepper)


class Snapshots:
    """Writes u, v at output times: ``.vti`` files in a live ``fields.pvd`` and, for an
    animation, in-memory frames of the field ``animate`` ("u" or "v", None: no frames)."""

    def __init__(self, folder: Path, grid: Grid, vtk: bool, animate: str | None):
        self.folder, self.grid, self.animate = folder, grid, animate
        self.series = PVDSeries(folder / "fields.pvd") if vtk else None
        self.frames: list[tuple[float, np.ndarray]] | None = [] if animate else None
        self.origin = [float(x[0]) for x in grid.axes_coordinates()]

    def __call__(self, t: float, w: np.ndarray) -> None:
        u, v = split_state(w, self.grid)
        if self.series is not None:
            name = f"fields_{len(self.series.entries):05d}.vti"
            write_vti(self.folder / name, self.origin, self.grid.spacings, {"u": u, "v": v})
            self.series.add(t, self.folder / name)
        if self.frames is not None:
            self.frames.append((t, animation_frame(u if self.animate == "u" else v).copy()))


def split_state(w: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(u, v) as grid-shaped views of the stacked state w = [u.ravel(), v.ravel()]."""
    size = grid.size
    return w[:size].reshape(grid.shape), w[size:].reshape(grid.shape)


def animation_frame(field: np.ndarray) -> np.ndarray:
    """What an animation shows of a field: all of it in 1D and 2D, the middle z-plane
    in 3D."""
    return field[:, :, field.shape[2] // 2] if field.ndim == 3 else field


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
                                case.grid.threads, case.grid.dtype)
        if case.time.adaptive:
            attempt = make_attempt(method, problem)
        else:
            step = make_stepper(method, problem, setup.dt)
    memory_after_setup = peak_rss_mib()
    animate = case.output.animate if case.output.animation != "none" else None
    snapshots = Snapshots(context.dir, grid, case.output.vtk, animate)
    times = output_times(t0, t_end, case.output.every)
    bar = context.progress(t_end - t0, f"turing {method} ({model.name})", unit="t",
                           time_steps=True, start=t0)
    w0 = np.concatenate([setup.u0.ravel(), setup.v0.ravel()]).astype(case.grid.dtype,
                                                                      copy=False)
    stats = None
    with context.phase("integrate"), kept_on_interrupt(setup, context.dir):
        if case.time.adaptive:
            dt_max = case.time.dt_max or (t_end - t0) / 20
            w, stats = integrate_adaptive(
                attempt, w0, t0, t_end, setup.dt, case.time.tolerance, dt_max,
                low_order=METHODS.capabilities(method).embedded_order,
                output_times=times, on_output=snapshots, progress=bar,
                growth_limit=case.time.step_growth)
            steps, t_final = stats.accepted, t_end
        else:
            w, steps = integrate(step, w0, t0, t_end, setup.dt, times, snapshots, bar,
                                 check_every=10)
            t_final = t0 + steps * setup.dt  # = t_end up to round-off
    bar.close()
    u, v = split_state(w, grid)
    with context.phase("output"):
        files = write_fields(setup, context.dir, u, v, t_final, snapshots)
    outcome = TuringOutcome(u, v, w.nbytes, steps, t_final, stats, files, memory_after_setup)
    report = turing_report(setup, outcome, context)
    if context.keep_data:
        report.data.update(u=u, v=v, t=t_final, coordinates=grid.axes_coordinates())
    return report


@contextmanager
def kept_on_interrupt(setup: TuringSetup, folder: Path) -> Iterator[None]:
    """On Ctrl-C or SIGTERM during the integration, write the last completed step as
    ``final_state.npz`` (the run can restart from it: ``initial.type = "restart"``) and
    say where and when the run stopped, in the interrupt's ``note``."""
    try:
        yield
    except KeyboardInterrupt as interrupt:
        last = getattr(interrupt, "last_state", None)
        if last is not None:
            u, v = split_state(last.u, setup.grid)
            write_state(setup, folder, u, v, last.t)
            interrupt.note = (f"stopped at t = {last.t:.6g} after {last.steps} steps; "  # type: ignore[attr-defined]
                              "final_state.npz holds that state (initial.type = "
                              "\"restart\" continues from it)")
        raise


def write_state(setup: TuringSetup, folder: Path, u: np.ndarray, v: np.ndarray,
                t: float) -> None:
    """``final_state.npz``: u, v, the time and the grid (what a restart reads)."""
    grid = setup.grid
    np.savez(folder / "final_state.npz", u=u, v=v, t=t, n=one_or_per_axis(grid.shape),
             length=one_or_per_axis(grid.lengths))


def write_fields(setup: TuringSetup, folder: Path, u: np.ndarray, v: np.ndarray,
                  t_final: float, snapshots: Snapshots) -> list[str]:
    """``final_state.npz``, the PNG and the animation; the names of the files written."""
    grid, output = setup.grid, setup.case.output
    write_state(setup, folder, u, v, t_final)
    files = ["final_state.npz"]
    if snapshots.series is not None:
        files.append("fields.pvd")
    title = run_title(setup, t_final)
    coordinates = grid.axes_coordinates()
    if output.png:
        if grid.dim == 1:
            save_lines_png({"u": u, "v": v}, coordinates[0], title, folder / "fields.png")
        elif grid.dim == 2:
            save_fields_png({"u": u, "v": v}, plane_extent(grid), title, folder / "fields.png")
        else:
            save_slices_png({"u": u, "v": v}, coordinates, title, folder / "fields.png")
        files.append("fields.png")
    if snapshots.frames:
        field = output.animate
        name = f"{field}.{output.animation}"
        if grid.dim == 1:
            extent, label = (coordinates[0][0], coordinates[0][-1]), field
        else:
            extent, label = plane_extent(grid), animation_label(field, grid)
        save_animation(snapshots.frames, extent, label, folder / name,
                       title=run_title(setup))
        files.append(name)
    return files


def plane_extent(grid: Grid) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the box's first two axes."""
    (x0, y0), (lx, ly) = grid.origin[:2], grid.lengths[:2]
    return (x0, x0 + lx, y0, y0 + ly)


def animation_label(field: str, grid: Grid) -> str:
    """What a 2D or 3D animation shows: the field, in 3D on its middle z-plane."""
    if grid.dim == 2:
        return field
    z = grid.axes_coordinates()[2]
    return f"{field} on z = {z[grid.shape[2] // 2]:.3g}"
