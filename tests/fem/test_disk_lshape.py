"""Disk (curved boundary, Bessel zeros) and L-shape (hp-grading, Trefethen–Betcke λ1)."""

from __future__ import annotations

import pytest

from pdekit.fem.geometry.shapes2d import disk, lshape
from pdekit.fem.solve.slepc_solver import clusters

J01_SQ = 5.783185962946784
J11_SQ = 14.681970642123893
LSHAPE_LAMBDA1 = 9.6397238440219410527  # Trefethen & Betcke 2006


def test_disk_with_curved_mesh(eigen):
    values, (_, info, _, _) = eigen(disk(1.0, (0.0, 0.0)), order=5, maxh=0.25, nev=3)
    assert info.curve_order == 5
    assert values[0] == pytest.approx(J01_SQ, rel=1e-9)
    assert clusters(values, 1e-4) == [[0], [1, 2]]
    assert values[1:] == pytest.approx([J11_SQ, J11_SQ], rel=1e-9)


def test_disk_without_curving_is_wrong(eigen):
    values, _ = eigen(disk(1.0, (0.0, 0.0)), order=5, maxh=0.25, nev=1, curve=0)
    # The inscribed polygon is smaller: λ too large by far more than the FEM error.
    assert values[0] / J01_SQ - 1 > 1e-4


def test_disk_neumann(eigen):
    values, _ = eigen(disk(1.0, (0.0, 0.0)), order=5, maxh=0.25, nev=3, all_neumann=True)
    assert abs(values[0]) < 1e-9
    assert values[1:] == pytest.approx([3.3899577166718897] * 2, rel=1e-8)


def test_lshape_hp_gives_ten_digits(eigen):
    values, (_, info, _, _) = eigen(lshape(), order=12, maxh=0.5, nev=1)
    assert info.singular_corners == [2] and info.hp_levels == 12  # auto: levels = order
    assert abs(values[0] - LSHAPE_LAMBDA1) / LSHAPE_LAMBDA1 < 1e-10
    assert values[0] >= LSHAPE_LAMBDA1 * (1 - 1e-14)  # upper bound (conforming)


def test_lshape_without_grading_is_slow(eigen):
    values, _ = eigen(lshape(), order=12, maxh=0.5, nev=1, hp=False)
    error = abs(values[0] - LSHAPE_LAMBDA1) / LSHAPE_LAMBDA1
    assert error > 1e-6  # the r^(2/3) singularity caps uniform-mesh accuracy
