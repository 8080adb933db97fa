"""Bad case files are refused with exit code 2 and one line, before anything is written,
and without importing TensorFlow; expressions cannot run code."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

BASE = """
[case]
kind = "poisson-pinn"
name = "bad"
[domain]
x = [0.0, 1.0]
y = [0.0, 1.0]
[problem]
exact = "sin(pi*x)*sin(pi*y)"
"""

BAD = [
    ("zero width", "[network]\nwidth = 0\n", "network.width: expected a number >= 1"),
    ("zero depth", "[network]\ndepth = 0\n", "network.depth"),
    ("unknown activation", "[network]\nactivation = 'relu6'\n",
     "network.activation: expected one of"),
    ("negative penalty", "[loss]\npenalty = -1.0\n", "loss.penalty: expected a number > 0"),
    ("unknown method", "[training]\nstages = [{method = 'adamw', iterations = 10}]\n",
     "training.stages[0].method: expected one of 'adam', 'adamax'"),
    ("key of another method", "[training]\nstages = [{method = 'adam', memory = 3}]\n",
     "training.stages[0].memory: expected a known key (available: ftol, gtol, iterations, "
     "log_every, lr, method, time_limit)"),
    ("misspelled stage key", "[training]\nstages = [{method = 'adam', iteration = 3}]\n",
     "did you mean 'iterations'"),
    ("negative learning rate", "[training]\nstages = [{method = 'adam', lr = -0.1}]\n",
     "stages[0].lr: expected a number > 0"),
    ("unknown jacobian", "[training]\nstages = [{method = 'gauss-newton', jacobian = 'dense'}]\n",
     "stages[0].jacobian"),
    ("stage not a table", "[training]\nstages = ['adam']\n", "training.stages[0]: expected a table"),
    ("bad interval", "", "domain.x"),
    ("grid needs a square", "[points]\nsampler = 'grid'\ninterior = 1000\n", "a square number"),
    ("missing weights file", "[network]\nweights = 'nowhere.npz'\n", "network.weights"),
    ("no exact, no forcing", "", "problem.forcing"),
    ("forcing not finite", "forcing = 'log(x - 0.5)'\n",
     "problem.forcing: expected an expression finite on the domain (not at 0, 0)"),
    ("overflow", "forcing = '10**400*x'\n", "problem.forcing: expected a math expression"),
]

UNSAFE = [
    "__import__('os').system('touch HACKED')",
    "x.__class__",
    "sin.__globals__",
    "open('/etc/passwd')",
    "[c for c in ()]",
    "lambda: 0",
    "exec('1')",
    "x if y else 0",
    "z + 1",
]


def _run(args, cwd):
    code = ("import sys\nfrom pdekit.cli import main\nrc = main(sys.argv[1:])\n"
            "print('TF', 'tensorflow' in sys.modules)\nsys.exit(rc)")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                          timeout=120)


@pytest.mark.parametrize("label, extra, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_without_output(label, extra, message, tmp_path):
    text = BASE + extra
    if label == "bad interval":
        text = text.replace("x = [0.0, 1.0]", "x = [1.0, 0.0]")
        message = "domain.x: expected two finite numbers [a, b] with a < b"
    if label in ("forcing not finite", "overflow"):
        text = BASE.replace("[problem]\n", "[problem]\n" + extra)
    if label == "no exact, no forcing":
        text = text.replace('exact = "sin(pi*x)*sin(pi*y)"', 'boundary = "0"')
    case = tmp_path / "bad.toml"
    case.write_text(text)
    result = _run(["solve", str(case)], tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "TF False" in result.stdout
    assert not (tmp_path / "results").exists()


CASES = [("exact", text) for text in UNSAFE] + [
    (key, text) for key in ("forcing", "boundary") for text in UNSAFE[:2]]


@pytest.mark.parametrize("key, text", CASES)
def test_expressions_cannot_run_code(key, text, tmp_path):
    case = tmp_path / "evil.toml"
    body = BASE.replace('exact = "sin(pi*x)*sin(pi*y)"', f"{key} = {json.dumps(text)}")
    if key != "exact":
        body += 'exact = "0"\n'
    case.write_text(body)
    result = _run(["check", str(case)], tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"problem.{key}: expected a math expression of x, y" in result.stderr
    assert not (tmp_path / "HACKED").exists()
    assert "TF False" in result.stdout


def test_check_of_a_valid_case_does_not_import_tensorflow(tmp_path):
    result = _run(["check", str(ROOT / "cases" / "poisson2d.toml")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "valid poisson-pinn case" in result.stdout and "TF False" in result.stdout
