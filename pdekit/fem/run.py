"""Running a prepared ``eigen`` case, on every MPI rank.

Rank 0 meshes coarsely and distributes, every rank refines and assembles its part,
SLEPc/MUMPS solve on the distributed matrices. The modes of the last level are written in
2D gathered on rank 0 (one ``.vtu`` per mode, as in a serial run: 2D meshes stay small
and the picture needs every triangle), in 3D as per-rank pieces + ``.pvtu``
(:mod:`pdekit.fem.output.modes3d`; a 3D mesh is never gathered).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.prepare import EigenSetup
from pdekit.fem.output.report import describe, lines, results, richardson_note
from pdekit.fem.solve.study import Level, Solution, StudyOutcome, by_order, run_study
from pdekit.memory import peak_rss_mib
from pdekit.mpi_abort import on_every_rank
from pdekit.output import RunReport
from pdekit.petsc_options import run_options, write_log_view


PI2_SHAPES = ("square", "rectangle", "lshape")
"""Shapes whose eigenvalues read naturally in units of π² (m² + n² on the unit square)."""


def run(setup: EigenSetup, context: Any) -> RunReport:
    """Run the case on this rank; a failure on one rank ends all of them."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD

    def body() -> RunReport:
        report = _run(setup, context, comm)
        peaks = comm.gather(peak_rss_mib(), root=0)  # also the final barrier
        report.results["peak_rss_mib_per_rank"] = peaks
        return report

    return on_every_rank(comm, context, body)


def _run(setup: EigenSetup, context: Any, comm: Any) -> RunReport:
    placed = replace(setup, options=run_options(setup.options, context, comm))
    outcome, solution = run_study(placed, context, comm)  # PETSc's files in the run folder
    write_log_view(setup.options, context)
    with context.phase("output"):
        files = write_modes(setup, context, comm, outcome.final, solution)
    data = mode_data(setup, comm, outcome.final, solution) if context.keep_data else {}
    del solution  # free the last mesh and matrices before plotting
    outcome.compare_with_reference()
    bounds = None
    if setup.case.solver.bounds == "guaranteed":  # one rank (checked in prepare)
        from pdekit.fem.output.bounds_report import run_bounds

        with context.phase("bounds"):
            bounds = run_bounds(setup, context)
    text = lines(setup, outcome, comm.size, context.timings)
    if outcome.is_study and context.is_root and write_convergence_plot(setup, context,
                                                                      outcome):
        files.append("convergence.png")
    if context.is_root and write_weyl_plot(setup, context, outcome.final):
        files.append("weyl.png")
    if bounds is not None:
        from pdekit.fem.output.bounds_report import bounds_lines, plot_bounds

        text += bounds_lines(bounds)
        if context.is_root:
            plot_bounds(context.dir / "bounds.png", bounds, describe(setup, outcome.final))
            files.append("bounds.png")
    summary = results(setup, outcome, comm.size, files)
    if bounds is not None:
        summary["bounds"] = bounds.as_dict()
    return RunReport(summary, text, data)


def mode_gridfunctions(solution: Solution, count: int) -> list[Any]:
    """NGSolve GridFunctions of the first ``count`` computed modes."""
    import ngsolve

    from pdekit.fem.solve.assembly import free_dof_vector_to_gridfunction

    gridfunctions = []
    for vector in solution.vectors[:count]:
        gf = ngsolve.GridFunction(solution.discretization.space)
        free_dof_vector_to_gridfunction(solution.discretization.space, vector, gf)
        gridfunctions.append(gf)
    return gridfunctions


def mode_data(setup: EigenSetup, comm: Any, level: Level, solution: Solution
              ) -> dict[str, Any]:
    """What :class:`pdekit.Result` holds of an eigen run: the eigenvalues, every computed
    mode as an NGSolve GridFunction (with its mesh), and the modes' values at the mesh
    vertices (``modes[i, j]``: mode i at ``points[j]``; ``cells``: triangles in 2D,
    tetrahedra in 3D; gathered on rank 0 in 2D, this rank's part in 3D)."""
    import numpy as np

    from pdekit.fem.output.modes3d import sample_modes_3d
    from pdekit.fem.output.modes_output import gather_samples, sample_modes

    gridfunctions = mode_gridfunctions(solution, len(level.eigenvalues))
    if setup.dim == 3:
        points, cells, values = sample_modes_3d(solution.mesh, gridfunctions, 1)
    else:
        gathered = gather_samples(comm, *sample_modes(solution.mesh, gridfunctions, 1))
        points, cells, values = gathered if gathered is not None else (None, None, None)
        if points is not None:  # one copy of each vertex (sampled once per triangle)
            rows = np.ascontiguousarray(points).view(
                np.dtype((np.void, points.itemsize * points.shape[1]))).ravel()
            _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
            points, cells, values = points[first], inverse.ravel()[cells], values[:, first]
    return {"eigenvalues": np.asarray(level.eigenvalues, dtype=float), "modes": values,
            "points": points, "cells": cells, "mesh": solution.mesh,
            "gridfunctions": gridfunctions}


def write_modes(setup: EigenSetup, context: Any, comm: Any, level: Level,
                solution: Solution) -> list[str]:
    """Sample and write the first modes (.vtu or .pvtu pieces, .pvd, .png).

    Returns
    -------
    list of str
        The names of the files written (empty off rank 0).
    """
    from pdekit.fem.output.modes_output import (gather_samples, multiplicities, normalize_signs,
                                         picture_samples, plot_modes, sample_modes,
                                         write_modes_vtu)
    from pdekit.fem.solve.size_check import auto_subdivision

    output = setup.case.output
    count = min(max(output.modes, output.plot), len(level.eigenvalues))
    if count == 0:
        return []
    gridfunctions = mode_gridfunctions(solution, count)
    subdivision = output.subdivision or auto_subdivision(setup.dim, level.order,
                                                         level.curve_order)
    if setup.dim == 3:
        return write_modes_3d(setup, context, comm, level, solution.mesh, gridfunctions,
                              subdivision)
    gathered = gather_samples(comm, *sample_modes(solution.mesh, gridfunctions, subdivision))
    picture = picture_samples(comm, solution.mesh, gridfunctions[:output.plot], subdivision,
                              setup.dirichlet) if output.plot else None
    if gathered is None:
        return []
    points, triangles, values = gathered
    values = normalize_signs(values)
    multiplicity = multiplicities(count, level.clusters)
    files = []
    if output.modes:
        paths = write_modes_vtu(context.dir, points, triangles, values[:output.modes],
                                level.eigenvalues, multiplicity)
        files += [path.name for path in paths] + ["modes.pvd"]
    if output.plot:
        *samples, outline = picture
        plot_modes(context.dir / "modes.png", *samples, level.eigenvalues, multiplicity,
                   describe(setup, level), over_pi2=setup.case.geometry.shape in PI2_SHAPES,
                   outline=outline)
        files.append("modes.png")
    return files


def write_modes_3d(setup: EigenSetup, context: Any, comm: Any, level: Level, mesh: Any,
                   gridfunctions: list[Any], subdivision: int) -> list[str]:
    """Per-rank pieces + ``.pvtu`` per mode and the slice picture (see
    :mod:`pdekit.fem.output.modes3d`); signs fixed so each mode's largest |u| is positive."""
    import numpy as np

    from pdekit.fem.output.modes3d import (locate_peaks, peaks, plot_slices, sample_modes_3d,
                                    slice_values, write_pieces)
    from pdekit.fem.output.modes_output import multiplicities

    output = setup.case.output
    multiplicity = multiplicities(len(gridfunctions), level.clusters)
    files: list[str] = []
    if output.modes:
        points, tetrahedra, values = sample_modes_3d(mesh, gridfunctions[:output.modes],
                                                     subdivision)
        signs = [np.sign(value) or 1.0 for value, _ in peaks(comm, points, values)]
        files += write_pieces(context.dir, comm, points, tetrahedra,
                              values * np.array(signs)[:, None], level.eigenvalues,
                              multiplicity)
        del points, tetrahedra, values
    if output.plot:
        shown = gridfunctions[:output.plot]
        found = locate_peaks(comm, mesh, shown, subdivision)
        lower, upper = setup.shape.bounds()
        centers = np.array([location for _, location in found])
        slices = slice_values(comm, mesh, shown, centers, lower, upper)
        if slices is not None:
            signs = np.array([np.sign(value) or 1.0 for value, _ in found])
            plot_slices(context.dir / "modes.png", slices * signs[:, None, None, None],
                        centers, lower, upper, level.eigenvalues, multiplicity,
                        describe(setup, level))
            files.append("modes.png")
    return files if context.is_root else []


WEYL_MIN_EIGENVALUES = 10
"""Fewest computed eigenvalues for which the Weyl-law picture is drawn."""


def eigenvalues_below(setup: EigenSetup, level: Level) -> int | None:
    """How many eigenvalues lie below the first computed one: the inertia count below a
    slicing interval, 0 when the shift is below the spectrum of a Hermitian problem,
    otherwise unknown (``None``)."""
    if "below_interval" in level.solver:
        return int(level.solver["below_interval"])
    from pdekit.fem.solve.factorization import shifted_is_spd

    below = shifted_is_spd(setup.case.solver.problem_type == "ghep", setup.target,
                           bool(setup.dirichlet))
    return 0 if below else None


def write_weyl_plot(setup: EigenSetup, context: Any, level: Level) -> bool:
    """The counting function N(λ) against Weyl's two-term law (:mod:`pdekit.fem.solve.weyl`),
    for runs of at least :data:`WEYL_MIN_EIGENVALUES` eigenvalues from a known count;
    ``False`` when not drawn."""
    from pdekit.fem.solve.weyl import Measures, plot_weyl

    below = eigenvalues_below(setup, level)
    if below is None or level.measures is None \
            or len(level.eigenvalues) < WEYL_MIN_EIGENVALUES:
        return False
    plot_weyl(context.dir / "weyl.png", level.eigenvalues, below,
              Measures(**level.measures), f"{describe(setup, level)}\ncounting function "
              "against Weyl's law: a staircase below the curve has lost modes")
    return True


def write_convergence_plot(setup: EigenSetup, context: Any, outcome: StudyOutcome) -> bool:
    """Errors against free dofs, one line per order and compared eigenvalue, observed
    rates and reference slopes; ``False`` when there is nothing to draw (no reference)."""
    from pdekit.fem.solve.convergence import (ErrorSeries, expected_rate,
                                        plot_convergence)

    reference = outcome.reference
    series = []
    for order, rows in by_order(outcome.levels).items():
        for i in range(outcome.compare):
            if reference and i < len(reference) and reference[i] is not None:
                series.append(ErrorSeries(
                    f"p={order} λ{i + 1}", order, [row.ndof for row in rows],
                    [row.errors[i] if row.errors else None for row in rows],
                    [row.rates_h[i] if row.rates_h else None for row in rows]))
    if not series:
        return False
    # the corners' exponent (2D); 3D edge singularities are not predicted
    exponent = (setup.shape.corner_exponent(setup.dirichlet)
                if isinstance(setup.shape, Shape) else None)
    rates = {order: expected_rate(order, exponent) for order in by_order(outcome.levels)}
    note = richardson_note(outcome)
    if exponent is not None and outcome.final.hp_levels:
        note = ("Dashed: the rate of uniform meshes; hp-grading at the singular corners "
                "does better.\n" + note).strip()
    plot_convergence(context.dir / "convergence.png", series,
                     f"{describe(setup, outcome.final)}\nerror vs dofs, "
                     f"{outcome.reference_kind} reference", rates, note)
    return True
