"""Run a prepared ``poisson-pinn`` case: build the network and loss, train, write outputs.

Imports TensorFlow (through the numerics modules); :mod:`pdekit.pinn.plugin` imports this
module only when a case runs.
"""

from __future__ import annotations

import csv

import numpy as np

from pdekit.errors import NumericalError
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit import hvp as H
from pdekit.pinn.analysis import analyze, save_spectrum
from pdekit.pinn.build import Built, build
from pdekit.pinn.parallel import Reducer, shares, world
from pdekit.pinn.plots import save_history, save_residual, save_solution
from pdekit.pinn.prepare import PreparedPinn
from pdekit.pinn.report import figure_title, hessian_line, report
from pdekit.pinn.training import HISTORY_COLUMNS, StageReport, Trainer


def run(prepared: PreparedPinn, context: RunContext) -> RunReport:
    """Train the network stage by stage, evaluate it and write the outputs.

    Interrupted (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the CLI) or stopped by
    a non-finite loss, the run first writes the weights and the history so far. Under
    mpiexec the points are split over the ranks (:mod:`pdekit.pinn.parallel`), rank 0
    evaluates and writes, and a failure on one rank ends them all.
    """
    reducer = world()
    if reducer.size == 1:
        return _run(prepared, context, reducer)
    from pdekit.mpi_abort import on_every_rank

    return on_every_rank(reducer.comm, context, lambda: _run(prepared, context, reducer))


def _run(prepared: PreparedPinn, context: RunContext, reducer: Reducer) -> RunReport:
    case = prepared.case
    for note in prepared.warnings:  # exact solution against the data (prepare measured it)
        context.log(f"pdekit: warning: {note}")
    with context.phase("setup"):
        built = build(prepared, reducer)
        trainer = Trainer(built.loss, built.evaluator, context.progress, reducer,
                          case.parallel.normal_equations)
    with context.phase("train"):
        try:
            stages = trainer.run(case.training.stages)
        except (KeyboardInterrupt, NumericalError):
            if reducer.is_root:
                save_training(prepared, context, built, trainer)
            raise
    final_loss = trainer.loss()
    parallel = {"ranks": reducer.size,
                "interior_points_per_rank": shares(len(prepared.interior), reducer.size),
                "identical_weights": reducer.weights_agree(H.get_flat(trainer.variables)
                                                           .numpy())}
    if not parallel["identical_weights"]:
        raise NumericalError("the ranks' weights differ after training (a reduction was "
                             "not deterministic)", parallel, collective=True)
    spectrum = None
    if case.analysis.hessian:
        with context.phase("hessian"):
            spectrum = analyze(trainer, case.analysis.lanczos_steps)
    if not reducer.is_root:
        return RunReport({}, [])
    with context.phase("output"):
        u, residual = built.evaluator.solution()
        files = save_training(prepared, context, built, trainer)
        files += write_outputs(prepared, context, built, trainer, stages, u, residual)
        if spectrum is not None and case.output.png:
            save_spectrum(spectrum[0], spectrum[1],
                          figure_title(prepared, built.model.n_params, stages),
                          context.dir / "hessian.png")
            files.append("hessian.png")
    result = report(prepared, built, trainer, stages, u, residual, files,
                    context.timings.get("train", 0.0), final_loss)
    result.results["parallel"] = parallel
    result.results["warnings"] = list(prepared.warnings)
    result.results["ranks"] = reducer.size
    if spectrum is not None:
        result.results["hessian"] = spectrum[0]
        result.lines.append(hessian_line(spectrum[0]))
    if context.keep_data:
        from pdekit.pinn.solution import TrainedSolution

        fields = evaluation_fields(prepared, built, u, residual)
        result.data.update(model=TrainedSolution(built.model, built.problem,
                                                 case.loss.boundary == "hard"),
                           u=fields["u"], exact=fields.get("exact"),
                           residual=fields["pde_residual"], axes=list(prepared.axes),
                           history=list(trainer.history))
    return result


def save_training(prepared: PreparedPinn, context: RunContext, built: Built,
                  trainer: Trainer) -> list[str]:
    """The weights (``weights.npz``) and the training history (``history.csv``)."""
    folder = context.dir
    built.model.save(folder / "weights.npz", boundary=prepared.case.loss.boundary,
                     bounds=np.array(prepared.bounds))
    with (folder / "history.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=HISTORY_COLUMNS)
        writer.writeheader()
        writer.writerows(trainer.history)
    return ["weights.npz", "history.csv"]


def evaluation_fields(prepared: PreparedPinn, built: Built, u: np.ndarray,
                      residual: np.ndarray) -> dict[str, np.ndarray]:
    """u, exact, error, pde_residual (and the domain's mask) on the evaluation grid over
    the bounding box, NaN outside the domain."""
    inside = prepared.inside
    shape = [len(a) for a in prepared.axes]

    def on_grid(values: np.ndarray) -> np.ndarray:
        full = np.full(len(inside), np.nan)
        full[inside] = values
        return full.reshape(shape)

    fields = {"u": on_grid(u)}
    exact = built.evaluator.exact
    if exact is not None:
        fields["exact"] = on_grid(exact)
        fields["error"] = on_grid(u - exact)
    fields["pde_residual"] = on_grid(residual)
    if prepared.domain is not None:
        fields["mask"] = inside.reshape(shape).astype(np.float64)
    return fields


def write_outputs(prepared: PreparedPinn, context: RunContext, built: Built, trainer: Trainer,
                  stages: list[StageReport], u: np.ndarray, residual: np.ndarray
                  ) -> list[str]:
    """Evaluation fields (npz, VTK) and plots; returns the file names.

    The fields cover the evaluation grid over the bounding box, NaN outside the domain;
    ``mask`` (1 inside, 0 outside) is written with them on a general domain.
    """
    case, folder, axes = prepared.case, context.dir, prepared.axes
    fields = evaluation_fields(prepared, built, u, residual)
    np.savez(folder / "evaluation.npz", **fields,
             **{f"axis_{'xyz'[i]}": a for i, a in enumerate(axes)})
    files = ["evaluation.npz"]
    if case.output.vtk:
        series = PVDSeries(folder / "solution.pvd")
        write_vti(folder / "solution.vti", [a[0] for a in axes], [a[1] - a[0] for a in axes],
                  fields)
        series.add(0.0, folder / "solution.vti")
        files += ["solution.pvd", "solution.vti"]
    if case.output.png:
        title = figure_title(prepared, built.model.n_params, stages)
        outline = prepared.domain
        save_solution(axes, fields["u"], fields.get("exact"), title, folder / "solution.png",
                      outline)
        save_residual(axes, fields["pde_residual"], title, folder / "residual.png", outline)
        files += ["solution.png", "residual.png"]
        if save_history(trainer.history, title, folder / "history.png") is not None:
            files.append("history.png")  # none for an evaluation of saved weights
    return files
