"""Run a ``poisson-pinn`` case: build, train, evaluate, write (imports TensorFlow)."""

from __future__ import annotations

import csv
from typing import Any

import numpy as np

from pdekit.cases import Case
from pdekit.output import PVDSeries, RunContext, RunReport, write_vti
from pdekit.pinn import points as pts
from pdekit.pinn.case import bounds_of, weights_path
from pdekit.pinn.network import MLP
from pdekit.pinn.plots import save_fields, save_history
from pdekit.pinn.residuals import Evaluator, PoissonLoss, PoissonProblem
from pdekit.pinn.training import Trainer


def build(case: Case) -> tuple[PoissonProblem, MLP, PoissonLoss, Evaluator, list[np.ndarray]]:
    """Problem, network (with loaded weights), loss and evaluator of a validated case."""
    bounds = bounds_of(case)
    dim = len(bounds)
    problem = PoissonProblem(bounds, case["problem.exact"], case["problem.forcing"],
                             case["problem.boundary"], case["problem.parameters"])
    model = MLP(dim, case["network.width"], case["network.depth"], case["network.activation"],
                case["network.dtype"], case["network.seed"])
    path = weights_path(case)
    if path is not None:
        model.load_weights(path)
    seed = case["points.seed"]
    interior = pts.interior_points(bounds, case["points.interior"], case["points.sampler"], seed)
    boundary = pts.boundary_points(bounds, case["points.boundary"],
                                   case["points.boundary_sampler"], seed)
    hard = case["loss.boundary"] == "hard"
    loss = PoissonLoss(model, problem, interior, boundary, case["loss.penalty"], hard)
    n_eval = case["evaluation.n"] or (2001 if dim == 1 else 201)
    axes, grid = pts.evaluation_grid(bounds, n_eval)
    evaluator = Evaluator(model, problem, grid, hard)
    return problem, model, loss, evaluator, axes


def solve(case: Case, context: RunContext) -> RunReport:
    """Train the network of ``case`` stage by stage; write weights, fields, plots, history."""
    with context.phase("setup"):
        problem, model, loss, evaluator, axes = build(case)
        trainer = Trainer(loss, evaluator, context.progress)
    stages = case["training.stages"]
    with context.phase("train"):
        reports = trainer.run(stages)
    with context.phase("output"):
        files = _write_outputs(case, context, problem, model, loss, evaluator, axes, trainer)
    u, residual = evaluator.solution()
    errors = evaluator.errors()
    bounds = bounds_of(case)
    final_loss = trainer.loss()
    results: dict[str, Any] = {
        "problem": {"dim": len(bounds), "bounds": bounds, "exact": case["problem.exact"],
                    "forcing": case["problem.forcing"] or "Laplacian of exact (autodiff)",
                    "boundary": case["problem.boundary"] or "exact",
                    "boundary_treatment": case["loss.boundary"]},
        "network": {**model.architecture(), "parameters": model.n_params},
        "points": {"interior": case["points.interior"], "boundary": loss.n_residuals
                   - case["points.interior"], "residuals": loss.n_residuals},
        "evaluation_grid": {"points_per_axis": len(axes[0]), "points": int(u.size)},
        "rel_l2_error": errors["rel_l2"] if errors else None,
        "max_error": errors["max_abs"] if errors else None,
        "final_loss": final_loss,
        "pde_residual_rms": _finite_or_none(float(np.sqrt(np.mean(residual**2)))),
        "train_time": context.timings.get("train", 0.0),
        "stages": [r.as_dict() for r in reports],
        "files": files,
    }
    lines = [f"Trained a {model.dim}D Poisson PINN ({model.depth}x{model.width} "
             f"{model.activation_name}, {model.n_params} weights, {loss.n_residuals} residuals, "
             f"{case['loss.boundary']} boundary) in {results['train_time']:.1f} s: "
             f"loss {final_loss:.3e}"]
    for i, r in enumerate(reports, 1):
        counts = ", ".join(f"{n} {k}" for k, n in (("HVPs", r.hvps), ("Jacobians", r.jacobians),
                                                  ("gradients", r.gradients)) if n)
        lines.append(f"  stage {i} {r.method}: {r.iterations} it, {r.wall_time:.1f} s, loss "
                     f"{r.loss_start:.3e} -> {r.loss_end:.3e}" + (f" ({counts})" if counts
                                                                    else "")
                     + f"; {r.message}")
    if errors:
        lines.append(f"  relative L2 error {errors['rel_l2']:.3e}, max error "
                     f"{errors['max_abs']:.3e} on a {len(axes[0])}^{model.dim} grid")
    return RunReport(results, lines)


def _finite_or_none(value: float) -> float | None:
    """``value``, or None when it is not finite (JSON has no inf/NaN)."""
    return value if np.isfinite(value) else None


def _write_outputs(case: Case, context: RunContext, problem: PoissonProblem, model: MLP,
                   loss: PoissonLoss, evaluator: Evaluator, axes: list[np.ndarray],
                   trainer: Trainer) -> list[str]:
    folder = context.dir
    model.save(folder / "weights.npz", boundary=case["loss.boundary"],
               bounds=np.array(bounds_of(case)))
    files = ["weights.npz", "history.csv"]
    with (folder / "history.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["iteration", "stage", "method", "time",
                                                    "loss", "rel_l2", "max_abs"])
        writer.writeheader()
        writer.writerows(trainer.history)
    u, residual = evaluator.solution()
    shape = [len(a) for a in axes]
    fields = {"u": u.reshape(shape)}
    if evaluator.exact is not None:
        fields["exact"] = evaluator.exact.reshape(shape)
        fields["error"] = (u - evaluator.exact).reshape(shape)
    fields["pde_residual"] = residual.reshape(shape)
    np.savez(folder / "evaluation.npz", **{k: v for k, v in fields.items()},
             **{f"axis_{'xy'[i]}": a for i, a in enumerate(axes)})
    files.append("evaluation.npz")
    if case["output.vtk"]:
        series = PVDSeries(folder / "solution.pvd")
        origin = [a[0] for a in axes]
        spacing = [a[1] - a[0] for a in axes]
        write_vti(folder / "solution.vti", origin, spacing, fields)
        series.add(0.0, folder / "solution.vti")
        files += ["solution.pvd", "solution.vti"]
    if case["output.png"]:
        title = f"{case.name}: {model.dim}D Poisson PINN"
        shown = {k: v for k, v in fields.items() if k != "pde_residual"}
        save_fields(axes, shown, title, folder / "solution.png")
        save_fields(axes, {"PDE residual Lap(u) - f": fields["pde_residual"]}, title,
                    folder / "residual.png")
        save_history(trainer.history, folder / "history.png", title)
        files += ["solution.png", "residual.png", "history.png"]
    return files
