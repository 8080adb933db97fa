"""March a one-step map to a final time, with output times and a NaN/Inf guard."""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from pdekit.errors import NumericalError
from pdekit.time.methods import Step

Callback = Callable[[float, np.ndarray], None]


def integrate(step: Step, u0: np.ndarray, t0: float, t_end: float, dt: float,
              output_times: Sequence[float] = (), on_output: Callback | None = None,
              progress: Any = None, check_every: int = 1) -> tuple[np.ndarray, int]:
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

    Returns
    -------
    u, steps
        Final state and the number of steps taken.

    Raises
    ------
    NumericalError
        If the state stops being finite, naming the step and time.
    """
    steps = (t_end - t0) / dt
    n_steps = round(steps) if abs(steps - round(steps)) < 1e-9 * max(1.0, steps) else math.ceil(steps)
    pending = sorted(t for t in output_times if t >= t0 - 1e-12)
    u = u0
    t = t0
    last_size, last_time = float(np.max(np.abs(u0))), t0
    while pending and pending[0] <= t + 1e-9 * dt:
        if on_output:
            on_output(t, u)
        pending.pop(0)
    for n in range(1, n_steps + 1):
        u = step(u)
        t = t0 + n * dt
        if n % check_every == 0 or n == n_steps:
            size = float(np.max(np.abs(u)))
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
    return u, n_steps
