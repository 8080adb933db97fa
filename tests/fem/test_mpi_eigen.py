"""`mpiexec -n 2 pdekit eig` equals the serial run; a failing rank ends all ranks.

Launched with subprocess from a normal pytest run (no MPI inside pytest itself).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pdekit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
MPIEXEC = shutil.which("mpiexec")
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")


def mpirun(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([MPIEXEC, "-n", "2", sys.executable, "-m", "pdekit.cli", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


@pytest.mark.parametrize("case, overrides", [
    ("eigen_square.toml", ["mesh.maxh=0.1"]),
    ("eigen_disk.toml", []),                                   # curved boundary
    ("eigen_lshape.toml", ["fem.order=8", "mesh.hp_levels=8"]),  # hp mesh with quads
    ("eigen_square.toml", ["mesh.maxh=0.2", "solver.partitioner=graph"]),  # PT-Scotch
])
def test_two_ranks_equal_serial(tmp_path, case, overrides):
    # two modes written and drawn: what is compared (mode 1, the files) needs no more
    sets = [item for o in [*overrides, "output.modes=2", "output.plot=2"]
            for item in ("--set", o)]
    serial, parallel = tmp_path / "serial", tmp_path / "mpi"
    assert main(["eig", str(CASES / case), "--out", str(serial), "--quiet", *sets]) == 0
    result = mpirun(["eig", str(CASES / case), "--out", str(parallel), "--quiet", *sets])
    assert result.returncode == 0, result.stderr[-3000:]
    one = json.loads((serial / "summary.json").read_text())["results"]
    two = json.loads((parallel / "summary.json").read_text())["results"]
    assert two["ranks"] == 2 and one["ranks"] == 1 and one["ndof"] == two["ndof"]
    for a, b in zip(one["eigenvalues"], two["eigenvalues"], strict=True):
        assert abs(a - b) <= 1e-10 * abs(a)
    # the rows split by coordinate bisection (equal to one row) unless the graph is asked for
    rows = two["solver"]["rows_per_rank"]
    assert sum(rows) == two["ndof"] and min(rows) > 0.4 * two["ndof"]
    if "solver.partitioner=graph" in overrides:
        assert two["solver"]["partitioner"] == "ptscotch"
    else:
        assert two["solver"]["partitioner"] == "rcb" and max(rows) - min(rows) <= 1
    import meshio

    # Gathered on rank 0: the same subdivided mesh and (sign-normalized) first mode.
    m1, m2 = meshio.read(serial / "mode_01.vtu"), meshio.read(parallel / "mode_01.vtu")
    assert len(m1.points) == len(m2.points)
    assert abs(m1.point_data["u"]).max() == pytest.approx(abs(m2.point_data["u"]).max(),
                                                          rel=1e-6)
    assert sorted(p.name for p in serial.iterdir()) == sorted(p.name for p in parallel.iterdir())


def test_bad_mesh_is_refused_before_the_run_on_every_rank(tmp_path):
    bad = tmp_path / "bad.msh"
    bad.write_text("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0 0 0\ngarbage\n")
    case = tmp_path / "bad.toml"
    case.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "mesh"\nfile = "bad.msh"\n')
    start = time.monotonic()
    result = mpirun(["eig", str(case), "--out", str(tmp_path / "out")], timeout=60)
    assert time.monotonic() - start < 30
    assert result.returncode == 2
    assert "geometry.file" in result.stderr and "line 7" in result.stderr
    assert not (tmp_path / "out").exists()


ONE_RANK_FAILS = """
import sys
from mpi4py import MPI
from pdekit.errors import CaseError
from pdekit.mpi_abort import on_every_rank

class Context:
    def fail(self, error, data):
        print("marked failed", file=sys.stderr)

comm = MPI.COMM_WORLD
def body():
    if comm.rank == int(sys.argv[1]):
        raise CaseError("case.toml", "geometry.file", "a mesh this rank can read")
    comm.barrier()  # the other rank waits in a collective

on_every_rank(comm, Context(), body)
"""


@pytest.mark.parametrize("failing", [0, 1])
def test_failure_on_one_rank_ends_every_rank(tmp_path, failing):
    # Bad input is refused before the run on every rank (the Gmsh file, PETSc options);
    # what is left is a rank failing alone while the others wait in a collective.
    script = tmp_path / "one_rank_fails.py"
    script.write_text(ONE_RANK_FAILS)
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    start = time.monotonic()
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(script), str(failing)],
                            capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert time.monotonic() - start < 30
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"rank {failing} of 2" in result.stderr and "geometry.file" in result.stderr
    assert "marked failed" in result.stderr
