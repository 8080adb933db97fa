"""Singular edges and vertices of a 3D solid, for geometric hp-grading.

Singular edges
--------------
Near a straight edge of dihedral angle ω, Laplace eigenfunctions behave like
``r^(kπ/ω)`` (same condition on both faces) or ``r^((k+1/2)π/ω)`` (Dirichlet on one face,
Neumann on the other), r being the distance to the edge (Grisvard, *Elliptic Problems in
Nonsmooth Domains*, 1985; Dauge, *Elliptic Boundary Value Problems on Corner Domains*,
LNM 1341, 1988). The gradient is unbounded iff the leading exponent is below 1, i.e. for
re-entrant edges ``ω > π`` (same conditions) and ``ω > π/2`` (mixed). Those edges are
graded; the vertices where two or more of them meet (the origin of the Fichera corner,
Schwab, *p- and hp-Finite Element Methods*, 1998, §4.5) are graded as vertices.
Milder singularities (e.g. ``r^1.5`` at a 120° edge) are not graded.

ω is measured without any normal vectors: the volume of the solid inside a small ball
centred on the edge's midpoint, divided by the ball's volume, is ω/(2π) (exact for planar
faces, within about 1 % for the curved faces of balls and cylinders, hence the 5 %
tolerance of the threshold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Collection, Sequence

Point3 = tuple[float, float, float]
ANGLE_TOLERANCE = 0.05
"""Relative margin above π (or π/2) before an edge counts as singular."""

@dataclass(frozen=True)
class SingularEdge:
    """A geometry edge along which eigenfunctions are singular.

    Attributes
    ----------
    start, end
        End points (equal for closed edges).
    midpoint
        Point at the middle of the parameter interval.
    angle
        Dihedral angle ω inside the solid, radians.
    faces
        Names of the two faces meeting at the edge.
    """

    start: Point3
    end: Point3
    midpoint: Point3
    angle: float
    faces: tuple[str, str]


def as_point(p: Any) -> Point3:
    return (float(p[0]), float(p[1]), float(p[2]))


def unique_shapes(shapes: Sequence[Any]) -> list[Any]:
    """OCC sub-shapes without repeats (``shape.edges`` lists shared edges per face)."""
    seen: list[Any] = []
    for s in shapes:
        if not any(s == t for t in seen):
            seen.append(s)
    return seen


def analyse_edges(solid: Any, dirichlet: Collection[str] | None = None
                  ) -> list[tuple[Any, SingularEdge]]:
    """The singular edges of a named OCC solid, with the OCC edge objects.

    Parameters
    ----------
    solid
        ``netgen.occ`` shape with named faces.
    dirichlet
        Face names with Dirichlet conditions; ``None``: the same condition everywhere.

    Returns
    -------
    list of (edge, SingularEdge)
    """
    from netgen.occ import Sphere, Vertex

    faces = unique_shapes(solid.faces)
    lo, hi = solid.bounding_box
    diag = math.dist(as_point(lo), as_point(hi))
    found = []
    for edge in unique_shapes(solid.edges):
        length = edge.mass  # before Value(): degenerate edges (sphere poles) have no curve
        if length <= 1e-9 * diag:
            continue
        adjacent = [f for f in faces if any(edge == e for e in f.edges)]
        if len(adjacent) != 2:
            continue  # seam edge of a closed surface (one face on both sides)
        a, b = edge.parameter_interval
        mid = edge.Value(0.5 * (a + b))
        point = Vertex(mid)
        others = [f.Distance(point) for f in faces if not any(f == g for g in adjacent)]
        radius = min(0.02 * min(length, diag), 0.5 * min(others, default=diag))
        ball = Sphere(mid, radius)
        omega = 2 * math.pi * (solid * ball).mass / ball.mass
        names = tuple(f.name or "" for f in adjacent)
        mixed = dirichlet is not None and ((names[0] in dirichlet) != (names[1] in dirichlet))
        limit = math.pi / 2 if mixed else math.pi
        if omega > limit * (1 + ANGLE_TOLERANCE):
            found.append((edge, SingularEdge(as_point(edge.start), as_point(edge.end),
                                             as_point(mid), omega, (names[0], names[1]))))
    return found


def meeting_vertices(edges: Sequence[SingularEdge], tol: float = 1e-9) -> list[Point3]:
    """End points shared by two or more of ``edges`` (closed edges count once)."""
    ends: list[tuple[Point3, int]] = []
    for e in edges:
        for p in {e.start, e.end}:
            for k, (q, count) in enumerate(ends):
                if math.dist(p, q) <= tol * (1 + max(map(abs, q))):
                    ends[k] = (q, count + 1)
                    break
            else:
                ends.append((p, 1))
    return [p for p, count in ends if count >= 2]
