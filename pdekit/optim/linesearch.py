"""Line searches: Armijo backtracking and the strong Wolfe conditions.

References
----------
Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., Springer.
Chapter 3: Algorithm 3.1 (backtracking), Algorithms 3.5/3.6 (strong Wolfe line
search with ``zoom``) and eq. (3.59) (cubic interpolation).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class LineSearchResult:
    """Outcome of a line search along ``x + alpha p``.

    Attributes
    ----------
    alpha
        Accepted step length (the last trial if ``success`` is False).
    fun
        Loss at the accepted step.
    extra
        Whatever the ``phi`` callback returned alongside (e.g. the gradient).
    nevals
        Number of ``phi`` evaluations.
    success
        Whether the requested conditions hold at ``alpha``.
    """

    alpha: float
    fun: float
    extra: Any
    nevals: int
    success: bool


def armijo_backtracking(
    phi: Callable[[float], float],
    f0: float,
    slope: float,
    alpha0: float = 1.0,
    c1: float = 1e-4,
    rho: float = 0.5,
    maxiter: int = 60,
) -> LineSearchResult:
    """Backtrack until the Armijo (sufficient decrease) condition holds.

    Finds the first ``alpha = alpha0 * rho**i`` with
    ``phi(alpha) <= f0 + c1 * alpha * slope`` (Nocedal & Wright 2006, Alg. 3.1).

    Parameters
    ----------
    phi
        ``phi(alpha)`` = loss at ``x + alpha p``.
    f0, slope
        ``phi(0)`` and ``phi'(0) = g^T p`` (must be negative: a descent direction).
    """
    if not slope < 0:
        raise ValueError(f"not a descent direction: slope g^T p = {slope:g}")
    alpha = alpha0
    f = math.inf
    for i in range(1, maxiter + 1):
        f = phi(alpha)
        if math.isfinite(f) and f <= f0 + c1 * alpha * slope:
            return LineSearchResult(alpha, f, None, i, True)
        alpha *= rho
    return LineSearchResult(alpha / rho, f, None, maxiter, False)


def backtracking_best(
    phi: Callable[[float], float],
    f0: float,
    alpha0: float = 1.0,
    rho: float = 0.5,
    maxiter: int = 30,
) -> LineSearchResult:
    """Backtrack to the first decrease, then keep shrinking while the loss keeps falling.

    Tries ``alpha = alpha0 * rho**i``; once some ``phi(alpha) < f0``, goes on while each
    trial improves on the best so far and returns the best. Unlike the Armijo rule it asks
    for no sufficient decrease, and it does not stop at the first acceptable step: for
    Gauss-Newton steps from a poorly conditioned ``J`` (PINNs) the best of the halvings is
    often much shorter than the first that decreases the loss. ``maxiter = 30`` halvings
    reach ``alpha ~ 1e-9``.

    Parameters
    ----------
    phi
        ``phi(alpha)`` = loss at ``x + alpha p`` (return ``inf`` where it is not finite).
    f0
        ``phi(0)``.

    Returns
    -------
    LineSearchResult
        ``success`` is False (and ``alpha`` 0) when no trial decreased the loss.
    """
    best_f, best_alpha, alpha = f0, 0.0, alpha0
    nevals = 0
    for _ in range(maxiter):
        f = phi(alpha)
        nevals += 1
        if f < best_f:
            best_f, best_alpha = f, alpha
        elif best_alpha > 0:
            break
        alpha *= rho
    return LineSearchResult(best_alpha, best_f, None, nevals, best_alpha > 0)


def _cubic_min(a: float, fa: float, da: float, b: float, fb: float, db: float) -> float:
    """Minimizer of the cubic interpolating f and f' at a and b (N&W eq. 3.59)."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if disc < 0 or not math.isfinite(disc):
        return math.nan
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = db - da + 2.0 * d2
    if denom == 0:
        return math.nan
    return b - (b - a) * (db + d2 - d1) / denom


def strong_wolfe(
    phi: Callable[[float], tuple[float, float, Any]],
    f0: float,
    d0: float,
    alpha0: float = 1.0,
    c1: float = 1e-4,
    c2: float = 0.9,
    alpha_max: float = 1e10,
    maxiter: int = 30,
) -> LineSearchResult:
    """Line search for the strong Wolfe conditions (N&W 2006, Algs. 3.5 and 3.6).

    Parameters
    ----------
    phi
        ``phi(alpha) -> (loss, directional derivative g(x+alpha p)^T p, extra)``;
        ``extra`` (e.g. the gradient) is handed back in the result.
    f0, d0
        ``phi(0)`` and ``phi'(0)`` (``d0 < 0``).
    c1, c2
        Sufficient-decrease and curvature constants, ``0 < c1 < c2 < 1``.
    """
    if not d0 < 0:
        raise ValueError(f"not a descent direction: slope g^T p = {d0:g}")
    nevals = 0

    def ev(a: float) -> tuple[float, float, Any]:
        nonlocal nevals
        nevals += 1
        f, d, extra = phi(a)
        if not math.isfinite(f):
            return math.inf, math.inf, extra
        return f, d, extra

    def zoom(lo, f_lo, d_lo, e_lo, hi, f_hi, d_hi) -> LineSearchResult:
        for _ in range(maxiter):
            width = hi - lo
            a = _cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi) if math.isfinite(f_hi) else math.nan
            left, right = min(lo, hi), max(lo, hi)
            margin = 0.1 * abs(width)
            if not (math.isfinite(a) and left + margin <= a <= right - margin):
                a = lo + 0.5 * width
            f, d, e = ev(a)
            if f > f0 + c1 * a * d0 or f >= f_lo:
                hi, f_hi, d_hi = a, f, d
            else:
                if abs(d) <= -c2 * d0:
                    return LineSearchResult(a, f, e, nevals, True)
                if d * (hi - lo) >= 0:
                    hi, f_hi, d_hi = lo, f_lo, d_lo
                lo, f_lo, d_lo, e_lo = a, f, d, e
            if abs(hi - lo) <= 1e-16 * max(1.0, abs(lo)):
                break
        # Interval collapsed: return the best point with sufficient decrease, if any.
        ok = lo > 0 and f_lo <= f0 + c1 * lo * d0
        return LineSearchResult(lo, f_lo, e_lo, nevals, ok)

    a_prev, f_prev, d_prev, e_prev = 0.0, f0, d0, None
    a = alpha0
    for i in range(maxiter):
        f, d, e = ev(a)
        if f > f0 + c1 * a * d0 or (i > 0 and f >= f_prev):
            return zoom(a_prev, f_prev, d_prev, e_prev, a, f, d)
        if abs(d) <= -c2 * d0:
            return LineSearchResult(a, f, e, nevals, True)
        if d >= 0:
            return zoom(a, f, d, e, a_prev, f_prev, d_prev)
        a_prev, f_prev, d_prev, e_prev = a, f, d, e
        a = min(2.0 * a, alpha_max)
    return LineSearchResult(a_prev, f_prev, e_prev, nevals, False)
