"""A square domain with no-flux walls against the grid path on the same square: the same
dominant wavenumber, predicted by the domain's own modes."""

import math

import pytest

import pdekit

MODEL = {"name": "schnakenberg", "parameters": {"Du": 0.01, "Dv": 0.1}}
# On the unit square the Neumann modes have k = π √(m² + n²); with these coefficients
# only (2, 0)/(0, 2) grows clearly (σ = 0.045; (2, 1): 0.003, (1, 1): −0.003).
TIME = {"method": "etdrk4", "adaptive": True, "tolerance": 1e-3, "dt": 0.1, "dt_max": 5.0,
        "T": 300.0}
OUTPUT = {"every": 300.0, "vtk": False, "png": False}


def test_square_domain_gives_the_grid_cases_dominant_k():
    grid = pdekit.solve({"case": {"kind": "turing", "name": "g"}, "model": MODEL,
                         "grid": {"n": 32, "length": 1.0, "boundary": "neumann"},
                         "initial": {"std_u": 0.01, "std_v": 0.01}, "time": TIME,
                         "output": OUTPUT}, out=False)
    domain = pdekit.solve({"case": {"kind": "turing", "name": "d"}, "model": MODEL,
                           "domain": {"shape": "square", "side": 1.0, "maxh": 0.06},
                           "initial": {"noise": "white", "std_u": 0.01, "std_v": 0.01},
                           "time": {**TIME, "method": "ars222"}, "output": OUTPUT},
                          out=False)
    grid_k = grid.results["linear_stability"]["measured_dominant_k"]
    stability = domain.results["linear_stability"]
    measured, predicted = stability["measured"], stability["predicted"]
    assert grid_k == pytest.approx(2 * math.pi, rel=1e-12)  # DCT shell 2 on a side of 1
    assert measured["k"] == pytest.approx(grid_k, rel=0.02)  # P1: λ errors ~ h²
    assert measured["multiplicity"] == 2 and stability["prediction_holds"]
    assert predicted["k"] == measured["k"]
