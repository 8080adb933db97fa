"""The time integrators of finite-element ``turing`` runs, by name (no numerics imported).

The case schema reads the names and whether a method has an embedded error estimate;
:mod:`pdekit.fe.steppers` holds the methods themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.core.registry import Registry


@dataclass(frozen=True)
class FEMethodTraits:
    """A finite-element integrator's capabilities.

    Attributes
    ----------
    order
        Classical order.
    error_estimate
        An embedded error estimate, so ``time.adaptive`` works.
    embedded_order
        The order of the pair's lower member (None without an estimate).
    description
        One line for the case reference.
    """

    order: int
    error_estimate: bool
    embedded_order: int | None
    description: str


FE_METHODS: Registry[str, FEMethodTraits] = Registry("finite-element time integrator",
                                                     FEMethodTraits)
"""Methods of the finite-element path by name (capabilities: :class:`FEMethodTraits`)."""
FE_METHODS.add("ars222", "ars222", order=2, error_estimate=True, embedded_order=1,
               description="IMEX Runge-Kutta ARS(2,2,2), L-stable implicit diffusion")
FE_METHODS.add("ars443", "ars443", order=3, error_estimate=False, embedded_order=None,
               description="IMEX Runge-Kutta ARS(4,4,3), L-stable implicit diffusion")
FE_METHODS.add("sbdf2", "sbdf2", order=2, error_estimate=False, embedded_order=None,
               description="semi-implicit BDF2 (first step ARS(2,2,2))")
FE_METHODS.add("strang", "strang", order=2, error_estimate=False, embedded_order=None,
               description="Strang splitting: SDIRK2 diffusion half steps, RK4 reaction")


def fe_method_names(estimate: bool | None = None) -> tuple[str, ...]:
    """The method names, all or those with (``True``) or without an error estimate."""
    return tuple(FE_METHODS.names() if estimate is None
                 else FE_METHODS.names(error_estimate=estimate))
