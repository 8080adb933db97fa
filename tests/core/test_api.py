"""The Python API (issue 24): pdekit.load_case / pdekit.solve give what the CLI gives,
keep nothing on disk with out=False, stay light to import, and many runs in one process
behave like separate processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import numpy as np
import pytest

import pdekit
from tests.conftest import ROOT, run_cli

CASES = ROOT / "cases"
TURING_SMALL = ["grid.n=32", "time.T=20", "output.every=10"]
PINN_SMALL = ["training.stages=[{method='adam', iterations=20}, "
              "{method='gauss-newton', iterations=2}]", "points.interior=40"]


def numbers(summary: dict) -> dict:
    """A summary's results without what differs between two runs of one case (timings,
    memory, file lists of the folder)."""
    drop = {"timings", "memory", "peak_rss_mib_per_rank", "time", "seconds", "files",
            "train_seconds", "wall_seconds"}

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in drop
                    and not k.endswith(("_seconds", "_s", "_mib", "_time"))}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(summary["results"])


def without_none(value):
    """The case as TOML can hold it (TOML has no null: unset keys are left out)."""
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


def test_import_is_light():
    code = ("import sys, pdekit; pdekit.solve; pdekit.load_case; pdekit.Result; "
            "heavy = [m for m in ('tensorflow', 'ngsolve', 'petsc4py', 'slepc4py', 'numba', "
            "'netgen') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.toml")), ids=lambda p: p.name)
def test_every_bundled_case_loads_as_the_cli_resolves_it(path):
    case = pdekit.load_case(path)
    printed = run_cli("check", str(path), timeout=60)
    assert printed.returncode == 0, printed.stderr
    # bundled cases use today's words: no renamed key or value, no notice
    assert case.notices == () and printed.stderr == ""
    assert tomllib.loads(printed.stdout) == without_none(case.resolved())
    document = tomllib.loads(path.read_text())
    document["case"].setdefault("name", path.stem)
    assert pdekit.load_case(document).resolved() == case.resolved()


def test_bad_input_raises_case_error_with_file_and_key():
    with pytest.raises(pdekit.CaseError) as caught:
        pdekit.load_case(CASES / "turing.toml", set=["grid.n=2"])
    assert caught.value.key == "grid.n" and "turing.toml" in caught.value.source
    with pytest.raises(pdekit.CaseError) as caught:
        pdekit.load_case({"case": {"kind": "turing"}, "grid": {"nn": 3}})
    assert caught.value.source == "<dict>" and "nn" in str(caught.value)
    with pytest.raises(pdekit.CaseError):
        pdekit.solve(CASES / "turing.toml", set="grid.n=32")  # a string, not a list


def test_solve_out_false_keeps_nothing_and_equals_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = pdekit.solve(CASES / "turing.toml", set=TURING_SMALL, out=False)
    assert list(tmp_path.iterdir()) == [] and result.folder is None
    cli = run_cli("solve", str(CASES / "turing.toml"), "--quiet", "--out", "cli",
                  *[a for s in TURING_SMALL for a in ("--set", s)], cwd=tmp_path)
    assert cli.returncode == 0, cli.stderr
    summary = json.loads((tmp_path / "cli" / "summary.json").read_text())
    assert numbers(result.summary) == numbers(summary)
    assert result.summary["case"] == summary["case"]
    with np.load(tmp_path / "cli" / "final_state.npz") as state:
        np.testing.assert_array_equal(result.u, state["u"])
        np.testing.assert_array_equal(result.v, state["v"])
        assert result.t == float(state["t"])
    assert result.u.shape == (32, 32) and len(result.coordinates) == 2


def test_solve_into_a_folder_returns_summary_json(tmp_path):
    case = pdekit.load_case(CASES / "turing.toml", set=TURING_SMALL)
    result = pdekit.solve(case, set=["time.T=10"], out=tmp_path / "run")
    assert result.folder == tmp_path / "run"
    assert result.summary == json.loads((tmp_path / "run" / "summary.json").read_text())
    assert result.summary["case"]["time"]["T"] == 10.0
    assert result.summary["overrides"] == [*TURING_SMALL, "time.T=10"]
    with pytest.raises(AttributeError, match="has no 'eigenvalues'; it has coordinates"):
        result.eigenvalues


def test_many_turing_runs_in_one_process_equal_separate_ones(tmp_path):
    """Different methods, precisions and models one after another in one process."""
    runs = [("turing.toml", ["time.method=etdrk4", "time.adaptive=false", "time.dt=0.5"]),
            ("gray-scott_theta.toml", ["grid.n=32", "time.T=50", "grid.precision=single"]),
            ("turing.toml", ["time.method=ars443", "time.adaptive=false",
                             "time.dt=0.5"])]
    in_process = [pdekit.solve(CASES / name, set=[*TURING_SMALL, *extra], out=False)
                  for name, extra in runs]
    for (name, extra), result in zip(runs, in_process):
        script = (f"import pdekit, numpy; r = pdekit.solve({str(CASES / name)!r}, "
                  f"set={[*TURING_SMALL, *extra]!r}, out=False); "
                  "numpy.save('u.npy', r.u)")
        alone = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, timeout=120,
                               env={**os.environ, "PYTHONPATH": str(ROOT)},
                               capture_output=True, text=True)
        assert alone.returncode == 0, alone.stderr
        np.testing.assert_array_equal(result.u, np.load(tmp_path / "u.npy"))


def test_pinn_runs_in_one_process_equal_separate_ones(tmp_path):
    """TensorFlow state (graphs, seeds) does not leak from one training into the next."""
    first = pdekit.solve(CASES / "poisson1d.toml", set=PINN_SMALL, out=False)
    second = pdekit.solve(CASES / "poisson2d.toml",
                          set=[*PINN_SMALL, "network.width=8"], out=False)
    again = pdekit.solve(CASES / "poisson1d.toml", set=PINN_SMALL, out=False)
    np.testing.assert_array_equal(first.u, again.u)
    assert numbers(first.summary) == numbers(again.summary)
    assert second.u.ndim == 2
    points = np.array([[-0.5], [0.25]])
    np.testing.assert_allclose(first.model(points), np.interp(points[:, 0], first.axes[0],
                                                              first.u), atol=1e-3)
    assert len(first.history) >= 22


def test_a_loaded_case_takes_more_overrides_like_the_command_line():
    """A preset's parameters as printed must not win over a later --set."""
    case = pdekit.load_case(CASES / "turing.toml", set=["grid.n=32"])
    again = pdekit.load_case(CASES / "turing.toml", set=["grid.n=32", "model.D=2"])
    result = pdekit.solve(case, set=["model.D=2", "time.T=5"], out=False)
    assert result.summary["case"]["model"] == again.resolved()["model"]
    assert result.summary["results"]["model"]["D"] == 2.0
    assert not any("pdekit-" in line for line in result.lines)  # no scratch paths


def test_runs_leave_the_users_matplotlib_alone(tmp_path):
    """A notebook's backend and figures stay as they were (no matplotlib.use, no pyplot
    figures left open) after runs that draw every kind of picture."""
    script = (
        "import matplotlib; matplotlib.use('svg'); import matplotlib.pyplot as plt\n"
        "import pdekit\n"
        f"pdekit.solve({str(CASES / 'turing.toml')!r}, set={TURING_SMALL!r} + "
        "['output.animation=\"gif\"'], out='t')\n"
        f"pdekit.solve({str(CASES / 'eigen_square.toml')!r}, set=['mesh.maxh=0.25', "
        "'solver.nev=10'], out='e')\n"
        "print(matplotlib.get_backend(), plt.get_fignums())\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "svg"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "svg []"
    assert (tmp_path / "t" / "u.gif").stat().st_size > 0
    assert (tmp_path / "e" / "modes.png").stat().st_size > 0


def test_eigen_result_holds_eigenvalues_modes_and_ngsolve_objects():
    """Unit square, Dirichlet: λ = π²(m² + n²) (2, 5, 5, 8 in units of π²); mode 1 at the
    vertices is sin(πx) sin(πy) up to sign and scale."""
    result = pdekit.solve(CASES / "eigen_square.toml", set=["mesh.maxh=0.1"], out=False)
    np.testing.assert_allclose(result.eigenvalues[:4] / np.pi**2, [2, 5, 5, 8], rtol=2e-3)
    assert result.modes.shape == (6, len(result.points))
    assert result.cells.shape[1] == 3 and result.cells.max() == len(result.points) - 1
    exact = np.sin(np.pi * result.points[:, 0]) * np.sin(np.pi * result.points[:, 1])
    mode = result.modes[0]
    scale = (mode @ exact) / (mode @ mode)  # the sign and normalization of the solver
    np.testing.assert_allclose(scale * mode, exact, atol=5e-3)
    centre = result.gridfunctions[0](result.mesh(0.5, 0.5))  # the NGSolve object itself
    assert abs(scale * centre - 1.0) < 5e-3
