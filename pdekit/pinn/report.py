"""The results of a ``poisson-pinn`` run: ``summary.json`` data and the terminal lines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pdekit.output import RunReport

if TYPE_CHECKING:
    from pdekit.pinn.prepare import PreparedPinn
    from pdekit.pinn.build import Built
    from pdekit.pinn.training import StageReport, Trainer


def report(prepared: "PreparedPinn", built: "Built", trainer: "Trainer",
           stages: list["StageReport"], u: np.ndarray, residual: np.ndarray,
           files: list[str], train_time: float, final_loss: float | None = None
           ) -> RunReport:
    """Errors, final loss, network and stage statistics, and a few lines for the terminal.

    ``final_loss``: the loss at the trained weights (default: evaluated here; under MPI it
    is a sum over the ranks, so the run computes it on every rank beforehand)."""
    case, model, loss = prepared.case, built.model, built.loss
    errors = built.evaluator.errors()
    final_loss = trainer.loss() if final_loss is None else final_loss
    problem = case.problem
    results: dict[str, Any] = {
        "problem": {"dim": prepared.dim, "bounds": prepared.bounds, "exact": problem.exact,
                    "forcing": problem.forcing or "Laplacian of exact (autodiff)",
                    "boundary": problem.boundary or "exact",
                    "boundary_treatment": case.loss.boundary,
                    **_domain(prepared)},
        "network": {**model.architecture(), "parameters": model.n_params},
        "points": {"interior": case.points.interior,
                   "boundary": loss.n_residuals - case.points.interior,
                   "residuals": loss.n_residuals},
        "evaluation_grid": {"points_per_axis": len(prepared.axes[0]),
                            "points": int(prepared.inside.size),
                            "points_inside": int(u.size)},
        "rel_l2_error": errors["rel_l2"] if errors else None,
        "max_error": errors["max_abs"] if errors else None,
        "final_loss": final_loss,
        "pde_residual_rms": _finite_or_none(_rms(residual)),
        "train_time": train_time,
        "stages": [s.as_dict() for s in stages],
        "files": files,
    }
    lines = [f"Trained a {model.dim}D Poisson PINN ({model.depth}x{model.width} "
             f"{model.activation_name}, {model.n_params} weights, {loss.n_residuals} residuals, "
             f"{case.loss.boundary} boundary) in {train_time:.1f} s: loss {final_loss:.3e}"]
    for i, s in enumerate(stages, 1):
        counts = ", ".join(f"{n} {k}" for k, n in (("HVPs", s.hvps), ("Jacobians", s.jacobians),
                                                  ("gradients", s.gradients)) if n)
        lines.append(f"  stage {i} {s.method}: {s.iterations} it, {s.wall_time:.1f} s, loss "
                     f"{s.loss_start:.3e} -> {s.loss_end:.3e}"
                     + (f" ({counts})" if counts else "") + f"; {s.message}")
    if errors:
        where = "" if prepared.domain is None else f" ({u.size} points inside the domain)"
        lines.append(f"  relative L2 error {errors['rel_l2']:.3e}, max error "
                     f"{errors['max_abs']:.3e} on a {len(prepared.axes[0])}^{model.dim} grid"
                     + where)
    return RunReport(results, lines)


def hessian_line(hessian: dict[str, Any]) -> str:
    """The terminal line of ``[analysis] hessian``."""
    gn = hessian["gauss_newton"]
    condition = hessian["condition_number"]
    return (f"  Hessian eigenvalues [{hessian['eigenvalue_min']:.3e}, "
            f"{hessian['eigenvalue_max']:.3e}]"
            + (f", condition {condition:.3e}" if condition else " (not positive definite)")
            + f"; Gauss-Newton condition {gn['condition_number'] or float('nan'):.3e} "
              f"({hessian['time']:.1f} s)")


def figure_title(prepared: "PreparedPinn", parameters: int,
                 stages: list["StageReport"]) -> str:
    """What ran, for the plots: case, PDE and domain, network and points, stages done."""
    case = prepared.case
    domain = (case.domain.shape if case.domain.shape
              else " × ".join(f"[{a:g}, {b:g}]" for a, b in prepared.bounds))
    problem = case.problem
    data = (f"exact u = {problem.exact}" if problem.exact else f"f = {problem.forcing}")
    net, points = case.network, case.points
    training = " → ".join(f"{s.method} {s.iterations} it" for s in stages) or "none"
    return (f"{case.name}: Δu = f on {domain}, {data}\n"
            f"network {net.depth}×{net.width} {net.activation} ({parameters} weights, "
            f"{net.dtype}), {points.interior} {points.sampler} points, {case.loss.boundary} "
            f"boundary\nstages: {training}")


def _domain(prepared: "PreparedPinn") -> dict[str, Any]:
    """The domain's shape and the condition of each boundary part (general domains)."""
    if prepared.domain is None:
        return {}
    conditions = {name: {"type": c.kind, "value": c.value.text if c.value else "from exact",
                         **({"coefficient": c.coefficient} if c.kind == "robin" else {})}
                  for name, c in prepared.conditions.items()}
    return {"shape": prepared.case.domain.shape or "box", "boundary_parts": conditions}


def _rms(values: np.ndarray) -> float:
    """Root mean square over the finite values (the residual of the distance-function
    ansatz is not defined at a few boundary kinks)."""
    finite = values[np.isfinite(values)]
    return float(np.sqrt(np.mean(finite**2))) if finite.size else math.nan


def _finite_or_none(value: float) -> float | None:
    """``value``, or None when it is not finite (JSON has no inf/NaN)."""
    return value if math.isfinite(value) else None
