"""The solve's partition under `mpiexec -n 2` (pdekit.fem.solve.partition): coordinate
bisection and a graph partition.

NGSolve's distributed matrices own contiguous blocks of a numbering that is scattered over
the domain; after :func:`repartition` each rank owns a compact part: fewer couplings to the
other rank, the same eigenvalues, and eigenvectors that map back to the assembly numbering.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pdekit.fem.solve.partition import rows_for_this_rank

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = shutil.which("mpiexec")

SCRIPT = r"""
import json, math, sys
import numpy as np
from mpi4py import MPI
import ngsolve
import netgen.meshing
from netgen.csg import unit_cube
from ngsolve.ngs2petsc import CreatePETScMatrix
from petsc4py import PETSc
from pdekit.fem.solve.assembly import assemble, free_dof_vector_to_gridfunction
from pdekit.fem.solve.mpi_matrices import dof_points
from pdekit.fem.solve.slepc_solver import solve_eigen

comm = MPI.COMM_WORLD
if comm.rank == 0:
    ngmesh = unit_cube.GenerateMesh(maxh=0.25).Distribute(comm)
else:
    ngmesh = netgen.meshing.Mesh.Receive(comm)
ngmesh.Refine()
ngmesh.Refine()
mesh = ngsolve.Mesh(ngmesh)
walls = ["left", "right", "top", "bottom", "front", "back"]


def couplings_to_other_ranks(matrix):
    local = matrix.getInfo(PETSc.Mat.InfoType.LOCAL)["nz_used"]
    own = matrix.getDiagonalBlock().getInfo(PETSc.Mat.InfoType.LOCAL)["nz_used"]
    return comm.allreduce(local - own)


numbers = {}
for name in ("rcb", "graph"):
    disc = assemble(mesh, 1, walls, name)
    if name == "rcb":  # NGSolve's own numbering, for comparison
        space = disc.space
        stiffness = ngsolve.BilinearForm(ngsolve.grad(space.TrialFunction())
                                         * ngsolve.grad(space.TestFunction()) * ngsolve.dx)
        stiffness.Assemble()
        numbers["before"] = couplings_to_other_ranks(CreatePETScMatrix(stiffness.mat,
                                                                       space.FreeDofs()))
        numbers["ndof"] = disc.ndof
    result = solve_eigen(disc.A, disc.M, nev=1, target=0.0, dim=3, stiffness_definite=True,
                         factorization="iterative", method="krylovschur")
    value = result.eigenvalues[0]
    # the mode back in NGSolve's numbering: a GridFunction, and the eigen-equation holds
    # there (NGSolve's own matrices, NGSolve's vectors)
    gf = ngsolve.GridFunction(disc.space)
    free_dof_vector_to_gridfunction(disc.space, disc.to_ngsolve_numbering(result.vectors[0]), gf)
    u, v = disc.space.TnT()
    a = ngsolve.BilinearForm(ngsolve.grad(u) * ngsolve.grad(v) * ngsolve.dx).Assemble()
    m = ngsolve.BilinearForm(u * v * ngsolve.dx).Assemble()
    Au, Mu = gf.vec.CreateVector(), gf.vec.CreateVector()
    Au.data = a.mat * gf.vec
    Mu.data = m.mat * gf.vec
    free = disc.space.FreeDofs()
    residual = Au.CreateVector()
    residual.data = Au - value * Mu
    residual.Cumulate()
    Mu.Cumulate()
    local = np.asarray(residual.FV().NumPy())[np.asarray(free, dtype=bool)]
    scale = np.asarray(Mu.FV().NumPy())[np.asarray(free, dtype=bool)]
    worst = comm.allreduce(float(np.abs(local).max()) if local.size else 0.0, op=MPI.MAX)
    size = comm.allreduce(float(np.abs(scale).max()) if scale.size else 0.0, op=MPI.MAX)
    numbers[name] = {"after": couplings_to_other_ranks(disc.A),
                     "rows": disc.partition.rows_per_rank,
                     "partitioner": disc.partition.partitioner, "lambda": value,
                     "residual": worst / (value * size)}
# the dofs' points: inside the cube, with its corners among them
points = dof_points(disc.space, a.mat.local_mat)
low = comm.allreduce(points.min(axis=0).tolist() if len(points) else [1] * 3, op=MPI.MIN)
high = comm.allreduce(points.max(axis=0).tolist() if len(points) else [0] * 3, op=MPI.MAX)
numbers["box"] = [low, high]
if comm.rank == 0:
    print(json.dumps(numbers))
"""


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
def test_two_ranks_get_compact_parts_and_the_same_eigenpairs(tmp_path):
    script = tmp_path / "partition.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(script)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    assert numbers["box"] == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    for name, partitioner in (("rcb", "rcb"), ("graph", "ptscotch")):
        run = numbers[name]
        assert run["partitioner"] == partitioner
        rows = run["rows"]
        assert sum(rows) == numbers["ndof"] and min(rows) > 0.4 * numbers["ndof"]
        if name == "rcb":  # coordinate bisection: equal halves to one row
            assert abs(rows[0] - rows[1]) <= 1
        # A compact split of a cube cuts one plane of couplings; NGSolve's numbering cuts
        # through the whole refined mesh.
        assert run["after"] < 0.25 * numbers["before"], (name, run["after"])
        # Unit cube, P1 on a mesh of h ≈ 0.06: λ1 = 3π² to the discretization error (upper
        # bound), and the mode satisfies A x = λ M x back in NGSolve's numbering.
        assert 0 < run["lambda"] / (3 * np.pi ** 2) - 1 < 0.05
        assert run["residual"] < 1e-8
    assert abs(numbers["rcb"]["lambda"] - numbers["graph"]["lambda"]) < 1e-8 * \
        numbers["rcb"]["lambda"]


class _TwoRankExchange:
    """Stands in for a 2-rank communicator: ``alltoall`` between two fixed rank objects."""

    def __init__(self, rank: int, outgoing_of_other: list[np.ndarray]):
        self.rank, self.other = rank, outgoing_of_other

    def Get_size(self) -> int:
        return 2

    def alltoall(self, outgoing: list[np.ndarray]) -> list[np.ndarray]:
        mine = outgoing[self.rank]
        theirs = self.other[self.rank]
        return [mine, theirs] if self.rank == 0 else [theirs, mine]


def test_rows_are_grouped_by_sending_rank_in_order():
    # Rank 0 owns rows 0..3, rank 1 rows 4..6; targets say where each row goes.
    targets0, targets1 = np.array([1, 0, 1, 0]), np.array([0, 0, 1])
    out0 = [np.array([1, 3]), np.array([0, 2])]
    out1 = [np.array([4, 5]), np.array([6])]
    assert rows_for_this_rank(targets0, 0, _TwoRankExchange(0, out1)).tolist() == [1, 3, 4, 5]
    assert rows_for_this_rank(targets1, 4, _TwoRankExchange(1, out0)).tolist() == [0, 2, 6]


NUMBERING_SCRIPT = r"""
import json, sys
import numpy as np
from mpi4py import MPI
sys.path.insert(0, sys.argv[1])
from pdekit.fem.solve.partition import new_numbers, rows_for_this_rank

comm = MPI.COMM_WORLD
size = 157
shift = np.array([0] + [3] * (comm.size - 1) + [0])  # uneven blocks
bounds = np.linspace(0, size, comm.size + 1).astype(int) + shift
start, end = bounds[comm.rank], bounds[comm.rank + 1]
target = np.random.default_rng(5).integers(0, comm.size, size)[start:end]
numbers = np.concatenate(comm.allgather(new_numbers(target, comm)))
order = np.concatenate(comm.allgather(rows_for_this_rank(target, start, comm)))
if comm.rank == 0:
    # row order[k] of the old numbering is row k of the new one
    print(json.dumps({"inverse": bool(np.array_equal(numbers[order], np.arange(size)))}))
"""


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
@pytest.mark.parametrize("ranks", [2, 3])
def test_each_rank_numbers_its_rows_as_the_receivers_order_them(tmp_path, ranks):
    # new_numbers (worked out by the sender) inverts rows_for_this_rank (the receiver's)
    script = tmp_path / "numbering.py"
    script.write_text(NUMBERING_SCRIPT)
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    result = subprocess.run([MPIEXEC, "--oversubscribe", "-n", str(ranks), sys.executable,
                             str(script), str(ROOT)], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"inverse": True}


def test_a_graph_partition_without_a_graph_partitioner_is_refused(monkeypatch):
    """`solver.partitioner = "graph"` under mpiexec on a PETSc without PT-Scotch or
    ParMETIS: one line naming the key before anything runs; on one process it is moot."""
    from pdekit import CaseError, load_case
    from pdekit.fem.prepare import check_partitioner
    from pdekit.fem.solve import partition

    case = load_case(ROOT / "cases" / "eigen_square.toml", set=["solver.partitioner='graph'"])
    monkeypatch.setattr(partition, "available_partitioner", lambda: None)
    check_partitioner(case)  # one process: nothing to split
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(CaseError, match="solver.partitioner.*'auto' or 'rcb'"):
        check_partitioner(case)
    check_partitioner(load_case(ROOT / "cases" / "eigen_square.toml"))  # rcb needs none
