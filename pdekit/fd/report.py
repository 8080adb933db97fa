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
    from pdekit.fd.outcome import TuringOutcome


def stability_report(model: ReactionModel, grid: Grid, steady: tuple[float, float] | None,
                     steady_error: str | None, u: np.ndarray | None,
                     measured_k: float | None = None) -> dict[str, Any]:
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
    measured_k
        That wavenumber, measured elsewhere (a field split over ranks); then ``u`` is
        not used.
    """
    if measured_k is None:
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


def model_text(setup: TuringSetup) -> str:
    """The model, its preset and what was changed in it: ``"gray-scott 'theta' with F
    changed"``, ``"bvam 'spots'"``, ``"custom: f = a - u, g = u - v"``."""
    section, model = setup.case.model, setup.model
    if setup.preset is None:
        return f"{model.name}: f = {section.f}, g = {section.g}"
    changed = section.changed_parameters()
    return f"{setup.label}" + (f" with {', '.join(changed)} changed" if changed else "")


def parameter_text(setup: TuringSetup) -> str:
    """The parameters the model ran with, ``"F = 0.035, k = 0.06, Du = 2e-05, Dv = 1e-05"``
    (the preset's values after the case's overrides)."""
    return ", ".join(f"{name} = {value:.4g}"
                     for name, value in setup.case.model.effective_parameters().items())


def grid_text(setup: TuringSetup) -> str:
    """``"256x256 periodic grid on 2.5x2.5"`` (``"160 points on a no-flux line of length
    4"`` in 1D): points, boundary and box."""
    grid = setup.grid
    boundary = "no-flux" if setup.case.grid.boundary == "neumann" else "periodic"
    if grid.dim == 1:
        return f"{grid.shape[0]} points on a {boundary} line of length {grid.lengths[0]:.4g}"
    box = "x".join(f"{length:.4g}" for length in grid.lengths)
    return f"{'x'.join(map(str, grid.shape))} {boundary} grid on {box}"


def method_text(setup: TuringSetup) -> str:
    """``"etdrk4, adaptive (tolerance 0.001)"`` or ``"strang, dt = 0.05"``."""
    time = setup.case.time
    return (f"{time.method}, adaptive (tolerance {time.tolerance:g})" if time.adaptive
            else f"{time.method}, dt = {setup.dt:.4g}")


def run_title(setup: TuringSetup, t: float | None = None) -> str:
    """The title of the run's pictures: case name and model, the parameters in use,
    then grid, boundary, method and the time shown, if any (three lines)."""
    return (f"{setup.case.name}: {model_text(setup)}\n{parameter_text(setup)}\n"
            f"{grid_text(setup)}, {method_text(setup)}" + ("" if t is None else f", t = {t:.6g}"))


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
    stability = stability_report(model, grid, setup.steady, setup.steady_error, u,
                                 outcome.measured_k)
    statistics = outcome.statistics or {
        name: {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean())}
        for name, a in (("u", u), ("v", v))}
    results = {
        "model": {"name": model.name, "preset": setup.preset, "equations": model.equations,
                  **model.parameters(), "terms": case.model.terms},
        "grid": {**grid_summary(grid), "boundary": case.grid.boundary,
                 "diffusion": case.grid.diffusion,
                 **({"precision": case.grid.precision} if case.grid.backend == "fft" else {})},
        "time": {"method": case.time.method, "dt": setup.dt, "dt_requested": case.time.dt,
                 "steps": outcome.steps, "t0": setup.t0, "t_final": outcome.t_final,
                 "rk4_stable_dt": setup.rk4_stable_dt,
                 "seconds_per_step": seconds / max(outcome.steps, 1),
                 **({"adaptive": {**stats.as_dict(), "tolerance": case.time.tolerance,
                                  **({} if case.grid.backend == "petsc"
                                     else {"growth_limit": case.time.step_growth})}}
                    if stats else {})},
        "linear_stability": stability,
        "fields": statistics,
        "memory": {"peak_rss_mb": peak_rss_mib(),
                   "peak_rss_mb_after_setup": outcome.memory_after_setup,
                   "state_mb": outcome.state_bytes / 2**20},
        "files": outcome.files,
    }
    steps_text = f" (steps {stats.dt_min:.3g} to {stats.dt_max:.3g})" if stats else ""
    spacing = "/".join(f"{h:.4g}" for h in dict.fromkeys(grid.spacings))
    lines = [
        f"Solved {case.name}: {model_text(setup)}",
        f"  parameters: {parameter_text(setup)}",
        f"  {grid_text(setup)} (h = {spacing}), {method_text(setup)}: {outcome.steps} steps "
        f"{steps_text} to t = {outcome.t_final:.6g} in {seconds:.2f} s (peak memory "
        f"{results['memory']['peak_rss_mb']:.0f} MiB)",
        f"  u in [{statistics['u']['min']:.4g}, {statistics['u']['max']:.4g}], v in "
        f"[{statistics['v']['min']:.4g}, {statistics['v']['max']:.4g}]",
    ]
    if stability.get("steady_state") is not None:
        steady_text = ", ".join(f"{x:.4g}" for x in stability["steady_state"])
        lines.append(f"  linear stability of ({steady_text}): {stability['verdict']}")
        measured = stability["measured_dominant_k"]
        lines.append(f"  final pattern's dominant k = {measured:.4g}" + (
            f" (wavelength {stability['measured_wavelength']:.3g})" if measured > 0 else
            " (uniform)"))
    else:
        lines.append(f"  no linear-stability report: {stability['error']}")
    if "fields.pvd" in outcome.files:
        lines.append(f"  ParaView: paraview {context.final_dir / 'fields.pvd'}")
    return RunReport(results, lines)
