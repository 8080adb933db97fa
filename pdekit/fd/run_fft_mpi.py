"""The run of a ``turing`` case on the fft backend under ``mpiexec``, on every rank.

The grid is split in slabs or pencils (``setup.decomposition``); each rank holds its block
of u and v and of their spectra. The linear part is a
:class:`pdekit.time.distributed.DistributedDiagonalLinear` (FFT or DCT-II through
mpi4py-fft, eigenvalues and ETDRK4 tables for the rank's block of wavenumbers only), the
reaction is evaluated on the rank's points by the model's compiled kernels, and the
integrators of :mod:`pdekit.time` run unchanged; the step controller and the blow-up
check reduce their norms over the ranks, so every rank takes the same steps. The initial
fields are evaluated per block from global indices and coordinates
(:class:`pdekit.fd.initial.InitialData`), so 1, 2 or 3 ranks start from the same field
and reach the same one up to round-off.

Output: each rank writes its piece of every snapshot (:class:`pdekit.fd.pieces.
PieceSnapshots`, a ``.pvti`` and a PVD valid after every write); rank 0 writes
``final_state.npz`` (gathered one slab of the first axis at a time, the fft backend's
format: a restart reads it on any number of ranks), ``fields.png`` from gathered
mid-planes, the animation from gathered frames, and the report, whose field statistics
and measured dominant wavenumber come from reductions over the ranks.

Failures: a NaN/Inf or a collapsed adaptive step is found by all ranks together and ends
the run with one message from rank 0 (exit 1); anything raised on some ranks only ends
all of them through :func:`pdekit.mpi_abort.on_every_rank`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from pdekit.errors import NumericalError
from pdekit.fd.build import reaction_rhs
from pdekit.fd.distributed_fields import (dominant_wavenumber, field_statistics,
                                          gather_region, with_upper_ghosts, write_npz_in_slabs)
from pdekit.fd.grid import NeumannGrid
from pdekit.fd.laplacian import laplacian_eigenvalues_block
from pdekit.fd.outcome import TuringOutcome
from pdekit.fd.pieces import PieceSnapshots
from pdekit.fd.prepare import TuringSetup
from pdekit.fd.report import one_or_per_axis, run_title, turing_report
from pdekit.fd.run import animation_label, output_times, plane_extent
from pdekit.launcher import cores_per_rank
from pdekit.memory import peak_rss_mib
from pdekit.mpi_abort import on_every_rank
from pdekit.output import RunContext, RunReport
from pdekit.time import (METHODS, SemilinearProblem, ZeroLinear, integrate,
                         integrate_adaptive, make_attempt, make_stepper)
from pdekit.time.distributed import DistributedDiagonalLinear, PencilTransform, global_max
from pdekit.time.problem import no_nonlinearity


def run(setup: TuringSetup, context: RunContext) -> RunReport:
    """Integrate the case on this rank; a failure on one rank ends all of them."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    comm.Barrier()  # rank 0 has made the run folder (RunContext.prepare): pieces may go in
    return on_every_rank(comm, context, lambda: _run(setup, context, comm))


def threads_per_rank(setup: TuringSetup) -> int:
    """``grid.threads`` if the case sets it, else this rank's share of the node's cores."""
    grid = setup.case.grid
    return grid.threads if "threads" in grid.model_fields_set else cores_per_rank()


def distributed_problem(setup: TuringSetup, transform: PencilTransform,
                        threads: int) -> SemilinearProblem:
    """du/dt = L w + N(w) on this rank's block of w = [u, v] (``model.terms`` applied)."""
    model, terms, dtype = setup.model, setup.case.model.terms, setup.case.grid.dtype
    if terms == "reaction":
        linear: Any = ZeroLinear()
    else:
        symbol = laplacian_eigenvalues_block(setup.grid, transform.spectral_slices)
        eigenvalues = np.stack([np.asarray(d * symbol, dtype=dtype) for d in model.diffusion])
        linear = DistributedDiagonalLinear(eigenvalues, transform, threads)
    if terms == "diffusion":
        return SemilinearProblem(linear, no_nonlinearity)
    return SemilinearProblem(linear, reaction_rhs(model, math.prod(transform.physical_shape)))


class DistributedSnapshots:
    """``on_output(t, w)`` for the integrators: this rank's pieces of the ``.vti``
    snapshots (with the one-point overlap to the next block) and, on rank 0, animation
    frames gathered from the ranks (the whole 2D field, the middle z-plane in 3D)."""

    def __init__(self, setup: TuringSetup, context: RunContext, transform: PencilTransform,
                 comm: Any):
        case, grid = setup.case, setup.grid
        self.grid, self.comm, self.transform = grid, comm, transform
        self.start = [s.start for s in transform.physical_slices]
        self.pieces = PieceSnapshots(context.dir, grid, comm, case.output.vtk, frames=False)
        subcomms = transform.pfft.subcomm
        self.axis_comms = [(axis, subcomms[axis]) for axis in range(grid.dim)
                           if subcomms[axis].Get_size() > 1]
        self.animate = case.output.animate if case.output.animation != "none" else None
        self.frames: list[tuple[float, np.ndarray]] | None = \
            [] if self.animate and comm.rank == 0 else None

    def fields(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """This rank's (u, v) blocks of the flat local state."""
        size = math.prod(self.transform.physical_shape)
        shape = self.transform.physical_shape
        return w[:size].reshape(shape), w[size:].reshape(shape)

    def frame_region(self) -> tuple[slice | int, ...]:
        """What an animation shows: all of a 2D field, the middle z-plane of a 3D one."""
        whole = [slice(0, n) for n in self.grid.shape]
        if self.grid.dim == 3:
            middle = self.grid.shape[2] // 2
            whole[2] = slice(middle, middle + 1)
        return tuple(whole)

    def __call__(self, t: float, w: np.ndarray) -> None:
        u, v = self.fields(w)
        if self.pieces.vtk:
            ghosted = [with_upper_ghosts(f, self.axis_comms) for f in (u, v)]
            block = tuple((s, s + n) for s, n in zip(self.start, ghosted[0].shape))
            self.pieces(t, ghosted[0], ghosted[1], block)
        if self.animate:
            field = u if self.animate == "u" else v
            frame = gather_region(field, self.start, self.frame_region(), self.comm)
            if self.frames is not None:
                self.frames.append((t, frame.reshape(frame.shape[:2])))


def _run(setup: TuringSetup, context: RunContext, comm: Any) -> RunReport:
    case, grid = setup.case, setup.grid
    method, t0, t_end = case.time.method, setup.t0, case.time.T
    decomposition = setup.decomposition
    assert decomposition is not None and setup.initial is not None  # prepare's
    threads = threads_per_rank(setup)
    with context.phase("setup"):
        transform = PencilTransform(comm, grid.shape, isinstance(grid, NeumannGrid),
                                    case.grid.dtype, decomposition, blocks=2, threads=threads)
        problem = distributed_problem(setup, transform, threads)
        if case.time.adaptive:
            attempt = make_attempt(method, problem)
        else:
            step = make_stepper(method, problem, setup.dt)
        block = tuple((s.start, s.stop) for s in transform.physical_slices)
        u0, v0 = setup.initial.fields(block)
        w0 = np.concatenate([np.asarray(u0).ravel(), np.asarray(v0).ravel()]).astype(
            case.grid.dtype)
        snapshots = DistributedSnapshots(setup, context, transform, comm)
    memory_after_setup = peak_rss_mib()
    reduce_max = global_max(comm)
    bar = context.progress(t_end - t0, f"turing {method} (fft, {comm.size} "
                                       f"rank{'s' if comm.size > 1 else ''})", unit="t",
                           time_steps=True, start=t0)
    times = output_times(t0, t_end, case.output.every)
    stats = None
    try:
        with context.phase("integrate"):
            if case.time.adaptive:
                dt_max = case.time.dt_max or (t_end - t0) / 20
                w, stats = integrate_adaptive(
                    attempt, w0, t0, t_end, setup.dt, case.time.tolerance, dt_max,
                    low_order=METHODS.capabilities(method).embedded_order,
                    output_times=times, on_output=snapshots, progress=bar,
                    reduce_max=reduce_max, growth_limit=case.time.step_growth)
                steps, t_final = stats.accepted, t_end
            else:
                w, steps = integrate(step, w0, t0, t_end, setup.dt, times, snapshots, bar,
                                     check_every=10, reduce_max=reduce_max)
                t_final = t0 + steps * setup.dt
    except NumericalError as error:  # found by every rank at once: one message
        raise NumericalError(str(error), {**getattr(error, "data", {}), "ranks": comm.size},
                             collective=True) from None
    finally:
        bar.close()
    exchange = transform.statistics()
    attempts = steps + (stats.rejected if stats else 0)
    u, v = snapshots.fields(w)
    with context.phase("output"):
        files = write_outputs(setup, context.dir, u, v, t_final, snapshots, transform, comm)
        statistics = field_statistics({"u": u, "v": v}, grid.size, comm)
        spectrum = transform.forward(w)[0]
        measured_k = dominant_wavenumber(spectrum, transform.spectral_slices, grid.shape,
                                         grid.lengths, isinstance(grid, NeumannGrid), comm)
    rank_numbers = comm.gather({"peak_rss_mb": peak_rss_mib(),
                                "local_shape": list(transform.physical_shape),
                                "spectral_shape": list(transform.spectral_shape),
                                **exchange}, root=0)
    if comm.rank != 0:
        return RunReport({}, [])
    outcome = TuringOutcome(None, None, 2 * grid.size * case.grid.dtype.itemsize, steps,
                            t_final, stats, files, memory_after_setup, statistics,
                            measured_k)
    report = turing_report(setup, outcome, context)
    return distributed_report(report, setup, rank_numbers, attempts, threads,
                              context.timings["integrate"])


def write_outputs(setup: TuringSetup, folder: Path, u: np.ndarray, v: np.ndarray,
                  t_final: float, snapshots: DistributedSnapshots, transform: PencilTransform,
                  comm: Any) -> list[str]:
    """``final_state.npz``, ``fields.png`` and the animation (collective; rank 0 writes);
    the names of the files written."""
    grid, output = setup.grid, setup.case.output
    start = snapshots.start
    write_npz_in_slabs(folder / "final_state.npz", {"u": u, "v": v}, start, grid.shape, comm,
                       {"t": t_final, "n": one_or_per_axis(grid.shape),
                        "length": one_or_per_axis(grid.lengths)})
    files = ["final_state.npz"]
    if output.vtk:
        files.append("fields.pvd")
    title = run_title(setup, t_final)
    coordinates = grid.axes_coordinates()
    root = comm.rank == 0
    if output.png:
        from pdekit.output.plots import mid_plane_regions, save_fields_png, save_planes_png

        if grid.dim == 2:
            whole = tuple(slice(0, n) for n in grid.shape)
            fields = {name: gather_region(f, start, whole, comm) for name, f in
                      (("u", u), ("v", v))}
            if root:
                save_fields_png(fields, plane_extent(grid), title, folder / "fields.png")
        else:
            ranges = field_statistics({"u": u, "v": v}, grid.size, comm)
            rows = {}
            for name, field in (("u", u), ("v", v)):
                planes = []
                for label, index, extent, names in mid_plane_regions(coordinates):
                    region = tuple(slice(i, i + 1) if isinstance(i, int) else
                                   slice(0, n) for i, n in zip(index, grid.shape))
                    plane = gather_region(field, start, region, comm)
                    if root:
                        planes.append((label, plane.reshape([n for i, n in
                                                             zip(index, plane.shape)
                                                             if not isinstance(i, int)]),
                                       extent, names))
                rows[name] = (planes, (ranges[name]["min"], ranges[name]["max"]))
            if root:
                save_planes_png(rows, title, folder / "fields.png")
        files.append("fields.png")
    if snapshots.animate:
        from pdekit.output.plots import save_animation

        field = output.animate
        name = f"{field}.{output.animation}"
        if root and snapshots.frames:
            save_animation(snapshots.frames, plane_extent(grid), animation_label(field, grid),
                           folder / name, title=run_title(setup))
        files.append(name)
    return files


def distributed_report(report: RunReport, setup: TuringSetup, ranks: list[dict[str, Any]],
                       attempts: int, threads: int, integrate_seconds: float) -> RunReport:
    """Add the decomposition, the per-rank shapes, the exchange and the memory per rank."""
    decomposition = setup.decomposition
    assert decomposition is not None
    count = len(ranks)
    sent = sum(r["bytes_sent"] for r in ranks)
    transpose = max(r["transpose_seconds"] for r in ranks)
    per_attempt = sent / max(attempts, 1)
    results = report.results
    results["ranks"] = count
    results["grid"]["backend"] = "fft"
    results["memory"]["peak_rss_mb_per_rank"] = [r["peak_rss_mb"] for r in ranks]
    results["distributed"] = {
        "decomposition": decomposition.kind,
        "process_grid": list(decomposition.process_grid),
        "threads_per_rank": threads,
        "local_shapes": [r["local_shape"] for r in ranks],
        "spectral_local_shapes": [r["spectral_shape"] for r in ranks],
        "bytes_exchanged_per_step": per_attempt,
        "bytes_exchanged_total": sent,
        "attempted_steps": attempts,
        "transpose_seconds_per_rank": [r["transpose_seconds"] for r in ranks],
        "serial_transform_seconds_per_rank": [r["transform_seconds"] for r in ranks],
        "integrate_seconds": integrate_seconds,
        "local_work_seconds": integrate_seconds - transpose,
    }
    grid_text = "x".join(map(str, decomposition.process_grid))
    report.lines.insert(2, f"  distributed FFT on {count} rank{'s' if count > 1 else ''}: "
                           f"{decomposition.kind} {grid_text}, {threads} thread"
                           f"{'s' if threads > 1 else ''} per rank, "
                           f"{per_attempt / 2**20:.3g} MiB exchanged per step, "
                           f"{transpose:.2f} s of {integrate_seconds:.2f} s in transposes")
    return report
