"""Convergence studies: errors per level, observed rates, Richardson extrapolation, plot.

For a conforming Galerkin method λ_h ≥ λ and, for smooth eigenfunctions,
λ_h − λ = O(h^(2p)) (Babuška & Osborn, "Eigenvalue problems", Handbook of Numerical
Analysis II, 1991). Observed rates are ``log(e_{k−1}/e_k) / log(h_{k−1}/h_k)``.
"""

from __future__ import annotations

import math
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


def plot_convergence(path: Path, series: dict[str, tuple[Sequence[float], Sequence[float]]],
                     xlabel: str, title: str, slopes: dict[str, float] | None = None) -> Path:
    """Log-log plot of error series ``label -> (x, error)`` with optional reference slopes
    (``label -> slope`` drawn through the first point of the first series)."""
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()

    figure, axis = plt.subplots(figsize=(6.4, 4.8))
    for label, (xs, errors) in series.items():
        pairs = [(x, e) for x, e in zip(xs, errors) if e is not None and e > 0]
        if pairs:
            axis.loglog(*zip(*pairs), "o-", label=label)
    first = next((list(zip(*[(x, e) for x, e in zip(*s) if e is not None and e > 0]))
                  for s in series.values()
                  if any(e is not None and e > 0 for e in s[1])), None)
    if slopes and first:
        x0, e0 = first[0][0], first[1][0]
        xs = [min(first[0]), max(first[0])]
        for label, slope in slopes.items():
            axis.loglog(xs, [e0 * (x / x0) ** slope for x in xs], "k--", lw=0.8, alpha=0.6)
            axis.annotate(label, (xs[-1], e0 * (xs[-1] / x0) ** slope), fontsize=8)
    axis.set_xlabel(xlabel)
    axis.set_ylabel("relative eigenvalue error")
    axis.set_title(title)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    save_figure(figure, path)
    return path
