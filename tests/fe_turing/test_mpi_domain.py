"""`mpiexec -n 2 pdekit solve` on ``[domain]`` cases (a disk with P1, the sphere with P2,
fixed and adaptive steps; a Dirichlet wall; a ball, where the solves are iterative) equals
the 1-rank run to 1e-10; rank 0 alone writes the summary, every snapshot is a valid
``.pvtu`` over per-rank pieces listed in ``fields.pvd``; bad input prints one line once; a
failure on one rank ends both.

Launched with subprocess from a normal pytest run (no MPI inside pytest itself); every
2-rank run of the module comes from one ``mpiexec`` launch (NGSolve and PETSc start once).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
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

CASE = """
[case]
kind = "turing"
name = "{name}"
[model]
name = "schnakenberg"
parameters = {{ Du = 0.0258, Dv = 0.258 }}
[domain]
{domain}
[initial]
noise = "white"
std_u = 0.01
std_v = 0.01
seed = 7
[time]
{time}
T = 4.0
[output]
every = 2.0
"""

DISK = 'shape = "disk"\nmaxh = 0.12\norder = 1'
SPHERE = 'shape = "sphere"\nmaxh = 0.4\norder = 2'
FIXED = 'method = "{method}"\ndt = 0.1'
ADAPTIVE = 'method = "ars222"\nadaptive = true\ntolerance = 1e-4\ndt = 0.01\ndt_max = 0.5'

CASES = {
    "disk-fixed": (DISK, FIXED.format(method="sbdf2")),
    "disk-adaptive": (DISK, ADAPTIVE),
    "sphere-fixed": (SPHERE, FIXED.format(method="ars443")),
    "sphere-adaptive": (SPHERE, ADAPTIVE),
    "disk-dirichlet": (DISK + '\ndirichlet = ["circle"]', FIXED.format(method="strang")),
    "ball-fixed": ('shape = "ball"\nmaxh = 0.3\norder = 1', FIXED.format(method="ars222")),
    "bad": ('shape = "sphere"\nmaxh = 0.4\norder = 2', 'method = "sbdf2"\ndt = 8.0'),
}
"""name -> ([domain], [time]); ``bad`` asks for a step longer than T."""

DRIVER = """
import json, sys
from pdekit.cli import main
jobs = json.loads(open(sys.argv[1]).read())
codes = {name: main(["solve", case, "--out", out, "--quiet"]) for name, case, out in jobs}
from mpi4py import MPI
if MPI.COMM_WORLD.rank == 0:
    open(sys.argv[2], "w").write(json.dumps(codes))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """Every case of :data:`CASES` on 1 rank (in this process) and on 2 ranks (one
    launch)."""
    folder = tmp_path_factory.mktemp("fe_mpi")
    jobs = []
    for name, (domain, time) in CASES.items():
        case = folder / f"{name}.toml"
        case.write_text(CASE.format(name=name, domain=domain, time=time))
        jobs.append((name, str(case), str(folder / f"mpi-{name}")))
        if name != "bad":
            assert main(["solve", str(case), "--out", str(folder / f"one-{name}"),
                         "--quiet"]) == 0
    (folder / "driver.py").write_text(DRIVER)
    (folder / "jobs.json").write_text(json.dumps(jobs))
    env = {**os.environ, **ENV,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(folder / "driver.py"),
                             str(folder / "jobs.json"), str(folder / "codes.json")],
                            capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    codes = json.loads((folder / "codes.json").read_text())
    assert codes == {**{name: 0 for name in CASES if name != "bad"}, "bad": 2}
    return folder, result


@pytest.mark.parametrize("name", [n for n in CASES if n != "bad"])
def test_two_ranks_equal_one_rank(runs, name):
    folder, _ = runs
    one, two = folder / f"one-{name}", folder / f"mpi-{name}"
    with np.load(one / "final_state.npz") as a, np.load(two / "final_state.npz") as b:
        assert np.array_equal(a["nodes"], b["nodes"]) and float(a["t"]) == float(b["t"]) == 4.0
        for key in ("u_nodes", "v_nodes"):
            # the noise moved the fields by about 1e-2 from the steady state
            assert np.abs(a[key] - b[key]).max() <= 1e-10 * np.abs(a[key]).max()
            assert np.ptp(a[key]) > 1e-3
    first = json.loads((one / "summary.json").read_text())["results"]
    second = json.loads((two / "summary.json").read_text())["results"]
    assert first["ranks"] == 1 and second["ranks"] == 2
    assert [r["rows"] > 0 for r in second["per_rank"]] == [True, True]
    assert sum(r["rows"] for r in second["per_rank"]) == first["domain"]["free_dofs"]
    assert second["time"]["steps"] == first["time"]["steps"]
    solver = second["time"]["linear_solver"]
    if name.startswith("ball"):  # solids: CG + GAMG to a relative residual of 1e-13
        assert solver["method"] == "CG + GAMG" and solver["iterations"] > 0
    else:
        assert solver == {"method": "MUMPS Cholesky"}
    if "adaptive" in first["time"]:
        assert second["time"]["adaptive"]["rejected"] == first["time"]["adaptive"]["rejected"]


def test_every_snapshot_is_a_pvtu_of_both_ranks_pieces(runs):
    import meshio

    folder, _ = runs
    one, two = folder / "one-sphere-adaptive", folder / "mpi-sphere-adaptive"
    serial = ET.parse(one / "fields.pvd").getroot().findall("./Collection/DataSet")
    entries = ET.parse(two / "fields.pvd").getroot().findall("./Collection/DataSet")
    assert [e.get("timestep") for e in entries] == [e.get("timestep") for e in serial]
    for entry, reference in zip(entries, serial):
        index = ET.parse(two / entry.get("file")).getroot()
        assert index.get("type") == "PUnstructuredGrid"
        names = [a.get("Name") for a in index.findall("./PUnstructuredGrid/PPointData/")]
        sources = [p.get("Source") for p in index.findall("./PUnstructuredGrid/Piece")]
        assert names == ["u", "v"] and len(sources) == 2
        values: dict[tuple, tuple] = {}
        cells = 0
        for source in sources:
            piece = meshio.read(two / source)
            cells += len(piece.cells[0].data)
            for point, u, v in zip(piece.points, piece.point_data["u"], piece.point_data["v"]):
                values[tuple(np.round(point, 9))] = (u, v)
        whole = meshio.read(one / reference.get("file"))
        assert cells == len(whole.cells[0].data) and len(values) == len(whole.points)
        for point, u, v in zip(whole.points, whole.point_data["u"], whole.point_data["v"]):
            assert values[tuple(np.round(point, 9))] == pytest.approx((u, v), abs=1e-10)


def test_rank_zero_alone_writes_the_run_folder(runs):
    folder, result = runs
    two = folder / "mpi-disk-fixed"
    names = sorted(p.name for p in two.iterdir() if p.name != ".pdekit-run")  # the mark
    pieces = [n for n in names if n.endswith(".vtu")]
    assert pieces == [f"fields_{i:05d}_p{r:04d}.vtu" for i in range(3) for r in range(2)]
    assert sorted(set(names) - set(pieces)) == sorted(
        ["fields.png", "fields.pvd", "final_state.npz", "summary.json"]
        + [f"fields_{i:05d}.pvtu" for i in range(3)])
    summary = json.loads((two / "summary.json").read_text())
    assert summary["results"]["ranks"] == 2 and summary["results"]["files"] == [
        "final_state.npz", "fields.pvd", "fields.png"]
    # no hidden files but the run folders' locks
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")
            and not p.name.endswith(".lock")] == []


def test_bad_input_prints_one_line_once_and_writes_nothing(runs):
    folder, result = runs
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("pdekit:") and "time.dt" in lines[0], lines
    assert not (folder / "mpi-bad").exists()


FAILING_DRIVER = """
import sys
from mpi4py import MPI
import pdekit.fe.run_mpi as run_mpi
from pdekit.cli import main

reaction = run_mpi.reaction_rhs

def failing_on_rank_one(model, size):
    inner, calls = reaction(model, size), []
    def rhs(w):
        calls.append(1)
        if len(calls) > 5:
            raise RuntimeError("injected failure")
        return inner(w)
    return rhs

if MPI.COMM_WORLD.rank == 1:
    run_mpi.reaction_rhs = failing_on_rank_one
sys.exit(main(["solve", sys.argv[1], "--out", sys.argv[2], "--quiet"]))
"""


def test_a_failure_on_one_rank_ends_both(tmp_path):
    case = tmp_path / "disk.toml"
    case.write_text(CASE.format(name="disk", domain=DISK, time=FIXED.format(method="sbdf2")))
    (tmp_path / "driver.py").write_text(FAILING_DRIVER)
    env = {**os.environ, **ENV,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(tmp_path / "driver.py"),
                             str(case), str(tmp_path / "out")], capture_output=True, text=True,
                            timeout=120, env=env, cwd=ROOT)  # a hang would time out
    assert result.returncode == 1, result.stderr[-3000:]
    assert "pdekit: rank 1 of 2: RuntimeError: injected failure" in result.stderr
    assert not (tmp_path / "out" / "summary.json").exists()
