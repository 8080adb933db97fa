"""What an interrupted integration hands on: the last completed step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LastState"]


@dataclass(frozen=True)
class LastState:
    """The last completed step when a run was interrupted (Ctrl-C, SIGTERM): the
    integrators attach it to the ``KeyboardInterrupt`` as ``last_state``, so that the
    caller can keep a state to restart from.

    Attributes
    ----------
    t, u, steps
        Time reached, the state there, and the steps taken to reach it.
    """

    t: float
    u: np.ndarray
    steps: int
