"""The turing case model and prepare: typed values, objects built once, cross-key checks."""

import numpy as np
import pytest

from pdekit.core.cases import load_case
from pdekit.cli import main
from pdekit.errors import CaseError
from pdekit.fd import prepare as prepare_module
from pdekit.fd.models import BVAM, GrayScott
from pdekit.fd.prepare import TuringSetup

CASE = """
[case]
kind = "turing"
name = "p"
[grid]
n = 16
[time]
method = "strang"
dt = 0.1
T = 1.0
[output]
vtk = false
png = false
"""


def test_prepared_case_holds_typed_model_grid_and_initial_state(write_case):
    loaded = load_case(write_case(CASE + '[model]\nname = "gray-scott"\n'
                                  '[model.parameters]\nF = 0.05\n[initial]\ntype = "spot"\n'
                                  'noise = "white"\n'))
    setup = loaded.prepared
    assert isinstance(setup, TuringSetup) and loaded.case.grid.n == 16
    assert setup.model == GrayScott(F=0.05, k=0.06, Du=2e-5, Dv=1e-5)  # theta's k, D
    assert setup.steady == (1.0, 0.0) and setup.t0 == 0.0
    # spot data: noise of std 0.5 about the steady state, the centre square set
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.5, (16, 16))
    assert setup.u0[0, 0] == noise[0, 0] + 1.0
    assert setup.u0[8, 8] == noise[8, 8] + 0.5
    assert setup.label == "gray-scott 'theta'" and setup.dt == pytest.approx(0.1)


def test_solve_builds_model_and_reads_the_restart_once(write_case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = write_case(CASE)
    assert main(["solve", str(first), "--quiet"]) == 0
    calls = {"steady": 0, "initial": 0, "model": 0}
    steady_state, load_initial, build_model = (BVAM.steady_state, prepare_module.load_initial,
                                               prepare_module.build_model)

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(BVAM, "steady_state", counting("steady", steady_state))
    monkeypatch.setattr(prepare_module, "load_initial", counting("initial", load_initial))
    monkeypatch.setattr(prepare_module, "build_model", counting("model", build_model))
    restart = write_case(CASE.replace('name = "p"', 'name = "q"').replace("T = 1.0", "T = 1.5")
                         + f'[initial]\ntype = "restart"\npath = "{tmp_path / "results" / "p"}"\n',
                         "q.toml")
    assert main(["solve", str(restart), "--quiet"]) == 0
    assert calls == {"steady": 1, "initial": 1, "model": 1}
    with np.load(tmp_path / "results" / "q" / "final_state.npz") as data:
        assert float(data["t"]) == pytest.approx(1.5)


@pytest.mark.parametrize("extra,key,expected", [
    ('[model.parameters]\nalpha = nan\n', "model.parameters.alpha", "a finite number"),
    ('[model]\nsteady_guess = [1.0, 2.0]\n', "model.steady_guess", "model.steady_guess only with"),
    ('[model]\nname = "custom"\nf = "u"\ng = "v"\nsteady_guess = [1.0]\n'
     '[model.parameters]\nDu = 1\nDv = 1\n', "model.steady_guess", "a list of 2 items"),
    ('[model]\nname = "custom"\nf = "u"\ng = "v"\n[model.parameters]\nDu = 1\n',
     "model.parameters.Dv", "the diffusion coefficient Dv"),
    ('[model]\nname = "custom"\nf = "u"\ng = "v"\npreset = "spots"\n', "model.preset",
     "no preset for model 'custom'"),
    ('[initial]\ntype = "restart"\n', "initial.path", "a path for initial.type = 'restart'"),
    ('[initial]\nspot_size = 1.5\n', "initial.spot_size", "a number <= 1"),
    ("grid.n=2", "grid.n", "a number >= 3"),
    ("time.T=0.05", "time.dt", "a step no larger than T - t0 = 0.05"),
])
def test_bad_values_name_their_key(write_case, extra, key, expected):
    overrides = [extra] if "=" in extra and "\n" not in extra else []
    with pytest.raises(CaseError) as error:
        load_case(write_case(CASE + ("" if overrides else extra)), overrides)
    assert error.value.key == key and expected in str(error.value)


@pytest.mark.parametrize("overrides,key,expected", [
    (['grid.precision="single"', 'grid.diffusion="sparse"'], "grid.precision",
     "'double' with grid.diffusion = 'sparse'"),
    (['grid.precision="single"', 'time.method="etdrk4"', "time.adaptive=true",
      "time.tolerance=1e-6"], "time.tolerance", "a tolerance >= 1e-05 with grid.precision"),
    (['grid.precision="single"', 'grid.backend="petsc"', 'time.method="arkimex"'],
     "grid.precision", "no grid.precision with grid.backend = 'petsc'"),
])
def test_single_precision_refuses_what_it_cannot_do(write_case, overrides, key, expected):
    with pytest.raises(CaseError) as error:
        load_case(write_case(CASE), overrides)
    assert error.value.key == key and expected in str(error.value)
