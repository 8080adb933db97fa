"""Simple polygons (any orientation) and the L-shape."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from pdekit.pinn.domains.base import Bounds, PlanarDomain
from pdekit.pinn.domains.pieces import Piece, Segment

LSHAPE_VERTICES = ((-1.0, -1.0), (0.0, -1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (-1.0, 1.0))
"""The L-shape (-1,1)^2 minus [0,1)x(-1,0], counter-clockwise, with edges ``edge0..edge5``
from vertex ``i`` to ``i+1``: the same vertices and names as pdekit's FEM eigen L-shape."""


def signed_area(vertices: np.ndarray) -> float:
    """Shoelace area, positive for counter-clockwise vertices."""
    x, y = vertices[:, 0], vertices[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _cross(a: np.ndarray, b: np.ndarray) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


def _segments_touch(p: np.ndarray, q: np.ndarray, r: np.ndarray, s: np.ndarray,
                    eps: float) -> bool:
    """Whether the closed segments ``pq`` and ``rs`` share a point (overlaps included)."""
    d1, d2 = _cross(s - r, p - r), _cross(s - r, q - r)
    d3, d4 = _cross(q - p, r - p), _cross(q - p, s - p)
    if ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and \
            ((d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)):
        return True

    def on(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> bool:
        lo, hi = np.minimum(a, b) - 1e-14, np.maximum(a, b) + 1e-14
        return bool(np.all(c >= lo) and np.all(c <= hi))

    return any(abs(d) <= eps and on(a, b, c) for d, a, b, c in
               ((d1, r, s, p), (d2, r, s, q), (d3, p, q, r), (d4, p, q, s)))


def polygon_problem(vertices: np.ndarray) -> str | None:
    """What a simple polygon was expected to be, or ``None`` if ``vertices`` is one.

    Checks: at least 3 finite ``(x, y)`` vertices, no vertex repeated, nonzero area, no two
    non-adjacent edges touching and no two adjacent edges folding back (self-intersection).
    """
    if vertices.ndim != 2 or vertices.shape[1] != 2 or len(vertices) < 3:
        return "expected at least 3 vertices (x, y)"
    if not np.all(np.isfinite(vertices)):
        return "expected finite vertex coordinates"
    n = len(vertices)
    scale = max(1.0, float(np.max(np.abs(vertices))))
    for i in range(n):
        for j in range(i + 1, n):
            if np.linalg.norm(vertices[i] - vertices[j]) <= 1e-12 * scale:
                return f"expected distinct vertices (vertex {j} repeats vertex {i})"
    eps = 1e-12 * scale * scale
    for i in range(n):
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # adjacent through the closing edge
            if _segments_touch(vertices[i], vertices[(i + 1) % n], vertices[j],
                               vertices[(j + 1) % n], eps):
                return (f"expected a simple polygon (not self-intersecting): edges {i} "
                        f"and {j} cross")
    if abs(signed_area(vertices)) <= 1e-12 * scale * scale:
        return "expected a polygon with nonzero area"
    for i in range(n):
        a, b, c = vertices[i - 1], vertices[i], vertices[(i + 1) % n]
        if abs(_cross(b - a, c - b)) <= eps and float(np.dot(b - a, c - b)) < 0:
            return f"expected a simple polygon: the edges at vertex {i} fold back"
    return None


@dataclass(frozen=True)
class Polygon(PlanarDomain):
    """A simple polygon, vertices in either orientation.

    Edge ``i`` runs from ``vertices[i]`` to ``vertices[i+1]`` (the last back to the first) in
    the order given, whatever the orientation, and is the boundary part ``edge_names[i]``
    (default ``edge{i}``; repeated names join edges into one part). The ADF joins the
    trimmed segment ADFs of the edges (Sukumar & Srivastava, CMAME 389 (2022) 114333).
    Raises ``ValueError`` (saying what was expected) for an invalid polygon.
    """

    vertices: Sequence[Sequence[float]]
    edge_names: Sequence[str] | None = None

    def __post_init__(self) -> None:
        try:
            verts = np.array(self.vertices, dtype=float)
        except (TypeError, ValueError) as err:
            raise ValueError(f"expected vertices as (x, y) number pairs ({err})") from None
        problem = polygon_problem(verts)
        if problem:
            raise ValueError(f"invalid polygon: {problem}")
        object.__setattr__(self, "vertices", tuple((float(x), float(y)) for x, y in verts))
        names = self.edge_names
        if names is None:
            names = [f"edge{i}" for i in range(len(verts))]
        names = tuple(str(s) for s in names)
        if len(names) != len(verts):
            raise ValueError(f"expected {len(verts)} edge names (one per edge), "
                             f"got {len(names)}")
        object.__setattr__(self, "edge_names", names)

    @cached_property
    def counter_clockwise(self) -> bool:
        """Whether the vertices were given counter-clockwise."""
        return signed_area(np.asarray(self.vertices)) > 0

    @cached_property
    def pieces(self) -> tuple[tuple[str, Piece], ...]:
        out = []
        n = len(self.vertices)
        turn = 1.0 if self.counter_clockwise else -1.0
        for i in range(n):
            p, q = self.vertices[i], self.vertices[(i + 1) % n]
            dx, dy = q[0] - p[0], q[1] - p[1]
            length = float(np.hypot(dx, dy))
            # Outward = to the right of the edge for a counter-clockwise boundary.
            normal = (turn * dy / length, -turn * dx / length)
            out.append((self.edge_names[i], Segment(p, q, normal)))
        return tuple(out)

    def bounding_box(self) -> Bounds:
        v = np.asarray(self.vertices)
        return ((float(v[:, 0].min()), float(v[:, 0].max())),
                (float(v[:, 1].min()), float(v[:, 1].max())))

    def volume(self) -> float:
        return abs(signed_area(np.asarray(self.vertices)))

    def _inside(self, points: np.ndarray) -> np.ndarray:
        """Even-odd rule (crossings of a ray towards +x)."""
        v = np.asarray(self.vertices)
        x, y = points[:, 0], points[:, 1]
        inside = np.zeros(len(points), bool)
        for (xa, ya), (xb, yb) in zip(v, np.roll(v, -1, axis=0)):
            straddle = (ya > y) != (yb > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                xcross = xa + (y - ya) * (xb - xa) / (yb - ya)
            inside ^= straddle & (x < xcross)
        return inside


@dataclass(frozen=True)
class LShape(Polygon):
    """The L-shape ``(-1,1)^2`` minus ``[0,1) x (-1,0]``, parts ``edge0..edge5`` as in
    :data:`LSHAPE_VERTICES` (pdekit's FEM eigen L-shape)."""

    vertices: Sequence[Sequence[float]] = LSHAPE_VERTICES
    edge_names: Sequence[str] | None = None
