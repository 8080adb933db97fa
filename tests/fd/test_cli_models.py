"""The turing kind with the new models, boundaries and methods, through the CLI."""

import json

import numpy as np
import pytest

from pdekit.cli import main

BASE = """
[case]
kind = "turing"
name = "{name}"
[grid]
n = 16
[time]
method = "{method}"
dt = 0.05
T = 1.0
[output]
every = 0.5
vtk = false
png = false
"""

BVAM_CUSTOM = """
[model]
name = "custom"
f = "alpha*u*(1 - tau1*v**2) + v*(1 - tau2*u)"
g = "beta*v*(1 + alpha*tau1/beta*u*v) + u*(gamma + tau2*v)"
[model.parameters]
Du = 0.00225
Dv = 0.0045
tau1 = 0.02
tau2 = 0.2
alpha = 0.899
beta = -0.91
gamma = -0.899
"""


def _solve(tmp_path, monkeypatch, text, name="c", *sets):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    args = ["solve", str(path), "--quiet"]
    for s in sets:
        args += ["--set", s]
    return main(args)


def _state(tmp_path, name):
    with np.load(tmp_path / "results" / name / "final_state.npz") as data:
        return data["u"], data["v"]


@pytest.mark.parametrize("method", ["etdrk4", "ars443", "strang"])
def test_custom_reaction_equal_to_bvam_gives_bvams_result(tmp_path, monkeypatch, method):
    assert _solve(tmp_path, monkeypatch, BASE.format(name="bvam", method=method), "bvam") == 0
    assert _solve(tmp_path, monkeypatch, BASE.format(name="custom", method=method) + BVAM_CUSTOM,
                  "custom") == 0
    (u1, v1), (u2, v2) = _state(tmp_path, "bvam"), _state(tmp_path, "custom")
    assert np.ptp(u1) > 0.1  # something happened
    np.testing.assert_allclose(u2, u1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(v2, v1, rtol=0, atol=1e-12)
    summary = json.loads((tmp_path / "results" / "custom" / "summary.json").read_text())
    reference = json.loads((tmp_path / "results" / "bvam" / "summary.json").read_text())
    ours, theirs = summary["results"]["linear_stability"], reference["results"]["linear_stability"]
    assert ours["steady_state"] == pytest.approx([0, 0], abs=1e-12)
    # the maximum of σ(k) is flat: its location is known to ~1e-8, its value to round-off
    assert ours["fastest_k"] == pytest.approx(theirs["fastest_k"], rel=1e-6)
    assert ours["fastest_sigma"] == pytest.approx(theirs["fastest_sigma"], rel=1e-12)
    np.testing.assert_allclose(ours["unstable_bands"], theirs["unstable_bands"], rtol=1e-9)


UNSAFE = [
    "__import__('os').system('touch pwned')",
    "u.__class__.__bases__",
    "open('/etc/passwd')",
    "(lambda: u)()",
    "getattr(u, 'real')",
    "[u for u in v]",
]


@pytest.mark.parametrize("expression", UNSAFE)
def test_unsafe_expressions_exit_2_and_write_nothing(tmp_path, monkeypatch, capsys, expression):
    text = BASE.format(name="bad", method="etdrk4") + BVAM_CUSTOM.replace(
        'f = "alpha*u*(1 - tau1*v**2) + v*(1 - tau2*u)"', f"f = {json.dumps(expression)}")
    assert _solve(tmp_path, monkeypatch, text, "bad") == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "model.f" in lines[0] and "bad.toml" in lines[0]
    assert not (tmp_path / "results").exists() and not (tmp_path / "pwned").exists()


def test_unsafe_expression_exits_2_as_a_real_process(cli, write_case, tmp_path):
    text = BASE.format(name="bad", method="strang") + BVAM_CUSTOM.replace(
        'g = "beta', 'g = "__import__(\'os\').getcwd() + beta')
    result = cli("solve", str(write_case(text)), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "model.g: expected a safe math expression" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "results").exists()


BAD = [
    ("bvam key for gray-scott", '[model]\nname = "gray-scott"\nalpha = 1.0\n', "model.alpha"),
    ("unknown parameter", '[model]\nname = "gray-scott"\n[model.parameters]\nkk = 0.06\n',
     "did you mean 'k'"),
    ("unknown gray-scott preset", '[model]\nname = "gray-scott"\npreset = "tehta"\n',
     "did you mean 'theta'"),
    ("parameter not a number", '[model]\nname = "schnakenberg"\n[model.parameters]\na = "x"\n',
     "model.parameters.a: expected a number"),
    ("negative diffusion", '[model]\nname = "brusselator"\n[model.parameters]\nDv = -1.0\n',
     "diffusion coefficient >= 0"),
    ("custom without Du", BVAM_CUSTOM.replace("Du = 0.00225\n", ""), "model.parameters.Du"),
    ("custom without g", BVAM_CUSTOM.replace('g = "beta', 'h_unused = "beta').replace(
        "h_unused", "# g"), "model.g"),
    ("f for a built-in model", '[model]\nf = "u"\n', "model.f"),
    ("unknown name in expression", BVAM_CUSTOM.replace("tau1*v**2", "tau9*v**2"),
     "unknown name 'tau9'"),
    ("etdrk4 with sparse diffusion", '[grid]\ndiffusion = "sparse"\n', "etdrk4 needs"),
    ("unknown boundary", '[grid]\nboundary = "dirichlet"\n', "grid.boundary: expected one of"),
]


@pytest.mark.parametrize("label,extra,message", BAD, ids=[b[0] for b in BAD])
def test_bad_model_input_exits_2(tmp_path, monkeypatch, capsys, label, extra, message):
    text = BASE.format(name="bad", method="etdrk4").replace("[grid]\nn = 16\n", "") + extra
    if "[grid]" not in extra:
        text += "[grid]\nn = 16\n"
    assert _solve(tmp_path, monkeypatch, text, "bad") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("model", ["gray-scott", "schnakenberg", "brusselator",
                                   "fitzhugh-nagumo"])
def test_every_model_runs_and_reports_stability(tmp_path, monkeypatch, model):
    text = BASE.format(name=model, method="etdrk4") + f'[model]\nname = "{model}"\n'
    extra = ["initial.std_u=0.01", "initial.std_v=0.01"]
    if model == "gray-scott":
        extra += ["initial.type=spot", "grid.length=2.5", "grid.n=32"]
    assert _solve(tmp_path, monkeypatch, text, model, *extra) == 0
    summary = json.loads((tmp_path / "results" / model / "summary.json").read_text())
    stability = summary["results"]["linear_stability"]
    assert len(stability["steady_state"]) == 2 and "fastest_k" in stability
    assert summary["results"]["memory"]["peak_rss_mb"] > 10
    assert summary["results"]["model"]["name"] == model


def test_neumann_sparse_and_dct_runs_agree_and_conserve_pure_diffusion(tmp_path, monkeypatch):
    text = BASE.format(name="n", method="ars443") + '[grid]\nboundary = "neumann"\n'
    text = text.replace("[grid]\nn = 16\n", "")
    text += "n = 16\n"
    assert _solve(tmp_path, monkeypatch, text.replace('name = "n"', 'name = "dct"'), "dct") == 0
    assert _solve(tmp_path, monkeypatch, text.replace('name = "n"', 'name = "sp"'), "sp",
                  "grid.diffusion=sparse") == 0
    for a, b in zip(_state(tmp_path, "dct"), _state(tmp_path, "sp")):
        np.testing.assert_allclose(a, b, atol=1e-11)
    # diffusion only: no-flux walls keep the mean of each species
    assert _solve(tmp_path, monkeypatch, text.replace('name = "n"', 'name = "diff"'), "diff",
                  "model.terms=diffusion", "time.method=etdrk4", "initial.noise=white") == 0
    summary = json.loads((tmp_path / "results" / "diff" / "summary.json").read_text())
    rng = np.random.default_rng(0)
    u0 = rng.normal(0, 0.5, (16, 16))
    assert summary["results"]["fields"]["u"]["mean"] == pytest.approx(u0.mean(), abs=1e-13)
    assert summary["results"]["grid"]["boundary"] == "neumann"


def test_check_prints_custom_model_tables(cli, write_case, tmp_path):
    result = cli("check", str(write_case(BASE.format(name="c", method="etdrk4") + BVAM_CUSTOM)),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "alpha*u*(1 - tau1*v**2)" in result.stdout and "0.00225" in result.stdout


def test_adaptive_etdrk4_run_reports_its_steps(tmp_path, monkeypatch):
    text = BASE.format(name="ad", method="etdrk4").replace("T = 1.0", "T = 3.0")
    assert _solve(tmp_path, monkeypatch, text, "ad", "time.adaptive=true",
                  "time.tolerance=1e-4", "time.dt=0.01", "output.vtk=true") == 0
    summary = json.loads((tmp_path / "results" / "ad" / "summary.json").read_text())
    adaptive = summary["results"]["time"]["adaptive"]
    assert adaptive["accepted"] == summary["results"]["time"]["steps"] > 3
    assert adaptive["dt_max"] > adaptive["dt_min"]
    assert summary["results"]["time"]["t_final"] == pytest.approx(3.0)
    import xml.etree.ElementTree as ET

    entries = ET.parse(tmp_path / "results" / "ad" / "fields.pvd").getroot().find("Collection")
    assert [float(e.get("timestep")) for e in entries] == pytest.approx(
        [0, 0.5, 1, 1.5, 2, 2.5, 3])
    # the same case with fixed small steps agrees to the tolerance's order
    assert _solve(tmp_path, monkeypatch, text.replace('name = "ad"', 'name = "fx"'), "fx",
                  "time.dt=0.01") == 0
    for a, b in zip(_state(tmp_path, "ad"), _state(tmp_path, "fx")):
        assert np.max(np.abs(a - b)) < 1e-3


def test_adaptive_needs_etdrk4(tmp_path, monkeypatch, capsys):
    text = BASE.format(name="ad", method="strang")
    assert _solve(tmp_path, monkeypatch, text, "ad", "time.adaptive=true") == 2
    assert "time.adaptive" in capsys.readouterr().err


def test_growth_limit_shortens_the_ramp_from_a_tiny_first_step(tmp_path, monkeypatch):
    # from dt = 1e-4 to dt_max = 0.5: 12 doublings at the default limit 2, 5-6 at 5
    text = BASE.format(name="g", method="etdrk4").replace("T = 1.0", "T = 2.0")
    options = ("time.adaptive=true", "time.tolerance=1e-2", "time.dt=1e-4", "time.dt_max=0.5")
    steps = {}
    for name, limit in (("g2", []), ("g5", ["time.growth_limit=5"])):
        assert _solve(tmp_path, monkeypatch, text.replace('name = "g"', f'name = "{name}"'),
                      name, *options, *limit) == 0
        summary = json.loads((tmp_path / "results" / name / "summary.json").read_text())
        adaptive = summary["results"]["time"]["adaptive"]
        steps[name] = adaptive["accepted"]
        assert adaptive["growth_limit"] == (5.0 if limit else 2.0)
    assert steps["g5"] <= steps["g2"] - 5
    for a, b in zip(_state(tmp_path, "g2"), _state(tmp_path, "g5")):
        assert np.max(np.abs(a - b)) < 1e-2


@pytest.mark.parametrize("sets,message", [
    (["time.growth_limit=1"], "time.growth_limit: expected a number > 1"),
    (["grid.backend=petsc", "time.method=arkimex", "time.growth_limit=4"],
     "time.growth_limit: expected no growth_limit with grid.backend = 'petsc'"),
])
def test_growth_limit_refusals(tmp_path, monkeypatch, capsys, sets, message):
    text = BASE.format(name="r", method="etdrk4")
    assert _solve(tmp_path, monkeypatch, text, "r", "time.adaptive=true", *sets) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "results").exists()
