"""Polygon checks, interior angles and singular-corner detection (no NGSolve)."""

from __future__ import annotations

import math

import pytest

from pdekit.fem.geometry.shapes2d import (LSHAPE_VERTICES, counter_clockwise,
                                 interior_angles, polygon, polygon_problem, singular_corners)


@pytest.mark.parametrize("vertices, phrase", [
    ([[0, 0], [1, 0]], "at least 3"),
    ([[0, 0], [2, 2], [2, 0], [0, 1]], "cross"),           # bow-tie
    ([[0, 0], [1, 0], [1, 0], [0, 1]], "repeats"),
    ([[0, 0], [1, 0], [2, 0]], "non-zero area"),
    ([[0, 0], [2, 0], [2, 2], [1, 2], [1, -1], [0, 2]], "cross"),
    ([[0, 0], [1, "a"], [0, 1]], "pairs"),
])
def test_bad_polygons_are_rejected(vertices, phrase):
    problem = polygon_problem(vertices)
    assert problem is not None and phrase in problem


def test_simple_polygons_pass_in_either_orientation():
    assert polygon_problem([list(v) for v in LSHAPE_VERTICES]) is None
    clockwise = [list(v) for v in LSHAPE_VERTICES[::-1]]
    assert polygon_problem(clockwise) is None
    assert counter_clockwise(clockwise) == LSHAPE_VERTICES


def test_clockwise_polygon_keeps_each_name_on_its_edge():
    # Unit square given clockwise from the origin: up the left side, along the top, ...
    shape = polygon([[0, 0], [0, 1], [1, 1], [1, 0]], ["left", "top", "right", "bottom"])
    assert shape.vertices == [(1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    for (a, b), name in zip(zip(shape.vertices, shape.vertices[1:] + shape.vertices[:1]),
                            shape.edge_names):
        midpoint = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        assert midpoint == {"left": (0, 0.5), "top": (0.5, 1), "right": (1, 0.5),
                            "bottom": (0.5, 0)}[name]


def test_interior_angles_of_the_lshape():
    angles = [a / math.pi for a in interior_angles(LSHAPE_VERTICES)]
    assert angles == pytest.approx([0.5, 0.5, 1.5, 0.5, 0.5, 0.5])
    assert sum(interior_angles(LSHAPE_VERTICES)) == pytest.approx(4 * math.pi)


def test_singular_corners_same_conditions():
    assert singular_corners(LSHAPE_VERTICES, [True] * 6) == [2]
    square = [(0, 0), (1, 0), (1, 1), (0, 1)]
    assert singular_corners(square, [True] * 4) == []
    # 135° corners are singular too (π/ω = 4/3); a 60° corner is not (π/ω = 3).
    chamfer = [(0, 0), (2, 0), (2, 2), (1, 2), (0, 1)]
    assert singular_corners(chamfer, [True] * 5) == [3, 4]
    triangle = [(0, 0), (1, 0), (0.5, math.sqrt(3) / 2)]
    assert singular_corners(triangle, [True] * 3) == []


def test_singular_corners_mixed_conditions():
    square = [(0, 0), (1, 0), (1, 1), (0, 1)]
    # Dirichlet meets Neumann at a right angle: exponents (k+1/2)·2, smooth.
    assert singular_corners(square, [True, False, True, False]) == []
    # A condition change on a straight edge (ω = π) gives r^(1/2).
    straight = [(0, 0), (1, 0), (2, 0), (2, 1), (0, 1)]
    assert singular_corners(straight, [True, False, True, True, True]) == [1]


