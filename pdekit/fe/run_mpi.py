"""The run of a ``turing`` case on a ``[domain]`` under ``mpiexec``, on every rank.

Rank 0 meshes, assembles M and K and evaluates the initial fields at every node (as a
serial run does); :func:`pdekit.fe.distribute.scatter_problem` gives each rank its slab of
rows. Each rank then integrates its block of [u; v] with the serial integrators
(:mod:`pdekit.fe.steppers`) on a :class:`pdekit.fe.petsc_operator.DistributedOperator`
(PETSc matrices; MUMPS Cholesky, or CG + GAMG on solids): the reaction is evaluated on
the rank's own nodes, and the step controller and the blow-up check reduce their norms
over the ranks, so every rank takes the same steps. Snapshots are per-rank ``.vtu``
pieces with a ``.pvtu`` each and a live ``fields.pvd``
(:class:`pdekit.fe.pieces.PieceSnapshots`). At the end the state is gathered on rank 0,
which writes ``final_state.npz`` (the serial format: a restart reads it on any number of
ranks), analyses the domain's modes, draws ``fields.png`` and reports (``ranks`` and the
linear solver in ``summary.json``).

Failures: a NaN/Inf or a collapsed adaptive step is found by all ranks together and ends
the run with one message (exit 1); anything raised on some ranks only ends all of them
through :func:`pdekit.mpi_abort.on_every_rank`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pdekit.errors import NumericalError
from pdekit.fd.build import reaction_rhs
from pdekit.fd.run import output_times
from pdekit.fe.assembly import assemble
from pdekit.fe.distribute import Part, gather_state, scatter_problem
from pdekit.fe.initial import initial_fields
from pdekit.fe.meshing import make_mesh
from pdekit.fe.methods import FE_METHODS
from pdekit.fe.petsc_operator import CG_RTOL, DistributedOperator
from pdekit.fe.pieces import PieceSnapshots
from pdekit.fe.prepare import FESetup
from pdekit.fe.report import FEOutcome, fe_report, run_title
from pdekit.fe.run import NodeFields, mesh_facts, save_png, stability, write_state
from pdekit.fe.steppers import make_fe_attempt, make_fe_stepper
from pdekit.memory import peak_rss_mib
from pdekit.mpi_abort import on_every_rank
from pdekit.output import RunContext, RunReport
from pdekit.time import integrate, integrate_adaptive
from pdekit.time.distributed import global_max
from pdekit.time.problem import no_nonlinearity


def run(setup: FESetup, context: RunContext) -> RunReport:
    """Integrate the case on this rank; a failure on one rank ends all of them."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    comm.Barrier()  # rank 0 has made the run folder (RunContext.prepare): pieces may go in
    return on_every_rank(comm, context, lambda: _run(setup, context, comm))


def rank_zero_problem(setup: FESetup) -> tuple[Any, NodeFields, dict[str, Any],
                                               tuple[np.ndarray, np.ndarray]]:
    """Rank 0's mesh and assembly: the discretization, its node fields, the mesh facts
    and the initial (u, v) at every node."""
    case, domain = setup.case, setup.case.domain
    mesh, curve = make_mesh(setup.shape, domain, setup.dirichlet)
    disc = assemble(mesh, domain.order, setup.surface, setup.dirichlet, domain.lumped)
    fields = NodeFields(disc, setup.steady or (0.0, 0.0))
    nodes = initial_fields(case.initial, disc.nodes, setup.steady, setup.restart)
    return disc, fields, mesh_facts(disc, mesh, curve), nodes


def linear_method(setup: FESetup) -> str:
    """``"cg"`` (CG + GAMG) on solids, ``"cholesky"`` (MUMPS) on 2D domains and surfaces
    (:mod:`pdekit.fe.petsc_operator` says why)."""
    return "cg" if not setup.surface and setup.dimension == 3 else "cholesky"


def distributed_operator(setup: FESetup, comm: Any, part: Part
                         ) -> tuple[DistributedOperator, Any]:
    """The operator on this rank's rows and the reaction on its nodes."""
    model, terms = setup.model, setup.case.model.terms
    diffusion = (0.0, 0.0) if terms == "reaction" else model.diffusion
    op = DistributedOperator(comm, part, diffusion, setup.steady or (0.0, 0.0),
                             linear_method(setup))
    nonlinear = no_nonlinearity if terms == "diffusion" else reaction_rhs(model, part.n)
    return op, nonlinear


def integrate_part(setup: FESetup, context: RunContext, comm: Any, part: Part
                   ) -> tuple[np.ndarray, int, float, Any, int, dict[str, Any]]:
    """Integrate this rank's block (collective).

    Returns
    -------
    w, steps, t_final, stats, factorizations, solver
        The final block, accepted steps, time reached, the controller's statistics (or
        None), the shifted matrices set up and what solved them.
    """
    case, method = setup.case, setup.case.time.method
    t0, t_end = setup.t0, case.time.T
    with context.phase("setup"):
        op, nonlinear = distributed_operator(setup, comm, part)
        snapshots = PieceSnapshots(context.dir, comm, part, setup.steady or (0.0, 0.0)) \
            if case.output.vtk else None
    times = output_times(t0, t_end, case.output.every) if snapshots else ()
    bar = context.progress(t_end - t0, f"turing {method} ({setup.model.name}) on "
                           f"{case.domain.shape}, {comm.size} ranks", unit="t",
                           time_steps=True, start=t0)
    reduce_max = global_max(comm)
    stats = None
    try:
        with context.phase("integrate"):
            if case.time.adaptive:
                dt_max = case.time.dt_max or (t_end - t0) / 20
                low_order = FE_METHODS.capabilities(method).embedded_order
                w, stats = integrate_adaptive(
                    make_fe_attempt(method, op, nonlinear), part.w0, t0, t_end, setup.dt,
                    case.time.tolerance, dt_max, low_order=low_order, output_times=times,
                    on_output=snapshots, progress=bar, reduce_max=reduce_max,
                    growth_limit=case.time.step_growth)
                steps, t_final = stats.accepted, t_end
            else:
                w, steps = integrate(make_fe_stepper(method, op, nonlinear, setup.dt),
                                     part.w0, t0, t_end, setup.dt, times, snapshots, bar,
                                     check_every=10, reduce_max=reduce_max)
                t_final = t0 + steps * setup.dt
    except NumericalError as error:  # found by every rank at once: one message
        raise NumericalError(str(error), {**getattr(error, "data", {}), "ranks": comm.size},
                             collective=True) from None
    finally:
        bar.close()
    solver = {"method": "MUMPS Cholesky"} if op.method == "cholesky" else \
        {"method": "CG + GAMG", "rtol": CG_RTOL, "iterations": op.iterations}
    return w, steps, t_final, stats, op.factorizations, solver


def _run(setup: FESetup, context: RunContext, comm: Any) -> RunReport:
    case = setup.case
    root = comm.rank == 0
    with context.phase("setup"):
        disc, fields, facts, nodes = rank_zero_problem(setup) if root else (None,) * 4
        part, order = scatter_problem(comm, disc, nodes)
    memory_after_setup = peak_rss_mib()
    w, steps, t_final, stats, factorizations, solver = integrate_part(setup, context, comm,
                                                                      part)
    whole = gather_state(comm, w, order)
    ranks = comm.gather({"rows": part.n, "cells": len(part.piece.cells),
                         "peak_rss_mb": peak_rss_mib()}, root=0)
    if not root:
        return RunReport({}, [])
    assert whole is not None and fields is not None
    u, v = fields.vertices(whole)
    u_nodes, v_nodes = fields.nodes(whole)
    with context.phase("stability"):
        report_stability = stability(setup, disc, u_nodes[disc.free], facts)
    files = ["final_state.npz"] + (["fields.pvd"] if case.output.vtk else [])
    with context.phase("output"):
        write_state(context.dir, setup, fields, whole, t_final)
        if case.output.png:
            save_png(disc, u_nodes, v_nodes, run_title(setup, facts, t_final),
                     context.dir / "fields.png")
            files.append("fields.png")
    outcome = FEOutcome(u, v, facts, steps, t_final, stats, report_stability,
                        factorizations, files, memory_after_setup)
    report = fe_report(setup, outcome, context)
    report.results["ranks"] = comm.size
    report.results["per_rank"] = ranks
    report.results["time"]["linear_solver"] = solver
    report.lines.append(f"  split over {comm.size} ranks: "
                        f"{', '.join(str(r['rows']) for r in ranks)} free dofs per species")
    if context.keep_data:
        report.data.update(u=u, v=v, t=t_final, points=disc.vertices,
                           triangles=disc.triangles, tetrahedra=disc.tetrahedra,
                           nodes=disc.nodes, u_nodes=u_nodes, v_nodes=v_nodes)
    return report
