"""The one registry style: names, capabilities, lazy targets, did-you-mean errors."""

import dataclasses
from dataclasses import dataclass

import pytest

from pdekit.core.registry import NoTraits, Registry, UnknownName, did_you_mean


@dataclass(frozen=True)
class SchemeTraits:
    order: int
    error_estimate: bool


@dataclass(frozen=True)
class HeavyTraits:
    heavy: bool


def test_register_decorator_keeps_object_and_capabilities():
    schemes = Registry[type, SchemeTraits]("time integrator", SchemeTraits)

    @schemes.register("euler", order=1, error_estimate=False)
    class Euler:
        pass

    @schemes.register("heun", order=2, error_estimate=True)
    class Heun:
        pass

    assert schemes.get("euler") is Euler
    assert schemes.capabilities("heun").order == 2
    assert schemes.names() == ["euler", "heun"]
    assert schemes.names(error_estimate=True) == ["heun"]
    assert "euler" in schemes and "rk4" not in schemes and len(schemes) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        schemes.capabilities("euler").order = 5  # read-only


def test_capabilities_are_typed_at_registration_and_lookup():
    schemes = Registry[type, SchemeTraits]("time integrator", SchemeTraits)
    with pytest.raises(TypeError, match="unexpected keyword argument 'ordr'"):
        schemes.add("euler", object, ordr=1, error_estimate=False)  # misspelt
    with pytest.raises(TypeError, match="missing 1 required"):
        schemes.add("euler", object, order=1)  # one missing
    schemes.add("euler", object, order=1, error_estimate=False)
    with pytest.raises(TypeError, match="have no stiff"):
        schemes.names(stiff=True)
    with pytest.raises(TypeError, match="frozen dataclass"):
        Registry[int, dict]("kind", dict)


def test_unknown_name_suggests_the_closest_or_lists_all():
    registry = Registry[int, NoTraits]("optimizer")
    registry.add("newton-cg", 1)
    registry.add("lbfgs", 2)
    with pytest.raises(UnknownName, match=r"a known optimizer \(did you mean 'newton-cg'\?\)"):
        registry.get("newton_cg")
    with pytest.raises(UnknownName, match=r"\(available: lbfgs, newton-cg\)"):
        registry.get("zzz")


def test_twice_registered_name_is_an_error():
    registry = Registry[int, NoTraits]("kind")
    registry.add("a", 1)
    with pytest.raises(ValueError, match="registered twice"):
        registry.add("a", 2)


def test_lazy_target_loads_on_first_get_only(monkeypatch):
    import sys

    registry = Registry[object, HeavyTraits]("kind", HeavyTraits)
    registry.add_lazy("json-dumps", "json:dumps", heavy=True)
    monkeypatch.delitem(sys.modules, "json", raising=False)
    assert registry.capabilities("json-dumps").heavy is True
    assert "json" not in sys.modules  # capabilities without importing
    import json

    assert registry.get("json-dumps") is json.dumps


def test_did_you_mean_phrases():
    assert did_you_mean("gird", ["grid", "time"]) == "(did you mean 'grid'?)"
    assert did_you_mean("q", ["b", "a"]) == "(available: a, b)"
