"""Convergence studies: errors per level, observed and expected rates, Richardson
extrapolation, plot.

For a conforming Galerkin method λ_h ≥ λ and, for smooth eigenfunctions,
λ_h − λ = O(h^(2p)) (Babuška & Osborn, "Eigenvalue problems", Handbook of Numerical
Analysis II, 1991). Observed rates are ``log(e_{k−1}/e_k) / log(h_{k−1}/h_k)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence



def observed_rates(sizes: Sequence[float], errors: Sequence[float | None]
                   ) -> list[float | None]:
    """Observed orders between consecutive levels (``None`` for the first level and
    wherever an error is missing or not positive).

    Parameters
    ----------
    sizes
        Mesh sizes h (or any resolution measure that shrinks, e.g. 1/√ndof).
    errors
        Errors per level.
    """
    rates: list[float | None] = [None]
    for k in range(1, len(errors)):
        a, b = errors[k - 1], errors[k]
        if a is None or b is None or a <= 0 or b <= 0 or sizes[k - 1] == sizes[k]:
            rates.append(None)
        else:
            rates.append(math.log(a / b) / math.log(sizes[k - 1] / sizes[k]))
    return rates


def richardson(values: Sequence[float], ratio: float = 2.0) -> tuple[float, float] | None:
    """Aitken/Richardson extrapolation from the last three levels of a sequence
    λ_h = λ + C h^r refined by ``ratio``.

    Returns
    -------
    (limit, rate) or None
        Extrapolated λ and the estimated order r; ``None`` with fewer than three values or
        when the differences are not monotone (no asymptotic regime yet).
    """
    if len(values) < 3:
        return None
    a, b, c = values[-3:]
    d1, d2 = b - a, c - b
    if d1 == 0 or d2 == 0 or d1 * d2 < 0 or abs(d2) >= abs(d1):
        return None
    rate = math.log(abs(d1 / d2)) / math.log(ratio)
    return c + d2 / (ratio ** rate - 1.0), rate


def expected_rate(order: int, exponent: float | None) -> float:
    """Asymptotic order in h of eigenvalue errors: ``2 min(p, s)`` (Babuška & Osborn 1991),
    s the corner exponent (unbounded for smooth eigenfunctions)."""
    return 2 * order if exponent is None else 2 * min(order, exponent)


@dataclass
class ErrorSeries:
    """Errors of one eigenvalue along the refinements of one order."""

    label: str
    order: int
    dofs: list[float]
    errors: list[float | None]
    rates: list[float | None]


def plot_convergence(path: Path, series: list[ErrorSeries], title: str,
                     reference_rates: dict[int, float], note: str = "") -> Path:
    """Log-log errors against free dofs with the observed rates in h written beside each
    segment and, per order, a dashed reference line of the expected rate (slope
    ``−rate/2`` in dofs, as h ∝ N^(−1/2) in 2D); ``note`` goes in a box (e.g. why
    rates mean little)."""
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()
    figure, axis = plt.subplots(figsize=(7.2, 5.4))
    drawn_reference: set[int] = set()
    for line in series:
        pairs = [(x, e, r) for x, e, r in zip(line.dofs, line.errors, line.rates)
                 if e is not None and e > 0]
        if not pairs:
            continue
        xs, es, rs = zip(*pairs)
        (handle,) = axis.loglog(xs, es, "o-", label=line.label)
        for k in range(1, len(xs)):
            if rs[k] is not None:
                middle = ((xs[k - 1] * xs[k]) ** 0.5, (es[k - 1] * es[k]) ** 0.5)
                axis.annotate(f"{rs[k]:.2f}", middle, textcoords="offset points",
                              xytext=(4, 4), fontsize=7, color=handle.get_color())
        if line.order not in drawn_reference and len(xs) > 1:
            drawn_reference.add(line.order)
            rate = reference_rates[line.order]
            ends = [xs[0], xs[-1]]
            axis.loglog(ends, [es[-1] * (x / xs[-1]) ** (-rate / 2) for x in ends], "--",
                        color="0.45", lw=1.0, label=f"expected ∝ h^{rate:.3g} (p = {line.order})")
    axis.set_xlabel("free dofs N  (h ∝ N^-1/2)")
    axis.set_ylabel("relative eigenvalue error |λ_h − λ| / λ")
    axis.set_title(title, fontsize=9)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8, title="numbers: observed rate in h", title_fontsize=7)
    if note:
        axis.text(0.02, 0.02, note, transform=axis.transAxes, fontsize=8, va="bottom",
                  wrap=True, bbox={"boxstyle": "round", "facecolor": "#fff3cd",
                                   "edgecolor": "#c69500"})
    figure.tight_layout()
    save_figure(figure, path)
    return path
