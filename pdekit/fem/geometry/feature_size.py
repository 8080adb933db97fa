"""The smallest feature a built-in 3D solid may have: one bound for every shape.

OpenCascade treats points closer than ``Precision::Confusion()`` = 1e-7 (model units) as
one point, and gives built edges and faces tolerances of a few times that: a box side of
1e-9 is refused by OCC itself (``Standard_DomainError``), a ball of radius 1e-12 cannot be
triangulated. Netgen, meshing at ``maxh`` about the size of the solid, also fails on
features far thinner than the solid: measured on this machine at ``maxh`` = half the size
(Netgen 6.2.2608), a unit box 1e-4 thick meshes and one 1e-5 thick fails ("Meshing
failed!", and at 1e-6 the process died of heap corruption); a unit triangle prism whose
apex lies 1e-3 from the opposite side meshes, 1e-4 fails. A feature — an edge, a radius,
a height, the width of a polygon — is therefore accepted when it is at least

    max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * size),

``size`` being the largest side of the solid's bounding box. Smaller features are refused
before anything runs (``pdekit check`` too); λ scales as 1/L², so a tiny solid is solved
by scaling its units.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

OCC_CONFUSION = 1e-7
"""OpenCascade's ``Precision::Confusion()``: points closer than this are one point."""

ABSOLUTE_FLOOR = 100 * OCC_CONFUSION
"""Smallest feature in model units: OCC's tolerances stay below 1 % of it."""

RELATIVE_FLOOR = 1e-3
"""Smallest feature relative to the solid's size (the measurements above)."""


class SolidKeyError(ValueError):
    """A solid refused for one ``[geometry]`` key (a feature below
    :func:`smallest_feature`, a clashing face name).

    Attributes
    ----------
    key
        The ``[geometry]`` key at fault, relative to ``geometry`` (``"radius"``,
        ``"primitives.hole.radius"``).
    expected, given
        What was expected, in words, and the value given.
    """

    def __init__(self, key: str, expected: str, given: Any):
        super().__init__(f"{key}: expected {expected}, got {given!r}")
        self.key, self.expected, self.given = key, expected, given


def smallest_feature(size: float) -> float:
    """The smallest feature length accepted in a solid of ``size`` (largest bounding-box
    side)."""
    return max(ABSOLUTE_FLOOR, RELATIVE_FLOOR * size)


def check_feature(key: str, what: str, length: float, size: float, given: Any) -> None:
    """Refuse a feature of ``length`` in a solid of ``size``.

    Raises
    ------
    SolidKeyError
        Naming ``key``, the bound and why (``what``: the feature, in words).
    """
    floor = smallest_feature(size)
    if not length >= floor:
        relative = "" if floor == ABSOLUTE_FLOOR else \
            f", {RELATIVE_FLOOR:g} × the solid's size {size:.3g}"
        measured = "" if length == given else f"it is {length:.3g}; "
        raise SolidKeyError(key, f"{what} of at least {floor:.3g} ({measured}OpenCascade/"
                            f"Netgen cannot mesh thinner features{relative}; λ scales as "
                            "1/L², so scale the units instead)", given)


def polygon_width(vertices: Sequence[Sequence[float]]) -> float:
    """The smallest distance from a vertex of a simple polygon to an edge not ending at it
    (its thinnest part: a sliver's apex over the opposite side) or between adjacent
    vertices (its shortest edge)."""
    pts = [(float(x), float(y)) for x, y in vertices]
    n = len(pts)
    width = min(math.dist(pts[i], pts[(i + 1) % n]) for i in range(n))
    for i, p in enumerate(pts):
        for j in range(n):
            if i in (j, (j + 1) % n):
                continue
            width = min(width, _segment_distance(p, pts[j], pts[(j + 1) % n]))
    return width


def _segment_distance(p: tuple[float, float], a: tuple[float, float],
                      b: tuple[float, float]) -> float:
    """Distance from ``p`` to the segment ``ab``."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx
                                                     + (p[1] - a[1]) * dy) / length2))
    return math.dist(p, (a[0] + t * dx, a[1] + t * dy))
