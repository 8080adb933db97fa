"""The solve's graph partition under `mpiexec -n 2` (pdekit.fem.solve.partition).

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
from mpi4py import MPI
import ngsolve
import netgen.meshing
from netgen.csg import unit_cube
from petsc4py import PETSc
from pdekit.fem.solve.assembly import assemble
from pdekit.fem.solve.partition import repartition
from pdekit.fem.solve.slepc_solver import solve_eigen

comm = MPI.COMM_WORLD
if comm.rank == 0:
    ngmesh = unit_cube.GenerateMesh(maxh=0.25).Distribute(comm)
else:
    ngmesh = netgen.meshing.Mesh.Receive(comm)
ngmesh.Refine()
ngmesh.Refine()
disc = assemble(ngsolve.Mesh(ngmesh), 1, ["left", "right", "top", "bottom", "front", "back"])


def couplings_to_other_ranks(matrix):
    local = matrix.getInfo(PETSc.Mat.InfoType.LOCAL)["nz_used"]
    own = matrix.getDiagonalBlock().getInfo(PETSc.Mat.InfoType.LOCAL)["nz_used"]
    return comm.allreduce(local - own)


before = couplings_to_other_ranks(disc.A)
parts = repartition(disc.A, disc.M)
after = couplings_to_other_ranks(parts.A)
result = solve_eigen(parts.A, parts.M, nev=1, target=0.0, dim=3, stiffness_definite=True,
                     factorization="iterative", method="krylovschur")
value = result.eigenvalues[0]
x = parts.to_assembly_numbering(result.vectors[0])
Ax, Mx = disc.A.createVecs()[0], disc.A.createVecs()[0]
disc.A.mult(x, Ax)
disc.M.mult(x, Mx)
Ax.axpy(-value, Mx)
residual = Ax.norm() / (value * Mx.norm())
if comm.rank == 0:
    print(json.dumps({"before": before, "after": after, "rows": parts.rows_per_rank,
                      "ndof": disc.ndof, "partitioner": parts.partitioner,
                      "lambda": value, "residual": residual}))
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
    assert numbers["partitioner"] == "ptscotch"
    rows = numbers["rows"]
    assert sum(rows) == numbers["ndof"] and min(rows) > 0.4 * numbers["ndof"]
    # A compact split of a cube cuts one plane of couplings; NGSolve's numbering cuts
    # through the whole refined mesh.
    assert numbers["after"] < 0.25 * numbers["before"]
    # Unit cube, P1 on a mesh of h ≈ 0.06: λ1 = 3π² to the discretization error (upper
    # bound), and the eigenvector satisfies A x = λ M x in the assembly numbering.
    assert 0 < numbers["lambda"] / (3 * np.pi ** 2) - 1 < 0.05
    assert numbers["residual"] < 1e-8


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
