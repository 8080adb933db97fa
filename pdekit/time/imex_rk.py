"""Implicit–explicit Runge–Kutta methods of Ascher, Ruuth & Spiteri (1997).

du/dt = L u + N(u) is advanced with an explicit tableau Â for N and a singly diagonally
implicit tableau A for L, both with s + 1 stages of which the first is explicit in both
(Ascher, Ruuth & Spiteri, *Implicit-explicit Runge–Kutta methods for time-dependent
partial differential equations*, Appl. Numer. Math. 25, 151–167, 1997):

    (I − γ h L) U_i = u + h Σ_{j<i} (Â_ij N(U_j) + A_ij L U_j),   i = 1 … s,

with γ = A_ii the same for every stage, so all stages share one cached shifted solve
(``LinearPart.resolvent(γ h)``) — they work with any linear part: FFT, DCT or sparse. The
schemes here are stiffly accurate (the last stage is the new value). L U_i is recovered
from the stage equation as (U_i − R_i)/(γ h) instead of a product with L.

- ``ars222``: ARS(2,2,2), second order, L-stable implicit part (paper §2.6).
- ``ars443``: ARS(4,4,3), third order, L-stable implicit part (paper §2.8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from pdekit.time.methods import Step, register_method

if TYPE_CHECKING:
    from pdekit.time.problem import SemilinearProblem


@dataclass(frozen=True)
class IMEXTableau:
    """A pair of (s+1)-stage tableaux; stage 0 is explicit in both, A_ii = γ for i ≥ 1.

    Attributes
    ----------
    explicit, implicit
        Lower-triangular (s+1) × (s+1) coefficient matrices Â and A.
    order
        Classical order of the pair.
    """

    explicit: np.ndarray
    implicit: np.ndarray
    order: int

    @property
    def gamma(self) -> float:
        return float(self.implicit[1, 1])

    def check(self) -> None:
        """Assert the structure this module relies on (used by the tests)."""
        a, b = self.explicit, self.implicit
        assert np.allclose(np.triu(a), 0) and np.allclose(np.triu(b, 1), 0)
        assert np.allclose(np.diag(b)[1:], self.gamma) and b[0, 0] == 0
        # stage times agree between the two tableaux
        assert np.allclose(a.sum(axis=1), b.sum(axis=1))
        # stiffly accurate: the last row of each gives the new value (sums to 1)
        assert math.isclose(b[-1].sum(), 1.0) and math.isclose(a[-1].sum(), 1.0)


def _ars222() -> IMEXTableau:
    gamma = 1.0 - 1.0 / math.sqrt(2.0)
    delta = 1.0 - 1.0 / (2.0 * gamma)
    explicit = np.array([[0.0, 0.0, 0.0],
                         [gamma, 0.0, 0.0],
                         [delta, 1.0 - delta, 0.0]])
    implicit = np.array([[0.0, 0.0, 0.0],
                         [0.0, gamma, 0.0],
                         [0.0, 1.0 - gamma, gamma]])
    return IMEXTableau(explicit, implicit, 2)


def _ars443() -> IMEXTableau:
    explicit = np.array([[0, 0, 0, 0, 0],
                         [1 / 2, 0, 0, 0, 0],
                         [11 / 18, 1 / 18, 0, 0, 0],
                         [5 / 6, -5 / 6, 1 / 2, 0, 0],
                         [1 / 4, 7 / 4, 3 / 4, -7 / 4, 0]], dtype=float)
    implicit = np.array([[0, 0, 0, 0, 0],
                         [0, 1 / 2, 0, 0, 0],
                         [0, 1 / 6, 1 / 2, 0, 0],
                         [0, -1 / 2, 1 / 2, 1 / 2, 0],
                         [0, 3 / 2, -3 / 2, 1 / 2, 1 / 2]], dtype=float)
    return IMEXTableau(explicit, implicit, 3)


TABLEAUX: dict[str, IMEXTableau] = {"ars222": _ars222(), "ars443": _ars443()}
"""IMEX pairs by method name."""


def imex_rk(tableau: IMEXTableau, problem: SemilinearProblem, dt: float) -> Step:
    """One-step map of the stiffly accurate IMEX Runge–Kutta pair ``tableau``."""
    solve = problem.linear.resolvent(tableau.gamma * dt)
    nonlinear, matvec = problem.nonlinear, problem.linear.matvec
    explicit, implicit = tableau.explicit * dt, tableau.implicit * dt
    gamma_dt = tableau.gamma * dt
    stages = explicit.shape[0]
    needs_lu0 = bool(np.any(implicit[:, 0] != 0))

    def step(u: np.ndarray) -> np.ndarray:
        n_values = [nonlinear(u)]
        l_values = [matvec(u) if needs_lu0 else None]
        stage = u
        for i in range(1, stages):
            rhs = u.copy()
            for j in range(i):
                if explicit[i, j] != 0:
                    rhs += explicit[i, j] * n_values[j]
                if implicit[i, j] != 0:
                    rhs += implicit[i, j] * l_values[j]
            stage = solve(rhs)
            if i < stages - 1:
                l_values.append((stage - rhs) / gamma_dt)
                n_values.append(nonlinear(stage))
        return stage

    return step


# Each pair registers as ``(problem, dt) -> step`` with the order its tableau carries.
for _name, _tableau in TABLEAUX.items():
    register_method(_name, order=_tableau.order)(partial(imex_rk, _tableau))
