"""Two-species reaction models by name, with their presets.

``MODELS`` is the registry of model classes by case-file name (``[model] name``);
built-in classes are frozen dataclasses of their parameters with named ``presets``
(capability ``presets``). The ``custom`` model takes its reaction terms as expressions
(:mod:`.custom`; capability ``expressions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.fd.models.base import ReactionModel, SteadyStateError, find_steady_state
from pdekit.fd.models.bvam import BVAM, BVAM_PRESET_ALIASES, BVAM_PRESETS, bvam_preset
from pdekit.fd.models.classic import Brusselator, FitzHughNagumo, GrayScott, Schnakenberg
from pdekit.fd.models.custom import ExpressionModel
from pdekit.core.registry import Registry


@dataclass(frozen=True)
class ModelTraits:
    """Where a reaction model's terms come from (see :data:`MODELS`)."""

    presets: bool
    expressions: bool


MODELS: Registry[type[ReactionModel], ModelTraits] = Registry("reaction model", ModelTraits)
"""Reaction model classes by name; capabilities: ``presets`` (parameters come from named
presets with overrides) or ``expressions`` (f and g are given in the case file)."""
for _cls in (BVAM, GrayScott, Schnakenberg, Brusselator, FitzHughNagumo):
    MODELS.add(_cls.name, _cls, presets=True, expressions=False)
MODELS.add(ExpressionModel.name, ExpressionModel, presets=False, expressions=True)


def preset_parameters(model: str, preset: str | int | None) -> dict[str, float]:
    """Parameters of ``preset`` of the built-in ``model`` (its default preset for None).

    Raises
    ------
    KeyError
        For an unknown preset name.
    """
    cls = MODELS.get(model)
    if preset is None:
        preset = cls.default_preset
    if cls is BVAM:
        return bvam_preset(preset)
    if str(preset) not in cls.presets:
        raise KeyError(preset)
    return dict(cls.presets[str(preset)])


__all__ = ["BVAM", "BVAM_PRESETS", "BVAM_PRESET_ALIASES", "Brusselator", "ExpressionModel",
           "FitzHughNagumo", "GrayScott", "MODELS", "ReactionModel", "Schnakenberg",
           "SteadyStateError", "bvam_preset", "find_steady_state", "preset_parameters"]
