"""`mpiexec -n 2 pdekit solve` on a PINN case equals the 1-rank run to round-off; rank 0
alone writes; a non-finite loss on one rank's points ends both ranks with one message.

Launched with subprocess from a normal pytest run (no MPI inside pytest itself). The
1-rank runs use ``parallel.normal_equations = true``, the Gauss-Newton solve every
multi-rank run uses, so 1 and 2 ranks differ only in how the sums over points are split.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pdekit.cli import main

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = shutil.which("mpiexec")
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
       "OMPI_MCA_rmaps_base_oversubscribe": "1", "OMPI_MCA_mpi_yield_when_idle": "1",
       "MPLBACKEND": "Agg"}

SMALL = """
[case]
kind = "poisson-pinn"
name = "mpi-{dim}d"
[problem]
exact = "{exact}"
{problem}
[domain]
{domain}
[network]
width = 8
[points]
interior = {interior}
boundary = {boundary}
[evaluation]
n = 21
[output]
png = false
vtk = false
[training]
stages = [{stages}]
"""

CASES = {
    1: dict(exact="sin(pi*x)", domain="x = [-1, 1]", interior=60, boundary=6,
            stages='{method = "adam", iterations = 60, lr = 1e-2, log_every = 30}, '
                   '{method = "gauss-newton", iterations = 6}'),
    2: dict(exact="sin(pi*x)*sin(pi*y)", domain="x = [0, 1]\ny = [0, 1]", interior=64, boundary=6,
            stages='{method = "adam", iterations = 60, lr = 1e-2, log_every = 30}, '
                   '{method = "newton-cg", iterations = 3, cg_maxiter = 20}, '
                   '{method = "fednl", iterations = 2}'),
    # general domains: boundary rows (Dirichlet and Neumann, penalty form) split over ranks
    "lshape": dict(exact="exp(x)*cos(y)", interior=64, boundary=40,
                   domain='shape = "lshape"\n[boundary.edge4]\ntype = "neumann"\n'
                          'value = "-exp(x)*sin(1)"\n[loss]\npenalty = 10.0',
                   stages='{method = "adam", iterations = 40, lr = 1e-2, log_every = 20}, '
                          '{method = "gauss-newton", iterations = 5}'),
    # hard form u = phi N with the circle's distance function: interior rows only
    "disk": dict(exact="cos(pi*(x*x + y*y)/2)*exp(x)", interior=64, boundary=30,
                 problem='boundary = "0"', domain='shape = "disk"\n[loss]\nboundary = "hard"',
                 stages='{method = "newton-cg", iterations = 3, cg_maxiter = 20}'),
}


def mpirun(args: list[str], timeout: float = 150) -> subprocess.CompletedProcess:
    env = {**os.environ, **ENV,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-m", "pdekit.cli", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def weights(folder: Path) -> np.ndarray:
    with np.load(folder / "weights.npz") as data:
        return np.concatenate([data[k].ravel() for k in sorted(data.files)
                               if k[0] in "Wb" and not k.startswith("meta")])


DRIVER = """
import json, sys
from pdekit.cli import main
jobs = json.loads(open(sys.argv[1]).read())
codes = {name: main(["solve", case, "--out", out, "--quiet"]) for name, case, out in jobs}
from mpi4py import MPI
if MPI.COMM_WORLD.rank == 0:
    open(sys.argv[2], "w").write(json.dumps(codes))
"""
"""Runs every case of :data:`CASES` in one ``mpiexec`` launch (the start-up of two
TensorFlow processes is paid once, not per case)."""


@pytest.fixture(scope="module")
def two_rank_runs(tmp_path_factory) -> Path:
    """The 2-rank run of every case of :data:`CASES`, from one launch."""
    folder = tmp_path_factory.mktemp("pinn_mpi")
    jobs = []
    for dim, values in CASES.items():
        case = folder / f"case-{dim}.toml"
        case.write_text(SMALL.format(dim=dim, **{"problem": "", **values}))
        jobs.append((str(dim), str(case), str(folder / f"mpi-{dim}")))
    (folder / "driver.py").write_text(DRIVER)
    (folder / "jobs.json").write_text(json.dumps(jobs))
    env = {**os.environ, **ENV,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(folder / "driver.py"),
                             str(folder / "jobs.json"), str(folder / "codes.json")],
                            capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "" and result.stderr == ""  # --quiet: nothing from any rank
    assert json.loads((folder / "codes.json").read_text()) == {str(d): 0 for d in CASES}
    # rank 0 alone wrote each run folder; no hidden files but the run folders' locks
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")
            and not p.name.endswith(".lock")] == []
    return folder


@pytest.mark.parametrize("dim", [1, 2, "lshape", "disk"])
def test_two_ranks_equal_one_rank(two_rank_runs, tmp_path, dim):
    case = two_rank_runs / f"case-{dim}.toml"
    label = dim if isinstance(dim, str) else f"{dim}D"
    serial, parallel = tmp_path / "serial", two_rank_runs / f"mpi-{dim}"
    assert main(["solve", str(case), "--out", str(serial), "--quiet",
                 "--set", "parallel.normal_equations=true"]) == 0
    one = json.loads((serial / "summary.json").read_text())["results"]
    two = json.loads((parallel / "summary.json").read_text())["results"]
    assert one["ranks"] == 1 and two["ranks"] == 2
    assert two["parallel"] == {"ranks": 2, "interior_points_per_rank": [CASES[dim]["interior"]
                                                                      // 2] * 2,
                               "identical_weights": True}
    # every stage (Adam on the summed gradient, Gauss-Newton or Newton-CG and FedNL on
    # summed products) ends at the 1-rank loss
    for a, b in zip(one["stages"], two["stages"], strict=True):
        print(f"{label} {a['method']}: loss {a['loss_end']:.6e}, 1 vs 2 ranks "
              f"{abs(a['loss_end'] - b['loss_end']) / a['loss_end']:.1e} relative")
        assert abs(a["loss_end"] - b["loss_end"]) <= 1e-9 * a["loss_end"], (a, b)
    assert abs(one["final_loss"] - two["final_loss"]) <= 1e-9 * one["final_loss"]
    assert abs(one["rel_l2_error"] - two["rel_l2_error"]) <= 1e-7 * one["rel_l2_error"]
    w1, w2 = weights(serial), weights(parallel)
    print(f"{label} weights: {np.max(np.abs(w1 - w2)) / np.max(np.abs(w1)):.1e} relative")
    assert np.max(np.abs(w1 - w2)) <= 1e-7 * np.max(np.abs(w1))
    # the same files as the serial run
    assert sorted(p.name for p in serial.iterdir()) == sorted(p.name for p in parallel.iterdir())


def test_non_finite_loss_on_one_rank_ends_both_with_one_message(tmp_path):
    # f = 1/(x - 0.9375) is finite on the check and evaluation grids, but infinite at the
    # grid sampler's last midpoint 0.9375, which only rank 1 holds.
    case = tmp_path / "case.toml"
    case.write_text(SMALL.format(dim=1, exact="", problem="", domain="x = [0, 1]",
                                 interior=8, boundary=6, stages='{method = "gauss-newton", iterations = 3}')
                    .replace('exact = ""', 'forcing = "1/(x - 0.9375)"\nboundary = "0"')
                    .replace("boundary = 6", 'boundary = 6\nsampler = "grid"')
                    .replace("n = 21", "n = 100"))
    start = time.monotonic()
    result = mpirun(["solve", str(case), "--out", str(tmp_path / "out")], timeout=120)
    assert time.monotonic() - start < 100
    assert result.returncode == 1, result.stderr[-3000:]
    assert result.stderr.count("pdekit: numerical failure") == 1, result.stderr
    assert "loss is inf at the initial weights" in result.stderr
    assert not (tmp_path / "out").exists()
    assert json.loads((tmp_path / "out.failed" / "error.json").read_text())["status"] == "failed"
