"""Training methods by name: the optimizers of :mod:`pdekit.optim`, each with the PINN stage
runner of its family (no TensorFlow).

The capabilities are the optimizers' own (:class:`pdekit.optimizers.OptimizerTraits`,
read from :data:`pdekit.optim.OPTIMIZERS`, not repeated here); this table adds only which
runner drives a method on a network's weights. A method's family also names the case-file
keys its stage takes (one stage model per family in :mod:`pdekit.pinn.schema`). The runners
(which import TensorFlow) load on first use, so ``pdekit check`` validates stages without it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from pdekit.optimizers import OPTIMIZERS, OptimizerTraits
from pdekit.core.registry import Registry

__all__ = ["STAGES", "family_methods"]

StageRunner = Callable[..., Any]
"""``runner(trainer, stage, monitor) -> StageReport`` (see :mod:`pdekit.pinn.training`)."""

RUNNERS = {
    "first-order": "pdekit.pinn.first_order:run_first_order",
    "quasi-newton": "pdekit.pinn.training:run_shared",
    "newton": "pdekit.pinn.training:run_shared",
    "least-squares": "pdekit.pinn.explicit_lsq:run_least_squares",
    "federated-newton": "pdekit.pinn.fednl:run_fednl",
}
"""The stage runner of each optimizer family."""

STAGES: Registry[StageRunner, OptimizerTraits] = Registry("training method", OptimizerTraits)
for _name in OPTIMIZERS:
    _traits = OPTIMIZERS.capabilities(_name)
    STAGES.add_lazy(_name, RUNNERS[_traits.family], **dataclasses.asdict(_traits))


def family_methods(family: str) -> tuple[str, ...]:
    """The method names of one key family (the tags of one stage model)."""
    return tuple(STAGES.names(family=family))
