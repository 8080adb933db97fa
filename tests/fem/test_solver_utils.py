"""Clusters, option parsing, solver registries, rates and Richardson extrapolation
(no NGSolve)."""

from __future__ import annotations

import math

import pytest

from pdekit.fem.solve.convergence import observed_rates, richardson
from pdekit.fem.solve.reference import disk_eigenvalues, rectangle_eigenvalues
from pdekit.petsc_options import option_value, parse_option_tokens, table_options
from pdekit.fem.solve.slepc_solver import EIGENSOLVERS, PROBLEM_TYPES, clusters
from pdekit.core.registry import UnknownName


def test_clusters_group_near_multiplets():
    values = [0.0, 1e-13, 9.8696, 9.86961, 19.7, 49.3, 49.30001]
    assert clusters(values, 1e-4) == [[0, 1], [2, 3], [4], [5, 6]]
    assert clusters([], 1e-4) == []


def test_parse_option_tokens():
    assert parse_option_tokens(["-eps_nev", "8", "-eps_view", "-st_shift", "-1.5"]) == [
        ("eps_nev", "8"), ("eps_view", None), ("st_shift", "-1.5")]
    with pytest.raises(ValueError):
        parse_option_tokens(["eps_nev", "8"])
    assert table_options({"eps_view": True, "-eps_tol": 1e-9, "ksp_monitor": False,
                          "mat_mumps_icntl_4": False}) == [
        ("eps_view", None), ("eps_tol", "1e-09"), ("mat_mumps_icntl_4", "0")]
    with pytest.raises(ValueError):
        table_options({"eps nev": 3})
    with pytest.raises(ValueError):
        table_options({"eps_nev": [1, 2]})
    assert option_value("lu") == "lu" and option_value(False) is False
    for bad in ([1], {"a": 1}, float("inf")):
        with pytest.raises(ValueError):
            option_value(bad)


def test_solver_registries():
    assert PROBLEM_TYPES.get("ghep") == "GHEP" and PROBLEM_TYPES.get("pgnhep") == "PGNHEP"
    assert PROBLEM_TYPES.names(hermitian=True) == ["ghep"]
    assert EIGENSOLVERS.names(shift_invert=True) == ["krylovschur", "arnoldi", "slicing"]
    assert EIGENSOLVERS.names(spectrum="smallest") == ["lobpcg"]
    assert EIGENSOLVERS.capabilities("krylovschur").restart == "thick"
    with pytest.raises(UnknownName, match="did you mean 'krylovschur'"):
        EIGENSOLVERS.get("krylovshur")


def test_rates_and_richardson_on_a_model_sequence():
    h = [0.1 / 2 ** k for k in range(5)]
    values = [3.0 + 2.0 * x ** 4 for x in h]
    rates = observed_rates(h, [2.0 * x ** 4 for x in h])
    assert rates[0] is None and all(abs(r - 4.0) < 1e-9 for r in rates[1:])
    limit, rate = richardson(values)
    assert limit == pytest.approx(3.0, abs=1e-12) and rate == pytest.approx(4.0, rel=1e-5)
    assert richardson([1.0, 2.0, 1.5]) is None  # not monotone


def test_reference_values():
    square = [v / math.pi ** 2 for v in rectangle_eigenvalues(1, 1, 6)]
    assert square == pytest.approx([2, 5, 5, 8, 10, 10])
    rect = rectangle_eigenvalues(2, 1, 3, {"left": False})  # ((m+1/2)/2)² + n², π² units
    assert [v / math.pi ** 2 for v in rect] == pytest.approx([1.0625, 1.5625, 2.5625])
    disk = disk_eigenvalues(1.0, 3)
    assert disk == pytest.approx([5.783185962946784, 14.681970642123893,
                                  14.681970642123893], rel=1e-14)
