"""Training methods by name: the registry of PINN training stages (no TensorFlow).

Each method registers its name, the family of case-file keys it takes (one stage model per
family in :mod:`pdekit.pinn.schema`) and its capabilities; the runner itself (which imports
TensorFlow) is loaded on first use, so ``pdekit check`` validates stages without it.

Capabilities
------------
family
    ``"first-order"``, ``"least-squares"``, ``"newton"``, ``"quasi-newton"`` or
    ``"federated-newton"``: which stage
    keys the method takes.
first_order
    Uses gradients only, one per step (Adam, Adamax).
uses_hvp
    Uses Hessian-vector products of the loss (:mod:`pdekit.hvp`), or Gauss-Newton products
    ``J^T J v`` for the least-squares methods with ``jacobian = "products"``.
least_squares
    Works on the residual vector rather than the scalar loss.
"""

from __future__ import annotations

from typing import Any, Callable

from pdekit.registry import Registry

__all__ = ["STAGES", "family_methods"]

StageRunner = Callable[..., Any]
"""``runner(trainer, stage, monitor) -> StageReport`` (see :mod:`pdekit.pinn.training`)."""

STAGES: Registry[StageRunner] = Registry("training method")
STAGES.add_lazy("adam", "pdekit.pinn.first_order:run_first_order", family="first-order",
                first_order=True, uses_hvp=False, least_squares=False)
STAGES.add_lazy("adamax", "pdekit.pinn.first_order:run_first_order", family="first-order",
                first_order=True, uses_hvp=False, least_squares=False)
STAGES.add_lazy("lbfgs", "pdekit.pinn.training:run_shared", family="quasi-newton",
                first_order=False, uses_hvp=False, least_squares=False)
STAGES.add_lazy("newton-cg", "pdekit.pinn.training:run_shared", family="newton",
                first_order=False, uses_hvp=True, least_squares=False)
STAGES.add_lazy("trust-ncg", "pdekit.pinn.training:run_shared", family="newton",
                first_order=False, uses_hvp=True, least_squares=False)
STAGES.add_lazy("gauss-newton", "pdekit.pinn.explicit_lsq:run_least_squares",
                family="least-squares", first_order=False, uses_hvp=True, least_squares=True)
STAGES.add_lazy("levenberg-marquardt", "pdekit.pinn.explicit_lsq:run_least_squares",
                family="least-squares", first_order=False, uses_hvp=True, least_squares=True)
STAGES.add_lazy("fednl", "pdekit.pinn.fednl:run_fednl", family="federated-newton",
                first_order=False, uses_hvp=True, least_squares=False)


def family_methods(family: str) -> tuple[str, ...]:
    """The method names of one key family (the tags of one stage model)."""
    return tuple(STAGES.names(family=family))
