"""Classical RK4 and the operator-splitting methods built on it.

- ``rk4``: classical explicit Runge–Kutta on L u + N(u). Stable for real negative
  eigenvalues while dt·ρ(L) ≤ 2.785293563 (:data:`~pdekit.time.methods.RK4_REAL_STABILITY`).
- ``imex-euler``: Lie splitting, an implicit Euler diffusion step (I - dt L)^{-1} then
  an RK4 step of the reaction du/dt = N(u). First order.
- ``strang``: Strang splitting, half a step of diffusion, a full RK4 reaction step,
  half a step of diffusion (Strang 1968). The diffusion half-steps are exact where the
  linear part offers ``exponential`` (Fourier-diagonal L); otherwise they use the
  L-stable, second-order two-stage SDIRK method of Alexander (1977), γ = 1 - 1/√2,
  whose two stages share one factorization of (I - γ dt/2 L). Second order overall.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from pdekit.time.methods import RK4_REAL_STABILITY, Step, register_method

if TYPE_CHECKING:
    from pdekit.time.problem import Nonlinear, SemilinearProblem


def rk4_step(f: Callable[[np.ndarray], np.ndarray], u: np.ndarray, dt: float) -> np.ndarray:
    """One classical RK4 step of du/dt = f(u)."""
    k1 = f(u)
    k2 = f(u + 0.5 * dt * k1)
    k3 = f(u + 0.5 * dt * k2)
    k4 = f(u + dt * k3)
    return u + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@register_method("rk4", order=4, stability_interval=RK4_REAL_STABILITY)
def rk4(problem: SemilinearProblem, dt: float) -> Step:
    """Classical RK4 on the whole right-hand side L u + N(u)."""
    return lambda u: rk4_step(problem.rhs, u, dt)


def _reaction_step(nonlinear: Nonlinear, dt: float) -> Step:
    return lambda u: rk4_step(nonlinear, u, dt)


def sdirk2_linear(problem: SemilinearProblem, dt: float) -> Step:
    """Alexander's L-stable SDIRK2 step for du/dt = L u (one cached factorization)."""
    gamma = 1.0 - 1.0 / math.sqrt(2.0)
    solve = problem.linear.resolvent(gamma * dt)
    matvec = problem.linear.matvec

    def step(u: np.ndarray) -> np.ndarray:
        stage1 = solve(u)
        return solve(u + (1.0 - gamma) * dt * matvec(stage1))

    return step


@register_method("imex-euler", order=1)
def imex_euler(problem: SemilinearProblem, dt: float) -> Step:
    """Lie splitting: implicit Euler diffusion, then an RK4 reaction step."""
    diffuse = problem.linear.resolvent(dt)
    react = _reaction_step(problem.nonlinear, dt)
    return lambda u: react(diffuse(u))


def linear_flow(problem: SemilinearProblem, dt: float) -> Step:
    """Advance du/dt = L u by ``dt``: exactly where L offers ``exponential``, else SDIRK2."""
    exponential = getattr(problem.linear, "exponential", None)
    return exponential(dt) if exponential is not None else sdirk2_linear(problem, dt)


@register_method("strang", order=2)
def strang(problem: SemilinearProblem, dt: float) -> Step:
    """Strang splitting: half a diffusion step, an RK4 reaction step, half a diffusion step."""
    half_diffusion = linear_flow(problem, 0.5 * dt)
    react = _reaction_step(problem.nonlinear, dt)
    return lambda u: half_diffusion(react(half_diffusion(u)))
