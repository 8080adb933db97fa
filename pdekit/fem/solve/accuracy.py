"""An accuracy target: raise the order until successive orders agree, estimate the error.

``solver.accuracy = ε`` solves at p, p+1, … (the hp layers follow the order when they are
automatic) and stops at the first order whose eigenvalues all agree with the previous
order's to ``ε``, relatively: ``|λ_p − λ_{p−1}| ≤ ε max(|λ_p|, 1)``.

The error estimate
------------------
With hp-grading (or smooth eigenfunctions) the error falls geometrically in p,
``λ_p − λ ≈ C q^p`` (Babuška & Guo 1986; Schwab 1998, ch. 4). Then the differences
``d_p = λ_{p−1} − λ_p`` fall by the same ratio q, and the error left in the last order is
the tail of the series, ``λ_p − λ = Σ_{k>p} d_k ≈ |d_p| q / (1 − q)``, with q = d_p / d_{p−1}
observed on the last orders (Aitken's Δ² in p; the larger of the last two such ratios,
as they wander with the grading, see :func:`geometric_tail`). That is the reported
estimate (``estimator = "geometric"``). Where it cannot be formed — only two orders, differences of
opposite signs, or not shrinking (still pre-asymptotic, or at the rounding floor) — the
estimate is the last difference |d_p| itself (``"difference"``): an upper bound whenever
convergence is geometric with q ≤ 1/2. The difference, not the estimate, decides when to
stop, so the eigenvalues reported are typically a factor 1/q better than ε.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class OrderEstimate:
    """The error estimate of the last order's eigenvalues (relative, like the errors
    against a reference: divided by ``max(|λ|, 1)``).

    Attributes
    ----------
    orders
        The orders solved so far.
    differences
        ``|λ_p − λ_{p−1}| / max(|λ_p|, 1)`` per eigenvalue (last two orders).
    estimates
        Estimated relative error of each eigenvalue of the last order.
    estimators
        ``"geometric"`` or ``"difference"`` per eigenvalue (see the module docstring).
    ratios
        The observed ratio q per eigenvalue (``None`` where not formed).
    reached
        Every difference is at most the target.
    """

    target: float
    orders: list[int]
    differences: list[float]
    estimates: list[float]
    estimators: list[str]
    ratios: list[float | None]
    reached: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def observed_ratio(values: Sequence[float]) -> float | None:
    """``d_p / d_{p−1}`` of the last three values, or ``None`` unless in (0, 1)."""
    d1, d2 = values[-2] - values[-3], values[-1] - values[-2]
    return d2 / d1 if d1 * d2 > 0 and abs(d2) < abs(d1) else None


def geometric_tail(values: Sequence[float]) -> tuple[float, str, float | None]:
    """Estimated error of the last of ``values`` (one eigenvalue at successive orders):
    ``(estimate, estimator, q)``, absolute. q is the larger of the last two observed
    ratios: with hp-grading the ratio wanders from order to order (L-shape, p = 9 … 11:
    0.38, then 0.04, while the errors fell by 0.055, then 0.32), and the last ratio
    alone underestimated the error there by 12×."""
    last = abs(values[-1] - values[-2])
    q = observed_ratio(values) if len(values) >= 3 else None
    if q is None:
        return last, "difference", None
    if len(values) >= 4:
        previous = observed_ratio(values[:-1])
        q = max(q, previous) if previous is not None else q
    return last * q / (1.0 - q), "geometric", q


def estimate(history: Sequence[Sequence[float]], orders: Sequence[int], target: float
             ) -> OrderEstimate:
    """The estimate after solving ``orders`` (ascending), ``history[k]`` the eigenvalues
    of ``orders[k]`` (at least two orders)."""
    count = min(len(values) for values in history)
    differences, estimates, estimators, ratios = [], [], [], []
    for i in range(count):
        series = [values[i] for values in history]
        scale = max(abs(series[-1]), 1.0)
        error, estimator, ratio = geometric_tail(series)
        differences.append(abs(series[-1] - series[-2]) / scale)
        estimates.append(error / scale)
        estimators.append(estimator)
        ratios.append(ratio)
    return OrderEstimate(target, list(orders), differences, estimates, estimators, ratios,
                         all(d <= target for d in differences))
