"""The Hessian made visible: the loss Hessian's extreme eigenvalues and the Gauss-Newton
spectrum at the trained weights (``[analysis] hessian = true``).

- Loss Hessian ``∇²|r|^2``: its smallest and largest eigenvalues by Lanczos with full
  reorthogonalization (:func:`pdekit.optim.spectra.lanczos`, both ends) on Hessian-vector
  products of :mod:`pdekit.hvp`, summed over the MPI ranks; the condition number
  ``lambda_max / lambda_min`` when the Hessian is positive definite (else None: a saddle or
  a flat direction, reported by the sign of ``lambda_min``).
- Gauss-Newton matrix ``J^T J``: all its eigenvalues (``P x P``, summed over ranks;
  ``2 J^T J`` is the Hessian without the residual-curvature term), their condition number
  and a plot of the spectrum with the Hessian's extreme eigenvalues (``hessian.png``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from pdekit.optim.objective import Objective
from pdekit.optim.spectra import lanczos
from pdekit.pinn.training import Trainer


def hessian_extremes(trainer: Trainer, steps: int, seed: int = 0) -> dict[str, Any]:
    """Smallest and largest eigenvalue of the loss Hessian at the current weights.

    Returns ``{"min", "max", "residual_norms", "lanczos_steps", "hvps"}``; on a small
    network (``steps >= n``) Lanczos spans the whole space and the values are exact to
    round-off.
    """
    objective = trainer.reducer.distribute(Objective(trainer.problem.loss, trainer.variables))
    x = objective.x0()
    result = lanczos(lambda v: objective.hvp(x, v), objective.n, k=2, which="BE",
                     steps=steps, dtype=trainer.dtype, seed=seed)
    objective.set(x)
    low, high = (float(v) for v in result.eigenvalues)
    return {"min": low, "max": high, "residual_norms": result.residual_norms.tolist(),
            "lanczos_steps": result.steps, "hvps": objective.nhvp}


def gauss_newton_eigenvalues(trainer: Trainer) -> np.ndarray:
    """All eigenvalues of ``J^T J`` (ascending), ``J`` the residual Jacobian over all ranks."""
    _, J = trainer.residual_and_jacobian()
    J = J.numpy().astype(float)
    return np.linalg.eigvalsh(trainer.reducer.sum(J.T @ J))


def analyze(trainer: Trainer, steps: int) -> tuple[dict[str, Any], np.ndarray]:
    """The summary entry ``hessian`` (timed) and the Gauss-Newton eigenvalues (for the plot)."""
    start = time.perf_counter()
    extremes = hessian_extremes(trainer, steps)
    low, high = extremes["min"], extremes["max"]
    gn = gauss_newton_eigenvalues(trainer)
    positive = gn[gn > 0]
    summary = {
        "eigenvalue_min": low, "eigenvalue_max": high,
        "condition_number": high / low if low > 0 else None,
        "positive_definite": low > 0,
        "lanczos": {k: extremes[k] for k in ("residual_norms", "lanczos_steps", "hvps")},
        "gauss_newton": {
            "eigenvalue_max": float(gn[-1]) if gn.size else None,
            "eigenvalue_min": float(gn[0]) if gn.size else None,
            "condition_number": (float(positive[-1] / positive[0]) if positive.size
                                 else None),
            "eigenvalues": gn[::-1].tolist(),
            "note": "eigenvalues of J^T J, largest first; the loss Hessian is 2 J^T J plus "
                    "the residual-curvature term",
        },
    }
    summary["time"] = time.perf_counter() - start
    return summary, gn


def save_spectrum(summary: dict[str, Any], gn: np.ndarray, title: str, path: Path) -> None:
    """``hessian.png``: the Gauss-Newton eigenvalues ``2 lambda(J^T J)`` by index (log
    scale) with the loss Hessian's extreme eigenvalues as lines."""
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()
    figure, axis = plt.subplots(figsize=(7, 4.5))
    values = 2.0 * gn[::-1]
    index = np.arange(1, len(values) + 1)
    axis.semilogy(index, np.where(values > 0, values, np.nan), ".", ms=3,
                  label="Gauss-Newton 2 J^T J")
    high, low = summary["eigenvalue_max"], summary["eigenvalue_min"]
    axis.axhline(abs(high), color="C1", label=f"Hessian λ_max = {high:.3e}")
    axis.axhline(max(abs(low), 1e-300), color="C3", ls="--",
                 label=f"Hessian λ_min = {low:.3e}" + ("" if low > 0 else " (|λ| shown)"))
    axis.set_xlabel("index")
    axis.set_ylabel("eigenvalue")
    axis.set_title(title, fontsize=8)
    axis.legend(fontsize=8)
    save_figure(figure, path)

