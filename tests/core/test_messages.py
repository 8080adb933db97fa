"""Messages that help (issue 27, C and G): look-alike characters refused instead of
silently folded, suggestions for the usual slips, usage for a bare `pdekit`."""

from __future__ import annotations

import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.expr import ExpressionError, parse_expression
from tests.conftest import ROOT, run_cli

CUSTOM = ROOT / "cases" / "custom_gierer-meinhardt.toml"


@pytest.mark.parametrize("text, variables, parameters", [
    ("\U0001d462 - v", ["u", "v"], {}),            # mathematical italic u: read as u
    ("u - \uff56", ["u", "v"], {}),                 # fullwidth v
    ("\ufb01 * u", ["u", "v"], {"\ufb01": 1.0}),    # the ligature fi: could never be named
    ("u", ["u", "\u2174"], {}),                      # roman numeral five as a variable
])
def test_look_alike_characters_are_refused(text, variables, parameters):
    with pytest.raises(ExpressionError, match="characters that Python reads as others"):
        parse_expression(text, variables, parameters)


def test_look_alike_in_a_case_names_the_key():
    with pytest.raises(CaseError) as caught:
        load_case(CUSTOM, ["model.f=a - b*\U0001d462 + u**2/v"])
    assert caught.value.key == "model.f" and "reads as" in str(caught.value)


def test_caret_suggests_a_power():
    with pytest.raises(CaseError, match=r"write 'a - b\*u \+ u\*\*2/v'"):
        load_case(CUSTOM, ["model.f=a - b*u + u^2/v"])


def test_model_parameter_set_as_a_model_key_suggests_the_table():
    with pytest.raises(CaseError, match=r"goes under model\.parameters\.F"):
        load_case(ROOT / "cases" / "gray-scott_theta.toml", ["model.F=0.03"])


def test_bare_pdekit_prints_usage():
    result = run_cli(timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pdekit: command line: expected a command")
    assert "pdekit [-h] [--version] {solve,eig,check,list}" in lines[0]


def extreme_case(tmp_path, body: str):
    path = tmp_path / "c.toml"
    path.write_text('[case]\nkind = "turing"\n[grid]\n' + body + "\n")
    return path


@pytest.mark.parametrize("body, expected", [
    ("n = " + "9" * 4400, "integers of at most 4,300 digits"),
    ("n = " + "[" * 5000 + "]" * 5000, "nested at most a few hundred levels deep"),
    ("n = 32\nlength = 1e-300", "grid.length: expected a number between 1e-100 and 1e+100"),
])
def test_extreme_literals_in_the_file(tmp_path, body, expected):
    result = run_cli("check", str(extreme_case(tmp_path, body)), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines


@pytest.mark.parametrize("value", ["9" * 4400, "[" * 5000 + "]" * 5000])
def test_extreme_literals_after_set_are_one_short_line(tmp_path, value):
    path = extreme_case(tmp_path, "n = 32")
    result = run_cli("check", str(path), "--set", f"grid.n={value}", timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "grid.n" in lines[0] and len(lines[0]) < 400, lines
