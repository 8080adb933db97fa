"""What a finite-element ``turing`` run reports: ``summary.json``'s results and the terminal
lines (the model and parameter texts are the grid path's, :mod:`pdekit.fd.report`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pdekit.fd.report import method_text, model_text, parameter_text
from pdekit.fe.prepare import FESetup
from pdekit.memory import peak_rss_mib
from pdekit.output import RunContext, RunReport
from pdekit.time import AdaptiveStats

SHOWN_MODES = 6
"""Unstable multiplets listed on the terminal (summary.json has all)."""


@dataclass(frozen=True)
class FEOutcome:
    """What the integration and the mode analysis produced.

    Attributes
    ----------
    u, v
        Final fields at the vertices.
    mesh
        Counts and sizes of the mesh and space (``vertices``, ``elements``, ``dofs``,
        ``free_dofs``, ``h``, ``curve_order``, ``measure``).
    steps, t_final, adaptive
        Accepted steps, the time reached, the controller's statistics (or None).
    stability
        The domain's linear-stability report with the measured dominant mode.
    factorizations
        Sparse factorizations made (one per species and step size).
    files
        Files written into the run folder.
    memory_after_setup
        Peak resident memory (MiB) once mesh, matrices and steppers were built.
    """

    u: np.ndarray
    v: np.ndarray
    mesh: dict[str, Any]
    steps: int
    t_final: float
    adaptive: AdaptiveStats | None
    stability: dict[str, Any]
    factorizations: int
    files: list[str]
    memory_after_setup: float


def domain_text(setup: FESetup, mesh: dict[str, Any]) -> str:
    """``"sphere (P1, 642 vertices, h = 0.15)"``: the domain and its discretization."""
    domain = setup.case.domain
    element = f"P{domain.order}" + (" lumped" if domain.lumped else "")
    curved = f", curved order {mesh['curve_order']}" if mesh["curve_order"] else ""
    walls = f", Dirichlet on {', '.join(setup.dirichlet)}" if setup.dirichlet else ""
    return (f"{domain.shape} ({element}, {mesh['vertices']} vertices, {mesh['dofs']} dofs, "
            f"h = {mesh['h']:.3g}{curved}{walls})")


def run_title(setup: FESetup, mesh: dict[str, Any], t: float) -> str:
    """The title of ``fields.png``: case, model, parameters, domain, method and time."""
    return (f"{setup.case.name}: {model_text(setup)}\n{parameter_text(setup)}\n"
            f"{domain_text(setup, mesh)}, {method_text(setup)}, t = {t:.6g}")


def mode_text(entry: dict[str, Any]) -> str:
    """``"λ = 12 (l = 3, ×7)"`` or ``"λ = 30.2 (k = 5.5, ×2)"``."""
    which = f"l = {entry['degree']}" if "degree" in entry else f"k = {entry['k']:.4g}"
    return f"λ = {entry['lambda']:.4g} ({which}, ×{entry['multiplicity']})"


def stability_lines(stability: dict[str, Any]) -> list[str]:
    """The linear-stability lines of the terminal report."""
    if stability.get("steady_state") is None:
        return [f"  no linear-stability report: {stability.get('error')}"]
    steady = ", ".join(f"{x:.4g}" for x in stability["steady_state"])
    lines = [f"  linear stability of ({steady}): {stability['dispersion']['verdict']}"]
    unstable = stability["unstable_modes"]
    if unstable:
        shown = "; ".join(f"{mode_text(m)} σ = {m['sigma']:.3g}"
                          for m in unstable[:SHOWN_MODES])
        more = f" and {len(unstable) - SHOWN_MODES} more" if len(unstable) > SHOWN_MODES else ""
        lines.append(f"  domain modes in the band: {shown}{more}")
    else:
        lines.append("  no mode of this domain falls in the unstable band")
    if not stability["band_covered"]:
        lines.append(f"  (only the lowest {stability['modes_computed']} modes computed, up to "
                     f"λ = {stability['largest_lambda']:.4g}: the band reaches further)")
    predicted, measured = stability["predicted"], stability["measured"]
    lines.append(f"  predicted fastest mode: {mode_text(predicted)}, σ = "
                 f"{predicted['sigma']:.3g}")
    lines.append(f"  final pattern's dominant mode: {mode_text(measured)}, "
                 f"{100 * measured['power_share']:.0f} % of the projected power"
                 + (" (= the prediction)" if stability["prediction_holds"] else
                    " (not the predicted one)"))
    return lines


def fe_report(setup: FESetup, outcome: FEOutcome, context: RunContext) -> RunReport:
    """The results for ``summary.json`` and the summary lines of a finished run."""
    case, model, domain = setup.case, setup.model, setup.case.domain
    u, v, stats = outcome.u, outcome.v, outcome.adaptive
    seconds = context.timings["integrate"]
    statistics = {name: {"min": float(a.min()), "max": float(a.max()), "mean": float(a.mean())}
                  for name, a in (("u", u), ("v", v))}
    results = {
        "model": {"name": model.name, "preset": setup.preset, "equations": model.equations,
                  **model.parameters(), "terms": case.model.terms},
        "domain": {"shape": domain.shape, "surface": setup.surface, "dim": setup.dimension,
                   "order": domain.order, "lumped": domain.lumped,
                   "dirichlet": list(setup.dirichlet), **outcome.mesh},
        "time": {"method": case.time.method, "dt": setup.dt, "dt_requested": case.time.dt,
                 "steps": outcome.steps, "t0": setup.t0, "t_final": outcome.t_final,
                 "factorizations": outcome.factorizations,
                 "seconds_per_step": seconds / max(outcome.steps, 1),
                 "seconds_per_unit_time": seconds / max(outcome.t_final - setup.t0, 1e-300),
                 **({"adaptive": {**stats.as_dict(), "tolerance": case.time.tolerance,
                                  "growth_limit": case.time.step_growth}}
                    if stats else {})},
        "linear_stability": outcome.stability,
        "fields": statistics,
        "memory": {"peak_rss_mb": peak_rss_mib(),
                   "peak_rss_mb_after_setup": outcome.memory_after_setup},
        "files": outcome.files,
    }
    steps_text = f" (steps {stats.dt_min:.3g} to {stats.dt_max:.3g})" if stats else ""
    lines = [
        f"Solved {case.name}: {model_text(setup)}",
        f"  parameters: {parameter_text(setup)}",
        f"  {domain_text(setup, outcome.mesh)}, {method_text(setup)}: {outcome.steps} steps"
        f"{steps_text} to t = {outcome.t_final:.6g} in {seconds:.2f} s (peak memory "
        f"{results['memory']['peak_rss_mb']:.0f} MiB)",
        f"  u in [{statistics['u']['min']:.4g}, {statistics['u']['max']:.4g}], v in "
        f"[{statistics['v']['min']:.4g}, {statistics['v']['max']:.4g}]",
        *stability_lines(outcome.stability),
    ]
    if "fields.pvd" in outcome.files:
        lines.append(f"  ParaView: paraview {context.final_dir / 'fields.pvd'}")
    return RunReport(results, lines)
