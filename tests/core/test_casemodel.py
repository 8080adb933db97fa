"""Typed case models: every validation failure is one line naming file, key, expected, given."""

from pathlib import Path
from typing import Annotated, Literal, Union

import pytest
from pydantic import Field, model_validator

from pdekit.core.casefields import describe_model
from pdekit.core.casemodel import KeyError_, KindCase, Section, case_from_document, choice
from pdekit.core.cases import apply_override
from pdekit.errors import CaseError


class Grid(Section):
    n: int = Field(100, ge=3, description="points per side")
    length: float = Field(2.0, gt=0, description="side of the square")
    boundary: Literal["periodic", "neumann"] = Field("periodic", description="walls")
    origin: list[float] = Field(default_factory=lambda: [0.0, 0.0], min_length=2, max_length=2,
                                description="corner")


class Time(Section):
    method: choice("rk4", "etdrk4") = Field("rk4", description="integrator")  # type: ignore
    dt: float = Field(0.05, gt=0, description="step")
    T: float = Field(150.0, gt=0, description="final time")

    @model_validator(mode="after")
    def _step_fits(self) -> "Time":
        if self.dt > self.T:
            raise KeyError_("dt", f"a step <= T = {self.T}", self.dt)
        return self


class Adam(Section):
    method: Literal["adam"]
    lr: float = Field(1e-3, gt=0)


class GaussNewton(Section):
    method: Literal["gauss-newton"]
    damping: float | None = None


class Training(Section):
    stages: list[Annotated[Union[Adam, GaussNewton], Field(discriminator="method")]] = \
        Field(default_factory=lambda: [Adam(method="adam")], description="stages")
    parameters: dict[str, float] = Field(default_factory=dict, description="named numbers")


class Demo(KindCase):
    grid: Grid = Grid()
    time: Time = Time()
    training: Training = Training()


def load(document: dict) -> Demo:
    return case_from_document(Demo, {"case": {"kind": "demo"}, **document}, Path("c.toml"))


def test_defaults_and_attributes():
    case = load({"grid": {"n": 64}})
    assert case.grid.n == 64 and case.grid.length == 2.0 and case.time.method == "rk4"
    assert case.name == "c" and case.source == Path("c.toml")
    assert isinstance(case.training.stages[0], Adam)


def test_mutable_defaults_are_not_shared():
    first, second = load({}), load({})
    assert first.grid.origin == second.grid.origin
    assert first.grid.origin is not second.grid.origin
    assert first.training.parameters is not second.training.parameters


@pytest.mark.parametrize("document, message", [
    ({"grid": {"n": 2}}, "c.toml: grid.n: expected a number >= 3, got 2"),
    ({"grid": {"n": 2.0}}, "c.toml: grid.n: expected an integer, got 2.0"),
    ({"grid": {"n": True}}, "c.toml: grid.n: expected an integer, got True"),
    ({"grid": {"n": "64"}}, "c.toml: grid.n: expected an integer, got '64'"),
    ({"grid": {"length": float("inf")}}, "c.toml: grid.length: expected a finite number"),
    ({"grid": {"length": float("nan")}}, "c.toml: grid.length: expected a finite number"),
    ({"grid": {"nn": 3}}, "c.toml: grid.nn: expected a known key (did you mean 'n'?)"),
    ({"gird": {}}, "c.toml: gird: expected a known section (did you mean 'grid'?) of kind"),
    ({"grid": 5}, "c.toml: grid: expected a table ([section]), got 5"),
    ({"grid": {"boundary": "wall"}}, "grid.boundary: expected one of 'periodic' or 'neumann'"),
    ({"grid": {"origin": [1.0]}}, "c.toml: grid.origin: expected a list of 2 items"),
    ({"time": {"method": "rk5"}}, "time.method: expected one of 'rk4' or 'etdrk4', got 'rk5'"),
    ({"time": {"dt": 200}}, "c.toml: time.dt: expected a step <= T = 150.0, got 200.0"),
    ({"training": {"stages": [{"method": "adam", "lrr": 1}]}},
     "training.stages[0].lrr: expected a known key (did you mean 'lr'?)"),
    ({"training": {"stages": [{"method": "adm"}]}},
     "training.stages[0].method: expected one of 'adam', 'gauss-newton', got 'adm'"),
    ({"training": {"stages": [{"method": "adam"}, {"lr": 1}]}},
     "training.stages[1].method: expected a value (one of 'adam', 'gauss-newton')"),
    ({"training": {"stages": [{"method": "adam", "lr": "x"}]}},
     "training.stages[0].lr: expected a number, got 'x'"),
    ({"training": {"parameters": {"a": "x"}}},
     "training.parameters.a: expected a number, got 'x'"),
    ({"training": {"parameters": {"a": float("inf")}}},
     "training.parameters.a: expected a finite number"),
])
def test_errors_are_one_line_with_file_key_expected_given(document, message):
    with pytest.raises(CaseError) as caught:
        load(document)
    text = str(caught.value)
    assert message in text and "\n" not in text


def test_unknown_case_key():
    with pytest.raises(CaseError, match=r"case.nam: expected a known key \(did you mean 'name'"):
        case_from_document(Demo, {"case": {"kind": "demo", "nam": "x"}}, Path("c.toml"))


def test_overrides_are_typed_by_the_model():
    document: dict = {"case": {"kind": "demo"}}
    for override in ("grid.n=5", "time.method=etdrk4", "training.parameters.a=3",
                     "training.stages=[{method = 'gauss-newton', damping = 1e-3}]"):
        apply_override(document, override, Demo)
    assert document["grid"] == {"n": 5}
    assert document["time"] == {"method": "etdrk4"}  # a bare word for a text key
    case = case_from_document(Demo, document, Path("c.toml"), ("…",))
    assert case.training.parameters == {"a": 3.0}
    assert case.training.stages[0].damping == 1e-3
    assert case.source_label == "c.toml (with --set)"


@pytest.mark.parametrize("override, message", [
    ("grid.nx=3", "--set: grid.nx: expected a known key (did you mean 'n'?)"),
    ("gridx.n=3", "--set: gridx.n: expected a known section (did you mean 'grid'?)"),
    ("grid.n.x=3", "--set: grid.n.x: expected a key of a table, not of grid.n"),
    ("grid=3", "--set: grid=3: expected SECTION.KEY=VALUE"),
])
def test_bad_overrides(override, message):
    with pytest.raises(CaseError) as caught:
        apply_override({"case": {"kind": "demo"}}, override, Demo)
    assert str(caught.value) == message


def test_describe_lists_every_key_with_type_default_and_help():
    lines = "\n".join(describe_model(Demo))
    assert "[grid]" in lines and "[case]" not in lines
    assert "n              integer = 100: points per side" in lines
    assert "method         string = \"rk4\" (one of rk4, etdrk4): integrator" in lines
    assert "stages         list of table" in lines


def test_resolved_is_plain_data_with_the_name():
    resolved = load({"grid": {"n": 8}}).resolved()
    assert resolved["case"] == {"kind": "demo", "name": "c"}
    assert resolved["grid"]["n"] == 8 and resolved["training"]["stages"] == [
        {"method": "adam", "lr": 1e-3}]
