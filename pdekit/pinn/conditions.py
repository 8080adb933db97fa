"""The condition on one boundary part of a poisson-pinn case (no TensorFlow: the case's
preparation builds them)."""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.expr import Expression

__all__ = ["Condition"]


@dataclass(frozen=True)
class Condition:
    """The condition on one boundary part: ``kind`` is ``"dirichlet"`` (``u = value``),
    ``"neumann"`` (``du/dn = value``) or ``"robin"`` (``du/dn + coefficient u = value``);
    ``value`` None means "from the exact solution" (Dirichlet: ``problem.boundary`` first)."""

    kind: str
    value: Expression | None = None
    coefficient: float = 0.0
