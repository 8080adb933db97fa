"""Guaranteed bounds in an eigen run: settings from the case, the terminal table, the
picture (``bounds.png``). The numerics are in :mod:`pdekit.fem.solve.bounds`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pdekit.errors import NumericalError
from pdekit.fem.solve.bounds import BoundSettings, BoundsOutcome, guaranteed_bounds
from pdekit.fem.prepare import EigenSetup, hp_layers


def settings_for(setup: EigenSetup) -> BoundSettings:
    """The :class:`BoundSettings` of a prepared case."""
    case = setup.case
    return BoundSettings(nev=case.solver.nev, start_order=case.fem.order,
                         max_order=max(case.solver.max_order, case.fem.order),
                         target=case.solver.bounds_target, maxh=case.mesh.maxh,
                         refine=case.mesh.refine, hp=case.mesh.hp,
                         hp_factor=case.mesh.hp_factor,
                         hp_levels=lambda order: hp_layers(case, order),
                         cluster_rtol=case.solver.cluster_rtol)


def run_bounds(setup: EigenSetup, context: Any) -> BoundsOutcome:
    """Compute the bounds of a prepared case (serial; rank 0 of one).

    Raises
    ------
    NumericalError
        When a bound cannot be certified.
    """
    try:
        return guaranteed_bounds(setup.shape, setup.dirichlet, settings_for(setup),
                                 log=context.log)
    except ArithmeticError as error:
        raise NumericalError(f"guaranteed bounds: {error}", {}) from None


def bounds_lines(outcome: BoundsOutcome) -> list[str]:
    """The terminal table: per k the enclosure, its width and where each end came from."""
    text = [f"guaranteed bounds (target relative width {outcome.target:g}, "
            + ("reached" if outcome.reached else "NOT reached") + f", {outcome.seconds:.1f} s):",
            f"{'k':>3} {'lower':>22} {'upper':>22} {'rel.width':>10}  lower by / upper by"]
    for b in outcome.bounds:
        lower_by = "CR" if b.lower_method == "crouzeix-raviart" else \
            f"LG p={b.lower_from.get('order')}"
        text.append(f"{b.index:>3} {b.lower:>22.15g} {b.upper:>22.15g} "
                    f"{b.relative_width:>10.2e}  {lower_by} / RR p={b.upper_from.get('order')}")
    cr = outcome.cr
    text.append(f"CR: {cr['triangles']} triangles, h_max {cr['h_max']:.4g}, "
                f"C_h = {cr['constant']} h_max; LG shift rho = {outcome.rho:.10g} <= "
                f"lambda_{outcome.trial_functions + 1}")
    if outcome.note:
        text.append(f"note: {outcome.note}")
    return text


def plot_bounds(path: Path, outcome: BoundsOutcome, title: str) -> None:
    """Relative width of each λ_k's enclosure against the order (Rayleigh–Ritz above,
    Lehmann–Goerisch below), with the CR-only width dashed."""
    from pdekit.output.plots import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    orders = [step["order"] for step in outcome.steps]
    for i, bound in enumerate(outcome.bounds):
        widths = []
        for step in outcome.steps:
            lower = step["lower"][i]
            lower = bound.cr_lower if lower is None else max(lower, bound.cr_lower)
            widths.append((step["upper"][i] - lower) / abs(lower))
        ax.semilogy(orders, widths, "o-", color=f"C{i % 10}", label=f"λ{bound.index}")
        cr_width = (min(step["upper"][i] for step in outcome.steps) - bound.cr_lower) \
            / abs(bound.cr_lower)
        ax.axhline(cr_width, color=f"C{i % 10}", ls="--", lw=0.8)
    ax.axhline(outcome.target, color="k", ls=":", lw=1, label="target")
    ax.set_xticks(orders)
    ax.set_xlabel("element order p (hp mesh)")
    ax.set_ylabel("relative width (upper − lower) / lower")
    ax.set_title(title + "\nguaranteed enclosures: Lehmann–Goerisch (solid), "
                 "Crouzeix–Raviart lower bound only (dashed)", fontsize=9)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

