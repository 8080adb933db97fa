"""March a one-step map to a final time, with output times and a NaN/Inf guard."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from pdekit.errors import NumericalError
from pdekit.time.last_state import LastState
from pdekit.time.methods import Step

Callback = Callable[[float, np.ndarray], None]


def integrate(step: Step, u0: np.ndarray, t0: float, t_end: float, dt: float,
              output_times: Sequence[float] = (), on_output: Callback | None = None,
              progress: Any = None, check_every: int = 1,
              reduce_max: Callable[[np.ndarray], np.ndarray] | None = None
              ) -> tuple[np.ndarray, int]:
    """Advance ``u0`` from ``t0`` to ``t_end`` with fixed steps ``dt``.

    The number of steps is ``round((t_end - t0) / dt)`` when that lands on ``t_end`` to
    round-off, so a run ends exactly at ``t_end``; otherwise ``ceil`` steps with the step
    size as given (the final time is then ``t0 + steps * dt``, reported by the caller).

    Parameters
    ----------
    step
        One-step map from :func:`~pdekit.time.make_stepper`.
    u0, t0, t_end, dt
        Initial state and time, final time, step.
    output_times
        Times at which ``on_output(t, u)`` is called (each at the first step reaching it).
    on_output
        Callback for snapshots.
    progress
        A tqdm-like object; ``update(dt)`` is called per step.
    check_every
        Steps between NaN/Inf checks (a check is a full pass over the state).
    reduce_max
        For a state split over processes: ``reduce_max(values) -> values``, the
        element-wise maximum over all of them (the checks then see the global max |u|,
        so every process stops at the same step).

    Returns
    -------
    u, steps
        Final state and the number of steps taken.

    Raises
    ------
    NumericalError
        If the state stops being finite, naming the step and time.
    KeyboardInterrupt
        Passed on with the last completed step as its ``last_state`` (:class:`LastState`).
    """
    steps = (t_end - t0) / dt
    n_steps = round(steps) if abs(steps - round(steps)) < 1e-9 * max(1.0, steps) else math.ceil(steps)
    pending = sorted(t for t in output_times if t >= t0 - 1e-12)
    def max_abs(x: np.ndarray) -> float:
        size = float(np.max(np.abs(x)))
        return size if reduce_max is None else float(reduce_max(np.array([size]))[0])

    u = u0
    t = t0
    last_size, last_time = max_abs(u0), t0
    while pending and pending[0] <= t + 1e-9 * dt:
        if on_output:
            on_output(t, u)
        pending.pop(0)
    try:
        for n in range(1, n_steps + 1):
            u, t = step(u), t0 + n * dt
            if n % check_every == 0 or n == n_steps:
                size = max_abs(u)
                if not math.isfinite(size):
                    raise NumericalError(
                        f"the solution stopped being finite at step {n} (t = {t:.6g}, "
                        f"dt = {dt:.6g}); max |u| was {last_size:.3g} at t = {last_time:.6g}",
                        {"step": n, "time": t, "dt": dt, "last_finite_max": last_size,
                         "last_finite_time": last_time})
                last_size, last_time = size, t
            while pending and pending[0] <= t + 1e-9 * dt:
                if on_output:
                    on_output(t, u)
                pending.pop(0)
            if progress is not None:
                progress.update(dt)
    except KeyboardInterrupt as interrupt:  # Ctrl-C or SIGTERM: hand on the last step
        interrupt.last_state = LastState(t, u, round((t - t0) / dt))  # type: ignore[attr-defined]
        raise
    return u, n_steps
