"""The catalogue of :mod:`pdekit.optim`: every optimizer by name, with its capabilities.

It lives beside the package, not in it, so that reading it imports no TensorFlow
(``pdekit check``, ``pdekit list``).

It is read by :func:`pdekit.optim.minimize`, by the PINN training stages
(:mod:`pdekit.pinn.methods`, which adds only its runners) and by ``pdekit check``; an
entry's implementation is imported on first use only.

The family says how a method is called:

``first-order``
    Compiled loops of Adam/Adamax steps (:func:`pdekit.optim.first_order.first_order_steps`).
``quasi-newton``, ``newton``, ``least-squares``
    ``method(objective, x0, **options) -> OptimizeResult`` on an
    :class:`~pdekit.optim.objective.Objective` (a scalar loss) or, for least squares, a
    :class:`~pdekit.optim.gauss_newton.ResidualObjective`; the methods :func:`minimize`
    runs. Least squares also run on an explicit Jacobian
    (:mod:`pdekit.optim.explicit_least_squares`).
``federated-newton``
    FedNL over the ranks' shares of a loss (:func:`pdekit.optim.fednl.fednl`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pdekit.core.registry import Registry

FAMILIES = ("first-order", "quasi-newton", "newton", "least-squares", "federated-newton")


@dataclass(frozen=True)
class OptimizerTraits:
    """What an optimizer is and needs.

    Attributes
    ----------
    family
        How it is called (one of :data:`FAMILIES`, see the module docstring).
    first_order
        Uses gradients only, one per step.
    uses_hvp
        Uses Hessian-vector products of the loss (:mod:`pdekit.hvp`), or Gauss-Newton
        products ``J^T J v`` of a residual.
    least_squares
        Works on a residual vector rather than a scalar loss.
    line_search
        ``"armijo"``, ``"strong-wolfe"``, ``"backtracking"`` or None (a trust region, a
        damping, or a fixed learning rate).
    """

    family: str
    first_order: bool
    uses_hvp: bool
    least_squares: bool
    line_search: str | None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"optimizer family {self.family!r} is not one of {FAMILIES}")

    @property
    def minimizes_objective(self) -> bool:
        """Whether :func:`pdekit.optim.minimize` runs it (an objective in, a result out)."""
        return self.family in ("quasi-newton", "newton", "least-squares")


OPTIMIZERS: Registry[Callable[..., Any], OptimizerTraits] = Registry("optimizer",
                                                                     OptimizerTraits)
"""The optimizers by name (capabilities: :class:`OptimizerTraits`)."""
OPTIMIZERS.add_lazy("adam", "pdekit.optim.first_order:first_order_steps",
                    family="first-order", first_order=True, uses_hvp=False,
                    least_squares=False, line_search=None)
OPTIMIZERS.add_lazy("adamax", "pdekit.optim.first_order:first_order_steps",
                    family="first-order", first_order=True, uses_hvp=False,
                    least_squares=False, line_search=None)
OPTIMIZERS.add_lazy("lbfgs", "pdekit.optim.lbfgs:lbfgs", family="quasi-newton",
                    first_order=False, uses_hvp=False, least_squares=False,
                    line_search="strong-wolfe")
OPTIMIZERS.add_lazy("newton-cg", "pdekit.optim.newton_cg:newton_cg", family="newton",
                    first_order=False, uses_hvp=True, least_squares=False,
                    line_search="armijo")
OPTIMIZERS.add_lazy("trust-ncg", "pdekit.optim.trust_region:trust_region_ncg",
                    family="newton", first_order=False, uses_hvp=True, least_squares=False,
                    line_search=None)
OPTIMIZERS.add_lazy("gauss-newton", "pdekit.optim.gauss_newton:gauss_newton",
                    family="least-squares", first_order=False, uses_hvp=True,
                    least_squares=True, line_search="armijo")
OPTIMIZERS.add_lazy("levenberg-marquardt", "pdekit.optim.gauss_newton:levenberg_marquardt",
                    family="least-squares", first_order=False, uses_hvp=True,
                    least_squares=True, line_search=None)
OPTIMIZERS.add_lazy("fednl", "pdekit.optim.fednl:fednl", family="federated-newton",
                    first_order=False, uses_hvp=True, least_squares=False,
                    line_search="backtracking")
