"""What pdekit prints is what it accepts (issue 27, A): every bundled case, printed by
`pdekit check` (the same data as summary.json's "case"), loads again to the same case,
and every printed key can be set with --set."""

from __future__ import annotations

import tomllib

import pytest

from pdekit.core.cases import load_case
from pdekit.core.tomlfmt import format_toml
from tests.conftest import ROOT

CASES = sorted((ROOT / "cases").glob("*.toml"))


def leaves(table: dict, prefix: str = ""):
    """Dotted keys and values of the scalar entries of a printed case."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from leaves(value, dotted + ".")
        elif isinstance(value, (bool, int, float, str)):
            yield dotted, value


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_printed_case_loads_to_the_same_case(path, tmp_path):
    case = load_case(path).case
    printed = tmp_path / path.name
    printed.write_text(format_toml(case.resolved()))
    again = load_case(printed).case
    assert again.resolved() == case.resolved()
    assert format_toml(again.resolved()) == printed.read_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_printed_key_can_be_set_to_its_value(path):
    """`--set KEY=VALUE` with each printed scalar (Gray-Scott's Du and Dv included)."""
    case = load_case(path).case
    sets = []
    for key, value in leaves(case.resolved()):
        if key in ("case.kind", "case.name"):
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else \
            repr(value) if isinstance(value, float) else str(value)
        sets.append(f"{key}={text}")
    assert load_case(path, sets).case.resolved() == case.resolved()  # all at once


def test_gray_scott_diffusion_coefficients_are_parameters():
    path = ROOT / "cases" / "gray-scott_theta.toml"
    case = load_case(path, ["model.parameters.Du=3e-5"]).case
    assert case.resolved()["model"]["parameters"]["Du"] == 3e-5
    assert tomllib.loads(format_toml(case.resolved()))["model"]["parameters"]["Du"] == 3e-5
