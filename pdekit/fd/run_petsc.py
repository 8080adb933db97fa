"""The run of a ``turing`` case on the petsc backend, on every MPI rank.

The grid is a PETSc DMDA split over the ranks of ``mpiexec`` (or one process);
:func:`pdekit.fd.petsc_ts.solve_petsc` integrates it with PETSc's TS, every rank starting
from its block of the same initial field (:class:`pdekit.fd.initial.InitialData`). Each
rank writes its pieces of the snapshots (:class:`pdekit.fd.pieces.PieceSnapshots`);
rank 0 gathers the final fields and writes ``final_state.npz`` (the fft backend's format:
a restart reads it with any number of ranks), the PNG, the animation and the report.

Failures: PETSc's are collective (:class:`~pdekit.fd.petsc_ts.PetscTSError` on every rank)
and end the run with one message from rank 0 (exit 1; the other ranks exit with the same
code silently); anything raised on some ranks only ends all of them through
:func:`pdekit.mpi_abort.on_every_rank`. Gathering puts the whole u and v on rank 0 (two
grid-sized arrays plus the report's spectrum): the limit of the run's size on rank 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pdekit.errors import NumericalError
from pdekit.fd.initial import Block
from pdekit.fd.pieces import PieceSnapshots
from pdekit.fd.prepare import OPTIONS_SOURCE, TuringSetup
from pdekit.fd.report import turing_report
from pdekit.fd.run import TuringOutcome, output_times, write_fields
from pdekit.memory import peak_rss_mib
from pdekit.mpi_abort import on_every_rank
from pdekit.output import RunContext, RunReport
from pdekit.petsc_options import (remove_options, run_options, unused_options,
                                  write_log_view)
from pdekit.time import AdaptiveStats


def run(setup: TuringSetup, context: RunContext) -> RunReport:
    """Integrate the case on this rank; a failure on one rank ends all of them."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    comm.Barrier()  # rank 0 has made the run folder (RunContext.prepare): pieces may go in
    return on_every_rank(comm, context, lambda: _run(setup, context, comm))


def block_of(index_arrays: tuple[np.ndarray, ...]) -> Block:
    """The (start, stop) per axis of a block given by its global index arrays."""
    return tuple((int(a.min()), int(a.max()) + 1) for a in index_arrays)


def _terms(setup: TuringSetup) -> tuple[tuple[float, float], Any, Any]:
    """Diffusion coefficients, reaction and its Jacobian for ``model.terms``."""
    model, terms = setup.model, setup.case.model.terms
    diffusion = (0.0, 0.0) if terms == "reaction" else model.diffusion
    if terms == "diffusion":
        return (diffusion, lambda u, v: (np.zeros_like(u), np.zeros_like(v)),
                lambda u, v: (0.0, 0.0, 0.0, 0.0))
    return diffusion, model.reaction, model.jacobian_entries


def _options(setup: TuringSetup) -> list[tuple[str, str | None]]:
    """The options put into PETSc's database: pdekit's step limit, then the user's."""
    time = setup.case.time
    ours = []
    if time.adaptive:
        ours.append(("ts_adapt_dt_max", repr(time.dt_max or (time.T - setup.t0) / 20)))
    return ours + list(setup.petsc_options)


def _run(setup: TuringSetup, context: RunContext, comm: Any) -> RunReport:
    from petsc4py import PETSc

    from pdekit.fd.petsc_grid import gather_to_root
    from pdekit.fd.petsc_ts import PetscTSError, solve_petsc

    case, grid = setup.case, setup.grid
    t0, t_end = setup.t0, case.time.T
    with context.phase("setup"):
        diffusion, reaction, jacobian = _terms(setup)
        options = run_options(_options(setup), context, comm)  # files in the run folder
        database = PETSc.Options()
        for name, value in options:
            database.setValue(name, "" if value is None else value)
        snapshots = PieceSnapshots(context.dir, grid, comm, case.output.vtk,
                                   case.output.animation != "none")
        initial = setup.initial
        assert initial is not None  # prepare builds it for the petsc backend
    memory_after_setup = peak_rss_mib()
    bar = context.progress(t_end - t0, f"turing {case.time.method} (petsc, {comm.size} "
                                       f"rank{'s' if comm.size > 1 else ''})", unit="t",
                           time_steps=True, start=t0)
    try:
        with context.phase("integrate"):
            result = solve_petsc(
                grid.shape, grid.lengths, grid.boundary, diffusion, reaction, jacobian,
                lambda index: initial.fields(block_of(index)), t0, t_end, setup.dt,
                case.time.tolerance if case.time.adaptive else None,
                method=case.time.method,
                output_times=output_times(t0, t_end, case.output.every),
                on_output=snapshots, output_overlap=True, comm=PETSc.COMM_WORLD,
                progress=lambda t, dt, steps: bar.update(dt))
        unused = unused_options([name for name, _ in setup.petsc_options])
    except PetscTSError as error:
        raise NumericalError(str(error), {"t": error.t, "dt": error.dt, "reason": error.reason,
                                          "ranks": comm.size}, collective=True) from None
    finally:
        bar.close()
        remove_options(database, [name for name, _ in options])
    write_log_view(setup.petsc_options, context)
    with context.phase("output"):
        fields = gather_to_root([result.u, result.v], result.ranges, grid.shape, comm)
        files = []
        if fields is not None:
            files = write_fields(setup, context.dir, fields[0], fields[1], result.t_final,
                                 snapshots)
    peaks = comm.gather(peak_rss_mib(), root=0)
    if fields is None:
        return RunReport({}, [])
    stats = (AdaptiveStats(result.steps, result.rejected, result.dt_min, result.dt_max)
             if case.time.adaptive else None)
    outcome = TuringOutcome(fields[0], fields[1], 2 * fields[0].nbytes, result.steps,
                            result.t_final, stats, files, memory_after_setup)
    report = turing_report(setup, outcome, context)
    return petsc_report(report, result, comm.size, peaks, unused or [])


def petsc_report(report: RunReport, result: Any, ranks: int, peaks: list[float],
                 unused: list[str]) -> RunReport:
    """Add the PETSc solver's numbers, the rank count and memory per rank to a report."""
    report.results["ranks"] = ranks
    report.results["grid"]["backend"] = "petsc"
    report.results["memory"]["peak_rss_mb_per_rank"] = peaks
    report.results["petsc"] = {
        "ts_type": result.ts_type, "scheme": result.scheme, "ksp_type": result.ksp_type,
        "pc_type": result.pc_type, "steps": result.steps, "rejected_steps": result.rejected,
        "nonlinear_iterations": result.nonlinear_iterations,
        "linear_iterations": result.linear_iterations, "defaults": result.options,
        "unused_options": ["-" + name for name in unused]}
    report.lines.insert(2, f"  PETSc TS {result.ts_type} ({result.scheme}) on {ranks} "
                           f"rank{'s' if ranks > 1 else ''}: {result.ksp_type} + "
                           f"{result.pc_type}, {result.linear_iterations} linear iterations, "
                           f"{result.rejected} rejected steps")
    if unused:
        report.lines.append(f"  warning: PETSc never read {', '.join('-' + n for n in unused)}"
                            f" ({OPTIONS_SOURCE}; misspelled or not applicable?)")
    return report
