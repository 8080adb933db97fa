"""The ``[model]`` table of a ``turing`` case, turned into a reaction model.

Checks that the keys belong to the chosen model (BVAM's legacy top-level keys, preset
names, ``model.parameters`` entries, the custom model's expressions) and raises a
one-line :class:`~pdekit.errors.CaseError` naming the key otherwise.
"""

from __future__ import annotations

import math

from pdekit.cases import Case
from pdekit.errors import CaseError
from pdekit.expr import ExpressionError
from pdekit.fd.models import BVAM, MODELS, ExpressionModel, ReactionModel, preset_parameters
from pdekit.schema import did_you_mean

BVAM_KEYS = ("delta1", "delta2", "tau1", "tau2", "alpha", "beta", "gamma")
"""BVAM parameters accepted directly under ``[model]`` (the issue-2 schema)."""


def _model_parameters(case: Case, cls: type[ReactionModel]) -> dict[str, float]:
    """Preset parameters with the case's overrides (raises CaseError for bad ones)."""
    name, preset = case["model.name"], case["model.preset"]
    try:
        parameters = preset_parameters(name, preset)
    except KeyError:
        raise CaseError(case.source, "model.preset",
                        f"a known {name} preset {did_you_mean(str(preset), list(cls.presets))}",
                        preset) from None
    if cls is BVAM:
        for key in BVAM_KEYS:
            if case.params["model"][key] is not None:
                parameters[key] = case.params["model"][key]
        parameters["D"] = 1.0 if case["model.D"] is None else case["model.D"]
    for key, value in (case["model.parameters"] or {}).items():
        if key not in parameters:
            raise CaseError(case.source, f"model.parameters.{key}",
                            f"a parameter of {name} {did_you_mean(key, list(parameters))}", None)
        parameters[key] = _number(case, f"model.parameters.{key}", value)
    return parameters


def _number(case: Case, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CaseError(case.source, key, "a number", value)
    return float(value)


def build_model(case: Case) -> ReactionModel:
    """The reaction model of a case (preset + overrides, or the custom expressions).

    Raises
    ------
    CaseError
        For keys that do not belong to the model, unknown presets or parameters, and
        invalid or unsafe expressions.
    """
    name = case["model.name"]
    cls = MODELS[name]
    model_keys = case.params["model"]
    if cls is not BVAM:
        for key in (*BVAM_KEYS, "D"):
            if model_keys[key] is not None:
                raise CaseError(case.source, f"model.{key}",
                                f"no model.{key} for model {name!r} (a bvam key; use "
                                f"model.parameters for {name} parameters)", model_keys[key])
    if cls is not ExpressionModel:
        for key in ("f", "g", "steady_guess"):
            if model_keys[key] is not None:
                raise CaseError(case.source, f"model.{key}",
                                f"model.{key} only with name = 'custom'", model_keys[key])
        model = cls(**_model_parameters(case, cls))
    else:
        model = _custom_model(case)
    for key, value in zip(("Du", "Dv"), model.diffusion):
        if not (math.isfinite(value) and value >= 0):
            raise CaseError(case.source, "model.parameters",
                            f"a diffusion coefficient >= 0 ({key} of u, v)", value)
    return model


def _custom_model(case: Case) -> ExpressionModel:
    if case["model.preset"] is not None:
        raise CaseError(case.source, "model.preset", "no preset for model 'custom'",
                        case["model.preset"])
    parameters = {key: _number(case, f"model.parameters.{key}", value)
                  for key, value in (case["model.parameters"] or {}).items()}
    for key in ("f", "g"):
        if case[f"model.{key}"] is None:
            raise CaseError(case.source, f"model.{key}",
                            f"an expression for the reaction term {key}(u, v) of the custom model")
    for key in ("Du", "Dv"):
        if key not in parameters:
            raise CaseError(case.source, f"model.parameters.{key}",
                            f"the diffusion coefficient {key} of the custom model")
    guess = case["model.steady_guess"] or [0.0, 0.0]
    if len(guess) != 2:
        raise CaseError(case.source, "model.steady_guess", "a list [u, v] of two numbers", guess)
    for key in ("f", "g"):
        try:
            ExpressionModel(case[f"model.{key}"], "0", parameters, tuple(guess))
        except ExpressionError as error:
            raise CaseError(case.source, f"model.{key}", f"a safe math expression ({error})",
                            case[f"model.{key}"]) from None
    return ExpressionModel(case["model.f"], case["model.g"], parameters, tuple(guess))
