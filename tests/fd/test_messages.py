"""What a scientist reads: the stability verdict, titles with the parameters in use, the
progress bar's postfix, and ``pdekit check`` with the resolved parameters."""

import io
import json
import math
import time

import numpy as np
import pytest
from tqdm import tqdm

from pdekit.core.cases import load_case
from pdekit.fd.models import MODELS, preset_parameters
from pdekit.fd.report import run_title
from pdekit.fd.stability import turing_analysis
from pdekit.output.run import TimeStepBar, step_postfix
from tests.conftest import ROOT


def _analysis(model_name, preset, k_max=150.0):
    model = MODELS.get(model_name)(**preset_parameters(model_name, preset))
    return model, turing_analysis(model.jacobian(*model.steady_state()), model.diffusion, k_max)


def test_stable_gray_scott_says_stable_with_no_band():
    _, report = _analysis("gray-scott", "theta")
    # J = diag(-F, -(F + k)) at (1, 0): every mode decays, slowest (σ = -F) at k = 0
    assert report["instability"] == "none" and report["unstable_bands"] == []
    assert report["fastest_k"] == 0.0 and report["fastest_sigma"] == pytest.approx(-0.04)
    assert report["verdict"].startswith("stable: no unstable band (σ(k) <= -0.04 < 0")
    assert "fastest k" not in report["verdict"] and "e-0" not in report["verdict"]


def test_bvam_spots_is_turing_unstable_with_its_band_in_the_verdict():
    model, report = _analysis("bvam", "spots")
    jac, (du, dv) = model.jacobian(0, 0), model.diffusion
    # band edges: det(J - k² D) = 0, a quadratic in q = k²
    q = np.sort(np.roots([du * dv, -(du * jac[1, 1] + dv * jac[0, 0]),
                          np.linalg.det(jac)]).real)
    low, high = np.sqrt(q)
    assert report["instability"] == "turing" and report["fastest_frequency"] == 0.0
    assert report["verdict"] == (
        f"Turing unstable: band k in [{low:.3g}, {high:.3g}], fastest k = "
        f"{report['fastest_k']:.4g} (wavelength {2 * math.pi / report['fastest_k']:.3g}, "
        f"σ = {report['fastest_sigma']:.3g})")
    assert report["verdict"].startswith("Turing unstable: band k in [7.54, 11.9], fastest k = 9.48")


def test_brusselator_hopf_is_a_k0_instability_not_turing():
    _, report = _analysis("brusselator", "hopf")
    # J at (a, b/a) = (1, 3): [[b - 1, a²], [-b, -a²]] = [[2, 1], [-3, -1]];
    # trace 1, det 1: λ = 1/2 ± i √3/2
    assert report["instability"] == "hopf"
    assert report["sigma_0"] == pytest.approx(0.5)
    assert report["frequency_0"] == pytest.approx(math.sqrt(3) / 2)
    assert report["fastest_k"] == 0.0  # not 4e-07: σ is even in k, largest at 0
    assert report["verdict"].startswith("k = 0 (Hopf) instability: the homogeneous state "
                                        "oscillates (σ(0) = 0.5, ω = 0.866)")
    assert report["verdict"].endswith("fastest at k = 0: not a Turing pattern")


def test_real_k0_instability_with_a_faster_finite_k():
    _, report = _analysis("bvam", "stripes")
    # α + β > 0: σ(0) = the largest eigenvalue of [[α, 1], [γ, β]], real
    jac = np.array([[2.0, 1.0], [-2.0, -0.91]])
    assert report["sigma_0"] == pytest.approx(max(np.linalg.eigvals(jac).real))
    assert report["instability"] == "homogeneous" and report["fastest_sigma"] > report["sigma_0"]
    assert report["verdict"].startswith("k = 0 instability: the homogeneous state itself grows")
    assert "a finite k grows faster, fastest k = 6.3" in report["verdict"]


def test_band_reaching_the_grids_largest_k_is_said():
    _, report = _analysis("bvam", "spots", k_max=10.0)
    assert report["verdict"].startswith("Turing unstable: band k in [7.54, 10 (the grid's "
                                        "largest k)]")


CASE = """
[case]
kind = "turing"
name = "pearson"
[model]
name = "gray-scott"
preset = "theta"
[grid]
n = 32
length = 2.5
[time]
method = "etdrk4"
dt = 1.0
T = 10.0
"""


def test_title_names_case_model_overridden_parameters_grid_method_and_time(write_case):
    path = write_case(CASE)
    setup = load_case(path, ("model.parameters={F=0.035, k=0.065}",), ()).prepared
    title = run_title(setup, 10.0)
    lines = title.split("\n")
    assert lines[0] == "pearson: gray-scott 'theta' with F, k changed"
    assert lines[1] == "F = 0.035, k = 0.065, Du = 2e-05, Dv = 1e-05"
    assert lines[2] == "32x32 periodic grid on 2.5x2.5, etdrk4, dt = 1, t = 10"
    plain = run_title(load_case(path, ("grid.boundary=neumann", "time.adaptive=true"),
                                ()).prepared)
    assert plain.split("\n")[0] == "pearson: gray-scott 'theta'"
    assert "F = 0.04, k = 0.06" in plain
    assert plain.endswith("no-flux grid on 2.5x2.5, etdrk4, adaptive (tolerance 0.001)")


def test_title_of_a_bvam_override_and_a_custom_model(write_case):
    bvam = load_case(write_case(CASE.replace('name = "gray-scott"\npreset = "theta"',
                                             'preset = "spots"\nalpha = 0.95\nD = 2.0')),
                     (), ()).prepared
    first, parameters, _ = run_title(bvam).split("\n")
    assert first == "pearson: bvam 'spots' with alpha, D changed"
    assert "alpha = 0.95" in parameters and parameters.endswith("D = 2")
    custom = load_case(write_case(CASE.replace(
        'name = "gray-scott"\npreset = "theta"',
        'name = "custom"\nf = "a - u"\ng = "u - v"\nparameters = {a = 1.5, Du = 0.01, Dv = 0.1}')),
        (), ()).prepared
    first, parameters, _ = run_title(custom).split("\n")
    assert first == "pearson: custom: f = a - u, g = u - v"
    assert parameters == "a = 1.5, Du = 0.01, Dv = 0.1"


def test_progress_postfix_shows_dt_and_steps_and_bar_counts_simulated_time():
    assert step_postfix(0.012345, 152) == "dt = 0.0123, step 152"
    output = io.StringIO()
    bar = TimeStepBar(tqdm(total=10.0, file=output, mininterval=0, bar_format="{n:.4g}{postfix}"))
    time.sleep(0.3)  # a slow first step (compiling kernels) does not count for the ETA
    bar.update(0.5)
    assert bar.bar.format_dict["elapsed"] < 0.1
    for dt in (1.5, 2.0):
        bar.update(dt)
    assert bar.steps == 3 and bar.bar.n == pytest.approx(4.0)
    assert bar.bar.postfix == "dt = 2, step 3"
    bar.close()
    assert "\r4, dt = 2, step 3" in output.getvalue()


def test_check_prints_the_resolved_parameter_values(cli, write_case):
    result = cli("check", str(write_case(CASE)), "--set", "model.parameters={F=0.035}")
    assert result.returncode == 0, result.stderr
    assert "parameters = { F = 0.035, k = 0.06, Du = 2e-05, Dv = 1e-05 }" in result.stdout
    bvam = cli("check", str(ROOT / "cases" / "turing_stripes.toml"), "--set", "model.alpha=2.5")
    assert bvam.returncode == 0, bvam.stderr
    assert ("parameters = { delta1 = 0.00225, delta2 = 0.0045, tau1 = 2.02, tau2 = 0.0, "
            "alpha = 2.5, beta = -0.91, gamma = -2.0, D = 1.0 }") in bvam.stdout


def test_summary_holds_the_verdict_and_the_resolved_parameters(cli, write_case, tmp_path):
    result = cli("solve", str(write_case(CASE)), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "results" / "pearson" / "summary.json").read_text())
    stability = summary["results"]["linear_stability"]
    assert stability["instability"] == "none"
    assert stability["verdict"].startswith("stable: no unstable band")
    assert summary["case"]["model"]["parameters"] == {"F": 0.04, "k": 0.06, "Du": 2e-5,
                                                      "Dv": 1e-5}
