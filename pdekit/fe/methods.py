"""The time integrators of finite-element ``turing`` runs, by name (no numerics imported).

The case schema reads the names and whether a method has an embedded error estimate;
:mod:`pdekit.fe.steppers` holds the methods themselves.
"""

from __future__ import annotations

FE_METHODS: dict[str, dict[str, object]] = {
    "ars222": {"order": 2, "estimate": True, "embedded_order": 1,
               "description": "IMEX Runge-Kutta ARS(2,2,2), L-stable implicit diffusion"},
    "ars443": {"order": 3, "estimate": False, "embedded_order": None,
               "description": "IMEX Runge-Kutta ARS(4,4,3), L-stable implicit diffusion"},
    "sbdf2": {"order": 2, "estimate": False, "embedded_order": None,
              "description": "semi-implicit BDF2 (first step ARS(2,2,2))"},
    "strang": {"order": 2, "estimate": False, "embedded_order": None,
               "description": "Strang splitting: SDIRK2 diffusion half steps, RK4 reaction"},
}
"""Methods of the finite-element path and their capabilities: ``order``, ``estimate``
(an embedded error estimate, so ``time.adaptive`` works) and ``embedded_order``."""


def fe_method_names(estimate: bool | None = None) -> tuple[str, ...]:
    """The method names, all or those with (``True``) or without an error estimate."""
    return tuple(name for name, caps in FE_METHODS.items()
                 if estimate is None or caps["estimate"] == estimate)
