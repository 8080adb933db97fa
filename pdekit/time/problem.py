"""The problem class the integrators work on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from pdekit.time.linear import LinearPart

Nonlinear = Callable[[np.ndarray], np.ndarray]


def no_nonlinearity(u: np.ndarray) -> np.ndarray:
    """N(u) = 0, for purely linear (e.g. diffusion-only) runs."""
    return np.zeros_like(u)


@dataclass
class SemilinearProblem:
    """du/dt = L u + N(u) on flat state vectors.

    Attributes
    ----------
    linear
        The stiff linear part L (e.g. diffusion), see :class:`~pdekit.time.LinearPart`.
    nonlinear
        The non-stiff part N, a function of the flat state returning an array of the
        same shape (e.g. reaction terms).
    """

    linear: LinearPart
    nonlinear: Nonlinear = no_nonlinearity

    def rhs(self, u: np.ndarray) -> np.ndarray:
        """The full right-hand side L u + N(u)."""
        return self.linear.matvec(u) + self.nonlinear(u)
