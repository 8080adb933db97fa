"""What a ``turing`` run reports: the summary's results, the terminal lines, and the
linear-stability report of the homogeneous steady state."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from pdekit.fd.grid import Grid
from pdekit.fd.models import ReactionModel
from pdekit.fd.stability import dominant_wavenumber, turing_analysis
from pdekit.memory import peak_rss_mib
from pdekit.output import RunContext, RunReport

if TYPE_CHECKING:
    from pdekit.fd.prepare import TuringSetup
    from pdekit.fd.run import TuringOutcome


def stability_report(model: ReactionModel, grid: Grid, steady: tuple[float, float] | None,
                     steady_error: str | None, u: np.ndarray) -> dict[str, Any]:
    """Dispersion relation at the homogeneous steady state, and the pattern's wavenumber.

    Parameters
    ----------
    model, grid
        The reaction model and the grid (the Nyquist wavenumber π/h of its finest axis
        bounds the search; the dispersion relation depends on |k| only, in any dimension).
    steady, steady_error
        The steady state, or None and why it was not found.
    u
        The final u field, whose dominant wavenumber is measured.
    """
    measured_k = dominant_wavenumber(u, grid.lengths, grid.boundary)
    measured = {"measured_dominant_k": measured_k,
                "measured_wavelength": 2 * math.pi / measured_k if measured_k > 0 else None}
    if steady is None:
        return {"steady_state": None, "error": steady_error, **measured}
    jacobian = model.jacobian(*steady)
    report = turing_analysis(jacobian, model.diffusion, grid.nyquist())
    report["steady_state"] = list(steady)
    report["jacobian"] = jacobian.tolist()
    return {**report, **measured}


def one_or_per_axis(values: tuple) -> object:
    """The value when all axes agree (a square's n), else the list per axis."""
    return values[0] if len(set(values)) == 1 else list(values)


def grid_summary(grid: Grid) -> dict[str, Any]:
    """The grid in ``summary.json``: ``n``, ``length``, ``h`` as one number when all axes
    agree (as for the 2D squares of earlier versions) or one per axis; ``dim``, ``shape``."""
    return {"n": one_or_per_axis(grid.shape), "length": one_or_per_axis(grid.lengths),
            "h": one_or_per_axis(grid.spacings), "dim": grid.dim, "shape": list(grid.shape)}


def turing_report(setup: TuringSetup, outcome: TuringOutcome,
                  context: RunContext) -> RunReport:
    """The results for ``summary.json`` and the summary lines of a finished run."""
    case, model, grid = setup.case, setup.model, setup.grid
    u, v, stats = outcome.u, outcome.v, outcome.adaptive
    seconds = context.timings["integrate"]
    stability = stability_report(model, grid, setup.steady, setup.steady_error, u)
    results = {
        "model": {"name": model.name, "preset": setup.preset, "equations": model.equations,
                  **model.parameters(), "terms": case.model.terms},
        "grid": {**grid_summary(grid), "boundary": case.grid.boundary,
                 "diffusion": case.grid.diffusion},
        "time": {"method": case.time.method, "dt": setup.dt, "dt_requested": case.time.dt,
                 "steps": outcome.steps, "t0": setup.t0, "t_final": outcome.t_final,
                 "rk4_stable_dt": setup.rk4_stable_dt,
                 "seconds_per_step": seconds / max(outcome.steps, 1),
                 **({"adaptive": {**stats.as_dict(), "tolerance": case.time.tolerance}}
                    if stats else {})},
        "linear_stability": stability,
        "fields": {name: {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean())}
                   for name, a in (("u", u), ("v", v))},
        "memory": {"peak_rss_mb": peak_rss_mib(),
                   "peak_rss_mb_after_setup": outcome.memory_after_setup,
                   "state_mb": outcome.state_bytes / 2**20},
        "files": outcome.files,
    }
    steps_text = (f"adaptive steps {stats.dt_min:.3g} to {stats.dt_max:.3g} (tolerance "
                  f"{case.time.tolerance:g})" if stats else f"dt = {setup.dt:g}")
    lines = [
        f"Solved {setup.label} on {'x'.join(map(str, grid.shape))}"
        f"{' points' if grid.dim == 1 else ''} ({case.grid.boundary}, "
        f"h = {'/'.join(f'{h:.4g}' for h in dict.fromkeys(grid.spacings))}) "
        f"with {case.time.method}, {steps_text}: {outcome.steps} steps to "
        f"t = {outcome.t_final:.6g} in {seconds:.2f} s (peak memory "
        f"{results['memory']['peak_rss_mb']:.0f} MiB).",
        f"  u in [{u.min():.4g}, {u.max():.4g}], v in [{v.min():.4g}, {v.max():.4g}]",
    ]
    if stability.get("steady_state") is not None:
        band = ", ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in stability["unstable_bands"]) \
            or "none"
        steady_text = ", ".join(f"{x:.4g}" for x in stability["steady_state"])
        lines.append(f"  steady state ({steady_text}): Turing band k in {band}; fastest k = "
                     f"{stability['fastest_k']:.4g} (sigma = {stability['fastest_sigma']:.3g});"
                     f" pattern's dominant k = {stability['measured_dominant_k']:.4g}")
    else:
        lines.append(f"  no linear-stability report: {stability['error']}")
    if "fields.pvd" in outcome.files:
        lines.append(f"  ParaView: paraview {context.final_dir / 'fields.pvd'}")
    return RunReport(results, lines)
