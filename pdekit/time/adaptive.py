"""Adaptive time stepping from an embedded local-error estimate.

The controller is the standard one for embedded pairs (Hairer, Nørsett & Wanner,
*Solving ODEs I*, §II.4): a step is accepted when the scaled error

    err = ‖e‖∞ / (tol · max(1, ‖u‖∞))

is ≤ 1, and the next step is h · min(g, max(0.2, 0.9 err^(−1/(q+1)))) with q the order
of the lower-order member (the estimate is O(h^(q+1))) and g the growth limit (HNW's
facmax, which they put between 1.5 and 5; PETSc's TSAdapt basic uses 10); right after a
rejected step the step does not grow (HNW, after Shampine & Watts 1979). Step sizes are
rounded down to the ladder h_max · 2^(−j/4), so that methods whose coefficients depend
on h (such as exponential integrators) can reuse them; steps are shortened to land
exactly on output times and on the final time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from pdekit.errors import NumericalError
from pdekit.time.last_state import LastState

Attempt = Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]]
"""``attempt(u, dt) -> (u_new, error_estimate)``."""

LADDER = 4
"""Rungs per factor of 2 in the step-size ladder."""

GROWTH_LIMIT = 2.0
"""Default largest factor by which one accepted step may lengthen the next (HNW's facmax).

On Turing patterns grown from noise (BVAM spots, 100², T = 150, against
``bench_turing.py``'s reference) 2 took the same number of steps as 5 but gave 1.2–4×
smaller errors at tolerances 0.05, 0.02 and 0.01 (within 20 % at 0.005): an error made
while the noise grows is amplified later. A larger limit pays where a run starts from a
first step far below what the tolerance allows (``time.growth_limit``)."""


@dataclass
class AdaptiveStats:
    """What the controller did: counts and the range of accepted steps."""

    accepted: int = 0
    rejected: int = 0
    dt_min: float = math.inf
    dt_max: float = 0.0
    history: list[tuple[float, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        return {"accepted": self.accepted, "rejected": self.rejected,
                "dt_min": self.dt_min, "dt_max": self.dt_max}


def _on_ladder(dt: float, dt_max: float) -> float:
    """Largest rung dt_max · 2^(−j/LADDER) that does not exceed ``dt``."""
    if dt >= dt_max:
        return dt_max
    j = math.ceil(LADDER * math.log2(dt_max / dt) - 1e-12)
    return dt_max * 2.0 ** (-j / LADDER)


def _max_abs(x: np.ndarray) -> float:
    """‖x‖∞ of a real array by two reductions (no |x| temporary); NaN if any entry is."""
    return float(max(np.max(x), -np.min(x)))


def integrate_adaptive(attempt: Attempt, u0: np.ndarray, t0: float, t_end: float,
                       dt0: float, tolerance: float, dt_max: float, low_order: int = 2,
                       output_times: Sequence[float] = (),
                       on_output: Callable[[float, np.ndarray], None] | None = None,
                       progress: Any = None, keep_history: bool = False,
                       reduce_max: Callable[[np.ndarray], np.ndarray] | None = None,
                       growth_limit: float = GROWTH_LIMIT
                       ) -> tuple[np.ndarray, AdaptiveStats]:
    """Advance ``u0`` from ``t0`` to ``t_end`` with error-controlled steps.

    Parameters
    ----------
    attempt
        One trial step with its error estimate (e.g. from
        :func:`~pdekit.time.etd.etdrk4_embedded`).
    u0, t0, t_end
        Initial state and time, final time.
    dt0, dt_max
        First trial step and the largest step allowed.
    tolerance
        Local error tolerance per step (relative to max(1, ‖u‖∞)).
    low_order
        Order q of the lower-order member of the pair.
    output_times, on_output, progress
        As in :func:`~pdekit.time.integrate`.
    keep_history
        Record (t, dt) of every accepted step in ``stats.history``.
    reduce_max
        For a state split over processes: ``reduce_max(values) -> values``, the
        element-wise maximum over all of them of a small array (one reduction per
        attempt gives the global ‖u⁺‖∞ and ‖e‖∞, so every process takes the same steps).
    growth_limit
        Largest factor (> 1) by which an accepted step may lengthen the next.

    Returns
    -------
    u, stats

    Raises
    ------
    NumericalError
        If the state stops being finite or the step collapses below 1e-12 (t_end - t0).
    KeyboardInterrupt
        Passed on with the last accepted step as its ``last_state``
        (:class:`~pdekit.time.last_state.LastState`).
    """
    stats = AdaptiveStats()
    pending = sorted(t for t in output_times if t >= t0 - 1e-12)
    u, t = u0, t0
    span = t_end - t0
    dt = _on_ladder(min(dt0, dt_max), dt_max)
    exponent = 1.0 / (low_order + 1)
    if not growth_limit > 1.0:
        raise ValueError(f"growth_limit must exceed 1, got {growth_limit}")
    just_rejected = False
    while pending and pending[0] <= t + 1e-12 * span:
        if on_output:
            on_output(t, u)
        pending.pop(0)
    try:
        while t < t_end - 1e-12 * span:
            target = min(pending[0] if pending else t_end, t_end)
            this_dt = min(dt, target - t)
            landing = this_dt < dt
            if target - (t + this_dt) < 1e-12 * span:
                this_dt = target - t
            with np.errstate(over="ignore", invalid="ignore"):  # judged below, not warned
                new, error = attempt(u, this_dt)
                size, error_size = _max_abs(new), _max_abs(error)
                if reduce_max is not None:
                    size, error_size = reduce_max(np.array([size, error_size]))
                err = error_size / (tolerance * max(1.0, size))
            if not (math.isfinite(err) and math.isfinite(size)):
                err = math.inf
            if err <= 1.0:
                u, t = new, t + this_dt
                stats.accepted += 1
                stats.dt_min, stats.dt_max = min(stats.dt_min, this_dt), max(stats.dt_max, this_dt)
                if keep_history:
                    stats.history.append((t, this_dt))
                if progress is not None:
                    progress.update(this_dt)
                while pending and pending[0] <= t + 1e-12 * span:
                    if on_output:
                        on_output(t, u)
                    pending.pop(0)
                limit = 1.0 if just_rejected else growth_limit
                factor = limit if err == 0 else min(limit, max(0.2, 0.9 * err ** -exponent))
                just_rejected = False
                if not landing:  # a shortened landing step says nothing about the next one
                    dt = _on_ladder(this_dt * factor, dt_max)
            else:
                stats.rejected += 1
                just_rejected = True
                factor = 0.2 if not math.isfinite(err) else max(0.2, 0.9 * err ** -exponent)
                dt = _on_ladder(this_dt * min(factor, 0.9), dt_max)
                if dt < 1e-12 * span:
                    raise NumericalError(
                        f"the adaptive step collapsed to {dt:.3g} at t = {t:.6g} "
                        f"(error estimate {err:.3g} x tolerance {tolerance:g})",
                        {"time": t, "dt": dt, "error_ratio": err, "step": stats.accepted})
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: hand on the last step
        interrupt.last_state = LastState(t, u, stats.accepted)  # type: ignore[attr-defined]
        raise
    return u, stats
