"""The trained network as a function of the points, for the Python API."""

from __future__ import annotations

import numpy as np

from pdekit.pinn.network import MLP
from pdekit.pinn.problem import PoissonProblem
from pdekit.pinn.residuals import Evaluator


class TrainedSolution:
    """u(x) of a trained poisson-pinn run: the network inside its boundary ansatz (the
    hard form's distance function and lift), as the run evaluated it.

    Parameters
    ----------
    model
        The trained network.
    problem
        The case's Poisson problem (domain, data, boundary parts).
    hard
        Whether the boundary condition is built into the ansatz.

    Examples
    --------
    >>> u = result.model(np.array([[0.1, 0.2], [0.3, 0.4]]))
    """

    def __init__(self, model: MLP, problem: PoissonProblem, hard: bool):
        self.network, self._problem, self._hard = model, problem, hard
        self.dim = len(problem.bounds)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """u at ``points`` (shape ``(n, dim)``, or ``(dim,)`` for one point)."""
        points = np.asarray(points, dtype=float)
        single = points.ndim == 1
        points = np.atleast_2d(points)
        if points.ndim != 2 or points.shape[1] != self.dim:
            raise ValueError(f"points of shape (n, {self.dim}), got {points.shape}")
        u, _ = Evaluator(self.network, self._problem, points, self._hard).solution()
        return u[0] if single else u
