"""The ``[model]`` section of a ``turing`` case: the reaction model, its preset and
parameter overrides, or the custom expressions, with the rules that tie them together
(BVAM's own keys only for ``name = "bvam"``, ``f`` and ``g`` only for the custom model).
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from pdekit.core.casemodel import Field, KeyError_, Section, choice
from pdekit.fd.models import BVAM, MODELS, preset_parameters
from pdekit.core.registry import did_you_mean

BVAM_KEYS = ("delta1", "delta2", "tau1", "tau2", "alpha", "beta", "gamma")
"""BVAM parameters accepted directly under ``[model]`` (the issue-2 schema)."""

_PRESET_HELP = "; ".join(
    f"{name}: " + (", ".join(f"{p} ({i})" for i, p in enumerate(cls.presets)) if cls is BVAM
                   else ", ".join(cls.presets))
    for name, cls in ((name, MODELS.get(name)) for name in MODELS.names(presets=True)))

_DEFAULT_HELP = ", ".join(f"{name} {MODELS.get(name).default_preset}"
                          for name in MODELS.names(presets=True))


class ModelSection(Section):
    """``[model]``: the reaction model, its parameters, and which terms to integrate."""

    name: choice(*MODELS.names()) = Field("bvam", description="reaction model")
    preset: str | int | None = Field(
        None, description=f"parameter set of the model (default: {_DEFAULT_HELP}); "
                          f"{_PRESET_HELP}")
    delta1: float | None = Field(None, description="bvam: override the preset's delta1")
    delta2: float | None = Field(None, description="bvam: override the preset's delta2")
    tau1: float | None = Field(None, description="bvam: override the preset's tau1")
    tau2: float | None = Field(None, description="bvam: override the preset's tau2")
    alpha: float | None = Field(None, description="bvam: override the preset's alpha")
    beta: float | None = Field(None, description="bvam: override the preset's beta")
    gamma: float | None = Field(None, description="bvam: override the preset's gamma")
    D: float | None = Field(None, gt=0, description="bvam: overall diffusion scale "
                                                    "multiplying delta1 and delta2 (default 1)")
    parameters: dict[str, float] | None = Field(
        None, description="table of parameters by name: overrides of the preset (e.g. F, k, "
                          "Du, Dv) or, for name = 'custom', the parameters of f and g, "
                          "including the diffusion coefficients Du and Dv")
    f: str | None = Field(None, description="custom: reaction term of u, an expression in u, "
                                            "v and the parameters, e.g. 'a - u + u**2*v'")
    g: str | None = Field(None, description="custom: reaction term of v")
    steady_guess: list[float] | None = Field(
        None, min_length=2, max_length=2, description="[u, v] start of the numerical search "
                                                      "for the homogeneous steady state "
                                                      "(custom models)")
    terms: Literal["full", "reaction", "diffusion"] = Field(
        "full", description="which terms to integrate")

    @model_validator(mode="after")
    def _keys_of_the_model(self) -> "ModelSection":
        expressions = MODELS.capabilities(self.name).expressions
        if self.name != BVAM.name:
            for key in (*BVAM_KEYS, "D"):
                if getattr(self, key) is not None:
                    raise KeyError_(key, f"no model.{key} for model {self.name!r} (a bvam "
                                         f"key; use model.parameters for {self.name} "
                                         f"parameters)", getattr(self, key))
        if not expressions:
            for key in ("f", "g", "steady_guess"):
                if getattr(self, key) is not None:
                    raise KeyError_(key, f"model.{key} only with name = 'custom'",
                                    getattr(self, key))
        self.parameter_values()  # raises for unknown presets and parameters
        return self

    def parameter_values(self) -> dict[str, float]:
        """The model's parameters: a preset with this section's overrides, or (custom
        model) the ``parameters`` table, checked to hold ``Du`` and ``Dv``.

        Raises
        ------
        KeyError_
            For an unknown preset or parameter, a preset of the custom model, or a custom
            model without its expressions or diffusion coefficients.
        """
        overrides = dict(self.parameters or {})
        if MODELS.capabilities(self.name).expressions:
            if self.preset is not None:
                raise KeyError_("preset", f"no preset for model {self.name!r}", self.preset)
            for key in ("f", "g"):
                if getattr(self, key) is None:
                    raise KeyError_(key, f"an expression for the reaction term {key}(u, v) "
                                         f"of the custom model")
            for key in ("Du", "Dv"):
                if key not in overrides:
                    raise KeyError_(f"parameters.{key}",
                                    f"the diffusion coefficient {key} of the custom model")
            return overrides
        try:
            values = preset_parameters(self.name, self.preset)
        except KeyError:
            presets = list(MODELS.get(self.name).presets)
            raise KeyError_("preset", f"a known {self.name} preset "
                                      f"{did_you_mean(str(self.preset), presets)}",
                            self.preset) from None
        if self.name == BVAM.name:
            values.update({key: getattr(self, key) for key in BVAM_KEYS
                           if getattr(self, key) is not None})
            values["D"] = 1.0 if self.D is None else self.D
        # every parameter the model has, the preset's and those with defaults (Du, Dv)
        known = {**MODELS.get(self.name)(**values).parameters(), **values}
        for key, value in overrides.items():
            if key not in known:
                raise KeyError_(f"parameters.{key}", f"a parameter of {self.name} "
                                                     f"{did_you_mean(key, list(known))}")
            values[key] = value
        return values

    def effective_parameters(self) -> dict[str, float]:
        """Every parameter the model runs with: :meth:`parameter_values` and the model's
        defaults for the rest (Gray–Scott's ``Du``, ``Dv``; BVAM's ``D``)."""
        values = self.parameter_values()
        if MODELS.capabilities(self.name).expressions:
            return values
        return MODELS.get(self.name)(**values).parameters()

    def changed_parameters(self) -> list[str]:
        """Names of the parameters whose value differs from the preset's; empty for the
        custom model, whose parameters all come from the case."""
        if MODELS.capabilities(self.name).expressions:
            return []
        preset = MODELS.get(self.name)(**preset_parameters(self.name, self.preset))
        return [key for key, value in self.effective_parameters().items()
                if preset.parameters()[key] != value]
