"""One-step methods for du/dt = L u + N(u), chosen by name from one registry.

Each method registers itself where it is defined (Dedalus's ``@add_scheme`` style) with
its name and capabilities:

``order``
    Classical order of accuracy.
``explicit_linear``, ``stability_interval``
    L is treated explicitly, so the step is limited by stability: dt·ρ(L) must not
    exceed ``stability_interval``, the length of the method's stability interval on the
    negative real axis (see :func:`max_stable_dt`).
``needs_diagonal``
    L must be diagonal in a fast transform (FFT/DCT): exponential integrators.
``error_estimate``
    The method has an embedded error estimate, so steps can be chosen adaptively;
    ``embedded`` is then the factory ``problem -> attempt(u, dt) -> (u_new, error)`` and
    ``embedded_order`` the order q of the lower-order member of the pair.

The built-in methods are in :mod:`pdekit.time.splitting` (``rk4``, ``imex-euler``,
``strang``), :mod:`pdekit.time.etd` (``etdrk4``) and :mod:`pdekit.time.imex_rk`
(``ars222``, ``ars443``), which the package imports after this module (they build on
it). Registering imports none of their heavy dependencies (numba, the FFT libraries,
scipy): ``pdekit list`` reads names and capabilities only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from pdekit.core.registry import Registry

if TYPE_CHECKING:
    from pdekit.time.adaptive import Attempt
    from pdekit.time.problem import SemilinearProblem


@dataclass(frozen=True)
class IntegratorTraits:
    """A time integrator's capabilities (see the module docstring)."""

    order: int
    explicit_linear: bool
    stability_interval: float | None
    needs_diagonal: bool
    error_estimate: bool
    embedded: Callable[..., Any] | None
    embedded_order: int | None

Step = Callable[[np.ndarray], np.ndarray]
"""A one-step map ``u_n -> u_{n+1}``."""

StepFactory = Callable[["SemilinearProblem", float], Step]
"""``(problem, dt) -> step``: how a method is registered."""

METHODS: Registry[StepFactory, IntegratorTraits] = Registry("time integrator", IntegratorTraits)
"""Time integrators by name, with their capabilities (see the module docstring)."""

RK4_REAL_STABILITY = 2.785293563405282
"""|z| where the RK4 stability polynomial 1 + z + z²/2 + z³/6 + z⁴/24 reaches 1 on the
negative real axis (Hairer & Wanner, *Solving ODEs II*, §IV.2)."""


def register_method(name: str, *, order: int, stability_interval: float | None = None,
                    needs_diagonal: bool = False, embedded: Callable[..., Any] | None = None,
                    embedded_order: int | None = None) -> Callable[[StepFactory], StepFactory]:
    """Decorator registering a step factory ``(problem, dt) -> step`` in :data:`METHODS`.

    Parameters
    ----------
    name
        The method's name (``time.method`` in a case file).
    order
        Classical order.
    stability_interval
        For methods treating L explicitly: the stability interval's length on the
        negative real axis (None for methods stable for any step).
    needs_diagonal
        Whether L must be diagonal in a fast transform.
    embedded, embedded_order
        Factory of the embedded pair ``problem -> attempt`` and the order of its
        lower-order member, for methods with an error estimate.
    """
    return METHODS.register(name, order=order,
                            explicit_linear=stability_interval is not None,
                            stability_interval=stability_interval,
                            needs_diagonal=needs_diagonal,
                            error_estimate=embedded is not None,
                            embedded=embedded, embedded_order=embedded_order)


def make_stepper(method: str, problem: SemilinearProblem, dt: float) -> Step:
    """Return the one-step map ``u_n -> u_{n+1}`` of ``method`` with step ``dt``.

    Raises
    ------
    pdekit.core.registry.UnknownName
        For an unknown method name (the message names the close or known ones).
    """
    return METHODS.get(method)(problem, dt)


def make_attempt(method: str, problem: SemilinearProblem) -> Attempt:
    """The adaptive trial step ``attempt(u, dt) -> (u_new, error)`` of ``method``.

    Raises
    ------
    ValueError
        If ``method`` has no embedded error estimate.
    """
    embedded = METHODS.capabilities(method).embedded
    if embedded is None:
        raise ValueError(f"{method} has no embedded error estimate; methods with one: "
                         f"{', '.join(METHODS.names(error_estimate=True))}")
    return embedded(problem)


def max_stable_dt(method: str, problem: SemilinearProblem) -> float:
    """Largest linearly stable step for the stiff part L (``inf`` if unconditional).

    Only methods that treat L explicitly have a limit, their stability interval / ρ(L);
    the reaction terms' own (mild) limit is not included.
    """
    return stable_dt(method, problem.linear.spectral_radius())


def stable_dt(method: str, spectral_radius: float) -> float:
    """Largest linearly stable step of ``method`` for real eigenvalues of L in [-ρ, 0]."""
    interval = METHODS.capabilities(method).stability_interval
    if interval is None or spectral_radius == 0:
        return math.inf
    return interval / spectral_radius


def rk4_max_dt(spectral_radius: float) -> float:
    """Largest stable RK4 step for a linear part with real eigenvalues in [-ρ, 0]."""
    return math.inf if spectral_radius == 0 else RK4_REAL_STABILITY / spectral_radius
