"""A steady-state search that fails ends in the one-line error alone: the root finder's
trial points (u/v = 0/0, log of a negative number) printed NumPy RuntimeWarnings before it
(issue 27, D)."""

from __future__ import annotations

import warnings

import pytest

from pdekit.cli import main
from tests.conftest import ROOT

CUSTOM = (ROOT / "cases" / "custom_gierer-meinhardt.toml").read_text()


@pytest.mark.parametrize("edit", [
    ("steady_guess = [1.0, 1.0]", "steady_guess = [0.0, 0.0]"),  # u**2/v at v = 0
    ('f = "a - b*u + u**2/v"', 'f = "a - b*u + u**2/v + log(u - 5)"'),  # log of < 0
])
def test_failed_steady_state_search_prints_one_line(tmp_path, capsys, edit):
    text = CUSTOM.replace(*edit)
    assert text != CUSTOM
    path = tmp_path / "case.toml"
    path.write_text(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["check", str(path)]) == 2
    assert [str(w.message) for w in caught] == []
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "steady state (the default) was not found" in line
