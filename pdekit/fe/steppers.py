"""Time integrators for M dw/dt = −G(w) + M N(w) (:class:`~pdekit.fe.operator.FEOperator`):
diffusion implicit, reactions explicit, every implicit stage one cached factorization.

- ``ars222``, ``ars443``: the IMEX Runge–Kutta pairs of Ascher, Ruuth & Spiteri (Appl.
  Numer. Math. 25, 1997; tableaux in :mod:`pdekit.time.imex_rk`) with the mass matrix
  carried through the stages,

      (M + γh D K) U_i = M (u + h Σ_{j<i} Â_ij N(U_j)) − h Σ_{j<i} A_ij G(U_j) − γh D c b.

  ``ars222`` has an embedded first-order member sharing its stages: the same last stage
  with the explicit weights (1, 0) instead of (δ, 1 − δ), so the difference of the two is
  h (1 − δ) (M + γh D K)⁻¹ M (N(U_1) − N(u)) = O(h²), one extra solve per step (the
  controller of :func:`pdekit.time.integrate_adaptive` then uses q = 1).
- ``sbdf2``: semi-implicit BDF2 (Ascher, Ruuth & Wetton, SIAM J. Numer. Anal. 32, 1995),
  (3M + 2h D K) w⁺ = M (4w − w⁻ + 2h (2N(w) − N(w⁻))) − 2h D c b, started by one
  ``ars222`` step.
- ``strang``: Strang splitting (Strang 1968): half a diffusion step by Alexander's
  L-stable SDIRK2 (γ = 1 − 1/√2, two stages on one factorization), a classical RK4
  reaction step at every node, half a diffusion step.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from pdekit.fe.operator import FEOperator
from pdekit.time.imex_rk import TABLEAUX, IMEXTableau
from pdekit.time.splitting import rk4_step

Step = Callable[[np.ndarray], np.ndarray]
Nonlinear = Callable[[np.ndarray], np.ndarray]
Attempt = Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]]


def _imex_stages(tableau: IMEXTableau, op: FEOperator, nonlinear: Nonlinear, dt: float
                 ) -> Callable[[np.ndarray], tuple[np.ndarray, list[np.ndarray]]]:
    """``stages(u) -> (u_new, [N(U_0), N(U_1), ...])`` of one IMEX-RK step."""
    gamma = tableau.gamma
    solve = op.solver(gamma * dt)
    explicit, implicit = tableau.explicit * dt, tableau.implicit * dt
    count = explicit.shape[0]
    needs_g0 = bool(np.any(implicit[:, 0] != 0))  # ARS tableaux: never

    def stages(u: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        n_values = [nonlinear(u)]
        g_values = [op.diffuse(u) if needs_g0 else np.zeros_like(u)]
        stage = u
        for i in range(1, count):
            explicit_sum = u.copy()
            implicit_sum = np.zeros_like(u)
            for j in range(i):
                if explicit[i, j] != 0:
                    explicit_sum += explicit[i, j] * n_values[j]
                if implicit[i, j] != 0:
                    implicit_sum += implicit[i, j] * g_values[j]
            stage = solve(op.mass(explicit_sum) - implicit_sum)
            if i < count - 1:
                n_values.append(nonlinear(stage))
                g_values.append(op.diffuse(stage))
        return stage, n_values

    return stages


def imex_rk(name: str, op: FEOperator, nonlinear: Nonlinear, dt: float) -> Step:
    """One step of the ARS pair ``name`` (``"ars222"`` or ``"ars443"``)."""
    stages = _imex_stages(TABLEAUX[name], op, nonlinear, dt)
    return lambda u: stages(u)[0]


def ars222_attempt(op: FEOperator, nonlinear: Nonlinear) -> Attempt:
    """``attempt(u, dt) -> (u_new, error)``: ARS(2,2,2) and its embedded first-order
    member's difference (see the module docstring)."""
    tableau = TABLEAUX["ars222"]
    gamma = tableau.gamma
    delta = tableau.explicit[2, 0]

    def attempt(u: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        new, n_values = _imex_stages(tableau, op, nonlinear, dt)(u)
        error = op.solver(gamma * dt)(op.mass((dt * (1.0 - delta)) * (n_values[1] - n_values[0])),
                                      False)
        return new, error

    return attempt


def sbdf2(op: FEOperator, nonlinear: Nonlinear, dt: float) -> Step:
    """Semi-implicit BDF2; the step remembers the previous state (its first call takes
    an ARS(2,2,2) step)."""
    solve = op.solver(2.0 * dt / 3.0)
    start = imex_rk("ars222", op, nonlinear, dt)
    previous: list[np.ndarray] = []  # [w⁻, N(w⁻)] once a step was taken

    def step(u: np.ndarray) -> np.ndarray:
        n_now = nonlinear(u)
        if not previous:
            new = start(u)
        else:
            old, n_old = previous
            new = solve(op.mass(4.0 * u - old + (2.0 * dt) * (2.0 * n_now - n_old)) / 3.0)
        previous[:] = [u, n_now]
        return new

    return step


def sdirk2_diffusion(op: FEOperator, dt: float) -> Step:
    """Alexander's SDIRK2 for M dw/dt = −G(w), one factorization for both stages."""
    gamma = 1.0 - 1.0 / math.sqrt(2.0)
    solve = op.solver(gamma * dt)

    def step(u: np.ndarray) -> np.ndarray:
        mass_u = op.mass(u)
        first = solve(mass_u)
        return solve(mass_u - ((1.0 - gamma) * dt) * op.diffuse(first))

    return step


def strang(op: FEOperator, nonlinear: Nonlinear, dt: float) -> Step:
    """Strang splitting: SDIRK2 half step, RK4 reaction step, SDIRK2 half step."""
    half = sdirk2_diffusion(op, 0.5 * dt)
    return lambda u: half(rk4_step(nonlinear, half(u), dt))


def make_fe_stepper(method: str, op: FEOperator, nonlinear: Nonlinear, dt: float) -> Step:
    """The one-step map of ``method`` (a name of :data:`pdekit.fe.methods.FE_METHODS`)."""
    if method in TABLEAUX:
        return imex_rk(method, op, nonlinear, dt)
    if method == "sbdf2":
        return sbdf2(op, nonlinear, dt)
    if method == "strang":
        return strang(op, nonlinear, dt)
    raise ValueError(f"unknown method {method!r}; available: ars222, ars443, sbdf2, strang")


def make_fe_attempt(method: str, op: FEOperator, nonlinear: Nonlinear) -> Attempt:
    """The adaptive trial step of ``method`` (only ``ars222`` has an embedded estimate)."""
    if method != "ars222":
        raise ValueError(f"{method} has no embedded error estimate; use ars222")
    return ars222_attempt(op, nonlinear)
