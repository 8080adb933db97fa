"""Recursive coordinate bisection (pdekit.fem.solve.bisection): equal parts, cuts across
the longest extent, ties on a cut plane handed out exactly, and the same parts whether the
points sit on one rank or are spread over two (``mpiexec -n 2``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from pdekit.fem.solve.bisection import coordinate_bisection

ROOT = Path(__file__).resolve().parents[2]
MPIEXEC = shutil.which("mpiexec")


def lattice(n: int, dim: int, lengths: tuple[float, ...]) -> np.ndarray:
    """The points of an n^dim lattice on a box: many share a coordinate (ties at a cut)."""
    axes = [np.linspace(0.0, length, n) for length in lengths[:dim]]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, dim)


@pytest.mark.parametrize("parts", [1, 2, 3, 5, 7, 8, 12])
def test_parts_are_equal_to_one_point_per_level(parts):
    points = lattice(17, 3, (1.0, 1.0, 1.0))
    part = coordinate_bisection(points, parts, MPI.COMM_SELF)
    sizes = np.bincount(part, minlength=parts)
    levels = int(np.ceil(np.log2(parts))) if parts > 1 else 0
    assert sizes.sum() == len(points) and len(sizes) == parts
    assert sizes.max() - sizes.min() <= max(levels, 0)
    # 17³ = 4913 points: two parts of 2456 and 2457 although 289 points share each plane
    if parts == 2:
        assert sorted(sizes.tolist()) == [2456, 2457]


def test_the_first_cut_crosses_the_longest_extent_at_the_median():
    # A 4 x 1 x 1 box: the cut is the plane x = 2, not one across y or z.
    rng = np.random.default_rng(3)
    points = rng.random((4000, 3)) * [4.0, 1.0, 1.0]
    part = coordinate_bisection(points, 2, MPI.COMM_SELF)
    x = points[:, 0]
    assert x[part == 0].max() <= x[part == 1].min()
    assert abs(np.median(x) - 0.5 * (x[part == 0].max() + x[part == 1].min())) < 1e-12
    # four parts of the same box: slabs along x again (each half is 2 x 1 x 1)
    quarter = coordinate_bisection(points, 4, MPI.COMM_SELF)
    for left, right in ((0, 1), (1, 2), (2, 3)):
        assert x[quarter == left].max() <= x[quarter == right].min()


def test_degenerate_inputs():
    # every point in one place: still equal parts; no points: no parts to give
    same = coordinate_bisection(np.zeros((10, 2)), 4, MPI.COMM_SELF)
    assert sorted(np.bincount(same, minlength=4).tolist()) == [2, 2, 3, 3]
    assert coordinate_bisection(np.zeros((0, 3)), 3, MPI.COMM_SELF).size == 0
    # fewer points than parts: each point gets a part of its own
    few = coordinate_bisection(np.array([[0.0], [1.0], [2.0]]), 5, MPI.COMM_SELF)
    assert len(set(few.tolist())) == 3


SCRIPT = r"""
import json, sys
import numpy as np
from mpi4py import MPI
sys.path.insert(0, sys.argv[1])
from pdekit.fem.solve.bisection import coordinate_bisection

comm = MPI.COMM_WORLD
axes = [np.linspace(0.0, length, 13) for length in (1.0, 2.0, 1.5)]
points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
mine = np.array_split(np.arange(len(points)), comm.size)[comm.rank]  # blocks in order
result = {str(parts): coordinate_bisection(points[mine], parts, comm).tolist()
          for parts in (2, 3, 4, 5)}
gathered = comm.gather(result)
if comm.rank == 0:
    print(json.dumps({k: sum((r[k] for r in gathered), []) for k in result}))
"""


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
def test_two_ranks_give_the_one_rank_parts(tmp_path):
    script = tmp_path / "rcb_driver.py"  # not bisect.py: that is a standard module
    script.write_text(SCRIPT)
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    outputs = {}
    for ranks in (1, 2):
        done = subprocess.run([MPIEXEC, "-n", str(ranks), sys.executable, str(script),
                               str(ROOT)], capture_output=True, text=True, timeout=120,
                              env=env)
        assert done.returncode == 0, done.stderr
        outputs[ranks] = json.loads(done.stdout.strip().splitlines()[-1])
    for parts, labels in outputs[1].items():
        assert outputs[2][parts] == labels, parts
        sizes = np.bincount(labels, minlength=int(parts))
        assert sizes.max() - sizes.min() <= 2
