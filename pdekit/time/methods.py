"""One-step methods for du/dt = L u + N(u), chosen by name.

- ``rk4``: classical explicit Runge–Kutta on L u + N(u). Stable for real negative
  eigenvalues while dt·ρ(L) ≤ 2.785293563 (the RK4 stability interval on the real
  axis; Hairer & Wanner, *Solving ODEs II*, §IV.2), which :func:`max_stable_dt` reports.
- ``imex-euler``: Lie splitting, an implicit Euler diffusion step (I - dt L)^{-1} then
  an RK4 step of the reaction du/dt = N(u). First order.
- ``strang``: Strang splitting, half a step of diffusion, a full RK4 reaction step,
  half a step of diffusion (Strang 1968). The diffusion half-steps are exact where the
  linear part offers ``exponential`` (Fourier-diagonal L); otherwise they use the
  L-stable, second-order two-stage SDIRK method of Alexander (1977), γ = 1 - 1/√2,
  whose two stages share one factorization of (I - γ dt/2 L). Second order overall.
- ``etdrk4``: exponential time differencing RK4 (Cox & Matthews 2002) with the
  Kassam–Trefethen (2005) contour-integral coefficients; L must be diagonal in a fast
  transform (FFT/DCT). Fourth order, exact for N = 0. See :mod:`pdekit.time.etd`.
- ``ars222``, ``ars443``: IMEX Runge–Kutta pairs of Ascher, Ruuth & Spiteri (1997),
  orders 2 and 3, for any linear part. See :mod:`pdekit.time.imex_rk`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from pdekit.time.etd import etdrk4
from pdekit.time.imex_rk import make_ars
from pdekit.time.problem import Nonlinear, SemilinearProblem

Step = Callable[[np.ndarray], np.ndarray]

RK4_REAL_STABILITY = 2.785293563405282
"""|z| where the RK4 stability polynomial 1 + z + z²/2 + z³/6 + z⁴/24 reaches 1 on the
negative real axis."""


def rk4_step(f: Callable[[np.ndarray], np.ndarray], u: np.ndarray, dt: float) -> np.ndarray:
    """One classical RK4 step of du/dt = f(u)."""
    k1 = f(u)
    k2 = f(u + 0.5 * dt * k1)
    k3 = f(u + 0.5 * dt * k2)
    k4 = f(u + dt * k3)
    return u + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


def _rk4(problem: SemilinearProblem, dt: float) -> Step:
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


def _imex_euler(problem: SemilinearProblem, dt: float) -> Step:
    diffuse = problem.linear.resolvent(dt)
    react = _reaction_step(problem.nonlinear, dt)
    return lambda u: react(diffuse(u))


def linear_flow(problem: SemilinearProblem, dt: float) -> Step:
    """Advance du/dt = L u by ``dt``: exactly where L offers ``exponential``, else SDIRK2."""
    exponential = getattr(problem.linear, "exponential", None)
    return exponential(dt) if exponential is not None else sdirk2_linear(problem, dt)


def _strang(problem: SemilinearProblem, dt: float) -> Step:
    half_diffusion = linear_flow(problem, 0.5 * dt)
    react = _reaction_step(problem.nonlinear, dt)
    return lambda u: half_diffusion(react(half_diffusion(u)))


METHODS: dict[str, Callable[[SemilinearProblem, float], Step]] = {
    "rk4": _rk4,
    "imex-euler": _imex_euler,
    "strang": _strang,
    "etdrk4": etdrk4,
    "ars222": make_ars("ars222"),
    "ars443": make_ars("ars443"),
}
"""Method name -> factory ``(problem, dt) -> step``."""

ORDERS = {"rk4": 4, "imex-euler": 1, "strang": 2, "etdrk4": 4, "ars222": 2, "ars443": 3}
"""Classical order of each method."""


def make_stepper(method: str, problem: SemilinearProblem, dt: float) -> Step:
    """Return the one-step map ``u_n -> u_{n+1}`` of ``method`` with step ``dt``.

    Raises
    ------
    ValueError
        For an unknown method name (the message lists the known ones).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; available: {', '.join(METHODS)}")
    return METHODS[method](problem, dt)


def max_stable_dt(method: str, problem: SemilinearProblem) -> float:
    """Largest linearly stable step for the stiff part L (``inf`` if unconditional).

    Only ``rk4`` treats L explicitly; the reaction terms' own (mild) limit is not
    included.
    """
    if method != "rk4":
        return math.inf
    return rk4_max_dt(problem.linear.spectral_radius())


def rk4_max_dt(spectral_radius: float) -> float:
    """Largest stable RK4 step for a linear part with real eigenvalues in [-ρ, 0]."""
    return math.inf if spectral_radius == 0 else RK4_REAL_STABILITY / spectral_radius
