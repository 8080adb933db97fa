"""2D geometries for the FEM eigen plugin: polygons (square, rectangle, L-shape, any
vertex list), the disk, and Gmsh mesh files.

Pure-Python checks (polygon validity, interior angles, singular corners, Gmsh physical
names) work without NGSolve; :meth:`Shape.netgen_geometry` builds the Netgen geometry and
imports ``netgen`` only when called.

Singular corners
----------------
Near a corner of interior angle ω, Laplace eigenfunctions behave like
``r^(kπ/ω) sin(kπθ/ω)`` when both edges carry the same condition (Dirichlet–Dirichlet or
Neumann–Neumann) and like ``r^((k+1/2)π/ω)`` for mixed conditions (Grisvard, *Elliptic
Problems in Nonsmooth Domains*, 1985, ch. 4). They are smooth (polynomial) iff every
exponent is an integer, i.e. iff ``π/ω`` (same conditions) or ``π/(2ω)`` (mixed) is an
integer. Every other corner — re-entrant ones, but also e.g. 135° corners — is singular
and gets geometric hp-grading (Babuška & Guo, "The h-p version of the finite element
method", Comput. Mech. 1, 1986).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Sequence

from pdekit.fem.geometry.gmsh_file import GmshSummary, read_gmsh_summary

Point = tuple[float, float]

LSHAPE_VERTICES: list[Point] = [(-1.0, -1.0), (0.0, -1.0), (0.0, 0.0), (1.0, 0.0),
                                (1.0, 1.0), (-1.0, 1.0)]
"""The L-shape (−1,1)² ∖ [0,1)×(−1,0], counter-clockwise (Trefethen & Betcke 2006)."""

RECTANGLE_EDGES = ["bottom", "right", "top", "left"]
"""Boundary names of the square and the rectangle, counter-clockwise from y = 0."""

DISK_BOUNDARY = "circle"


class Shape:
    """A resolved 2D domain, without Netgen objects: a :class:`Polygon`, a :class:`Disk` or
    a :class:`MeshFile2D`. Each answers for itself what meshing, the size estimate, the
    convergence rates and the guaranteed bounds ask of a domain, so no caller branches on
    which shape it holds.

    Attributes
    ----------
    boundaries
        All boundary names.
    curved
        The boundary is curved (the mesh is curved to the element order).
    from_file
        The mesh comes from a file (no Netgen geometry to mesh).
    described
        What the shape is, for messages ("a polygon", "a curved boundary", ...).
    """

    boundaries: list[str]
    curved: ClassVar[bool] = False
    from_file: ClassVar[bool] = False
    described: ClassVar[str] = "a domain"

    def bounds(self) -> tuple[Point, Point]:
        """Lower-left and upper-right corners of the bounding box."""
        raise NotImplementedError

    def fill_ratio(self) -> float:
        """Area over the bounding box's diameter squared (scale-free, so that nothing
        overflows for huge coordinates: a disk gives π/8, a square 1/2; 0 for a mesh file,
        whose elements are counted instead)."""
        return 0.0

    def perimeter_ratio(self) -> float:
        """Boundary length over the bounding box's diameter (scale-free; 0 for a mesh
        file)."""
        return 0.0

    @property
    def file_elements(self) -> int:
        """Elements in the mesh file (0 unless the mesh comes from a file)."""
        return 0

    def singular_corners(self, dirichlet: set[str] | frozenset[str]) -> list[int]:
        """Indices of the corners where eigenfunctions are singular (none unless a
        polygon; see the module docstring)."""
        return []

    def corner_exponent(self, dirichlet: set[str] | frozenset[str]) -> float | None:
        """The smallest singular exponent of the eigenfunctions at a corner, or ``None``
        when no corner is singular (the eigenfunctions are then smooth)."""
        return None

    def netgen_geometry(self, dirichlet: set[str] | frozenset[str], hp: bool
                        ) -> tuple[Any, list[int]]:
        """The Netgen 2D geometry and its singular corners (marked with ``hpref`` for
        geometric refinement when ``hp``); imports ``netgen``. ``None`` for a mesh file."""
        return None, []


@dataclass
class Polygon(Shape):
    """A simple polygon (square, rectangle, L-shape, any vertex list), counter-clockwise;
    ``edge_names[i]`` names the edge from vertex ``i`` to ``i+1``."""

    vertices: list[Point]
    edge_names: list[str]
    boundaries: list[str] = field(default_factory=list)
    described: ClassVar[str] = "a polygon"

    def bounds(self) -> tuple[Point, Point]:
        xs, ys = [v[0] for v in self.vertices], [v[1] for v in self.vertices]
        return (min(xs), min(ys)), (max(xs), max(ys))

    def _unit_points(self) -> tuple[list[Point], float]:
        """The vertices scaled into the unit box, and the scaled box's diameter."""
        (x0, y0), (x1, y1) = self.bounds()
        scale = max(x1 - x0, y1 - y0)
        points = [((x - x0) / scale, (y - y0) / scale) for x, y in self.vertices]
        return points, math.hypot((x1 - x0) / scale, (y1 - y0) / scale)

    def fill_ratio(self) -> float:
        points, diameter = self._unit_points()
        return abs(signed_area(points)) / diameter ** 2

    def perimeter_ratio(self) -> float:
        points, diameter = self._unit_points()
        return sum(math.dist(points[i - 1], points[i]) for i in range(len(points))) / diameter

    def dirichlet_edges(self, dirichlet: set[str] | frozenset[str]) -> list[bool]:
        """Per edge: whether it carries a Dirichlet condition."""
        return [name in dirichlet for name in self.edge_names]

    def singular_corners(self, dirichlet: set[str] | frozenset[str]) -> list[int]:
        return singular_corners(self.vertices, self.dirichlet_edges(dirichlet))

    def corner_exponent(self, dirichlet: set[str] | frozenset[str]) -> float | None:
        """``π/ω``, or ``π/(2ω)`` where Dirichlet meets Neumann, smallest over the singular
        corners (2/3 at the L-shape's re-entrant corner)."""
        edges = self.dirichlet_edges(dirichlet)
        angles = interior_angles(self.vertices)
        exponents = [math.pi / angles[i] if edges[i - 1] == edges[i]
                     else math.pi / (2 * angles[i])
                     for i in singular_corners(self.vertices, edges)]
        return min(exponents) if exponents else None

    def netgen_geometry(self, dirichlet: set[str] | frozenset[str], hp: bool
                        ) -> tuple[Any, list[int]]:
        from netgen.geom2d import SplineGeometry

        geometry = SplineGeometry()
        singular = self.singular_corners(dirichlet)
        ids = [geometry.AppendPoint(x, y, hpref=1 if hp and i in singular else 0)
               for i, (x, y) in enumerate(self.vertices)]
        n = len(ids)
        for i in range(n):
            geometry.Append(["line", ids[i], ids[(i + 1) % n]], leftdomain=1, rightdomain=0,
                            bc=self.edge_names[i])
        return geometry, singular


@dataclass
class Disk(Shape):
    """The disk of ``radius`` around ``center``; one boundary, ``circle``."""

    radius: float
    center: Point
    boundaries: list[str] = field(default_factory=lambda: [DISK_BOUNDARY])
    curved: ClassVar[bool] = True
    described: ClassVar[str] = "a curved boundary"

    def bounds(self) -> tuple[Point, Point]:
        (x, y), r = self.center, self.radius
        return (x - r, y - r), (x + r, y + r)

    def fill_ratio(self) -> float:
        return math.pi / 8

    def perimeter_ratio(self) -> float:
        return math.pi / math.sqrt(2)

    def netgen_geometry(self, dirichlet: set[str] | frozenset[str], hp: bool
                        ) -> tuple[Any, list[int]]:
        from netgen.geom2d import SplineGeometry

        geometry = SplineGeometry()
        geometry.AddCircle(c=self.center, r=self.radius, bc=DISK_BOUNDARY)
        return geometry, []


@dataclass
class MeshFile2D(Shape):
    """A 2D Gmsh mesh file, checked in full (``summary``); its 1D physical names are the
    boundary names."""

    file: Path
    summary: GmshSummary
    boundaries: list[str] = field(default_factory=list)
    from_file: ClassVar[bool] = True
    described: ClassVar[str] = "a mesh file"

    def bounds(self) -> tuple[Point, Point]:
        return self.summary.lower, self.summary.upper

    @property
    def file_elements(self) -> int:
        return self.summary.elements


def signed_area(vertices: Sequence[Point]) -> float:
    """Shoelace area, positive for counter-clockwise vertices."""
    n = len(vertices)
    return 0.5 * sum(vertices[i][0] * vertices[(i + 1) % n][1]
                     - vertices[(i + 1) % n][0] * vertices[i][1] for i in range(n))


def _segments_intersect(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Closed segments pq and rs share a point (collinear overlaps included)."""
    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    def on_segment(a: Point, b: Point, c: Point) -> bool:
        return (min(a[0], b[0]) - 1e-14 <= c[0] <= max(a[0], b[0]) + 1e-14
                and min(a[1], b[1]) - 1e-14 <= c[1] <= max(a[1], b[1]) + 1e-14)

    scale = max(abs(v) for pt in (p, q, r, s) for v in pt) or 1.0
    eps = 1e-12 * scale * scale
    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    if ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and \
            ((d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)):
        return True
    return any(abs(d) <= eps and on_segment(a, b, c) for d, a, b, c in
               ((d1, r, s, p), (d2, r, s, q), (d3, p, q, r), (d4, p, q, s)))


def polygon_problem(vertices: Any) -> str | None:
    """Why ``vertices`` is not a simple polygon, or ``None`` if it is.

    Checks: a list of at least 3 ``[x, y]`` number pairs, distinct consecutive vertices,
    non-zero area, and no two non-adjacent edges touching (self-intersection).
    """
    if not isinstance(vertices, list) or len(vertices) < 3:
        return "a list of at least 3 [x, y] vertices"
    for v in vertices:
        if (not isinstance(v, (list, tuple)) or len(v) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool)
                           and math.isfinite(c) for c in v)):
            return "vertices as [x, y] pairs of finite numbers"
    pts = [(float(x), float(y)) for x, y in vertices]
    n = len(pts)
    scale = max(max(abs(c) for c in p) for p in pts) or 1.0
    for i in range(n):
        if math.dist(pts[i], pts[(i + 1) % n]) <= 1e-12 * scale:
            return f"distinct consecutive vertices (vertex {i} repeats)"
    # Crossings first: a bowtie's two lobes cancel in the signed area, so it would
    # otherwise be called a polygon of zero area.
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue  # adjacent edges share a vertex
            if _segments_intersect(pts[i], pts[(i + 1) % n], pts[j], pts[(j + 1) % n]):
                return f"a simple (non-self-intersecting) polygon: edges {i} and {j} cross"
    if abs(signed_area(pts)) <= 1e-12 * scale * scale:
        return "a polygon with non-zero area"
    # Adjacent edges folding back onto each other (a 360° spike) overlap too.
    for i in range(n):
        a, b, c = pts[i - 1], pts[i], pts[(i + 1) % n]
        cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
        if abs(cross) <= 1e-12 * scale * scale and dot < 0:
            return f"a simple polygon: edges meeting at vertex {i} fold back"
    return None


def counter_clockwise(vertices: Sequence[Point]) -> list[Point]:
    """The vertices in counter-clockwise order (reversed if given clockwise)."""
    pts = [(float(x), float(y)) for x, y in vertices]
    return pts if signed_area(pts) > 0 else pts[::-1]


def interior_angles(vertices: Sequence[Point]) -> list[float]:
    """Interior angle ω_i in (0, 2π) at each vertex of a counter-clockwise polygon."""
    n = len(vertices)
    angles = []
    for i in range(n):
        a, b, c = vertices[i - 1], vertices[i], vertices[(i + 1) % n]
        incoming = math.atan2(b[1] - a[1], b[0] - a[0])
        outgoing = math.atan2(c[1] - b[1], c[0] - b[0])
        turn = (outgoing - incoming + math.pi) % (2 * math.pi) - math.pi  # left turn > 0
        angles.append(math.pi - turn)
    return angles


def singular_corners(vertices: Sequence[Point], dirichlet_edges: Sequence[bool],
                     tol: float = 1e-8) -> list[int]:
    """Indices of corners where eigenfunctions are singular.

    Parameters
    ----------
    vertices
        Counter-clockwise polygon.
    dirichlet_edges
        Per edge ``i`` (vertex ``i`` to ``i+1``): Dirichlet (True) or Neumann (False).
    tol
        Tolerance for "is an integer".

    Returns
    -------
    list of int
        Vertex indices with ``π/ω`` (same conditions on both edges) or ``π/(2ω)`` (mixed)
        not an integer.
    """
    singular = []
    n = len(vertices)
    for i, omega in enumerate(interior_angles(vertices)):
        same = dirichlet_edges[i - 1] == dirichlet_edges[i]
        ratio = math.pi / omega if same else math.pi / (2 * omega)
        if abs(ratio - round(ratio)) > tol or round(ratio) == 0:
            singular.append(i % n)
    return singular


def rectangle(width: float, height: float) -> Polygon:
    """The rectangle (0,width)×(0,height), edges named ``bottom, right, top, left``."""
    vertices = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
    return Polygon(vertices, list(RECTANGLE_EDGES), list(RECTANGLE_EDGES))


def lshape() -> Polygon:
    """The L-shape (−1,1)² ∖ [0,1)×(−1,0], edges named ``edge0 ... edge5``."""
    names = [f"edge{i}" for i in range(len(LSHAPE_VERTICES))]
    return Polygon(list(LSHAPE_VERTICES), names, list(names))


def polygon(vertices: Sequence[Sequence[float]], edge_names: Sequence[str] | None = None
            ) -> Polygon:
    """A simple polygon (checked by :func:`polygon_problem`), made counter-clockwise.

    ``edge_names[i]`` names the edge from vertex ``i`` to ``i+1`` as given (default
    ``edge0, edge1, ...``).
    """
    points = [(float(x), float(y)) for x, y in vertices]
    n = len(points)
    names = list(edge_names) if edge_names else [f"edge{i}" for i in range(n)]
    if signed_area(points) < 0:
        # Reversed, the edge from new vertex i to i+1 is the given edge n-2-i (mod n).
        points = points[::-1]
        names = [names[(n - 2 - i) % n] for i in range(n)]
    return Polygon(points, names, sorted(set(names)))


def disk(radius: float, center: Sequence[float]) -> Disk:
    """The disk of ``radius`` around ``center``; one boundary, ``circle``."""
    return Disk(radius, (float(center[0]), float(center[1])))


def gmsh_mesh(path: Path) -> MeshFile2D:
    """A Gmsh mesh file, checked in full; its 1D physical names are the boundary names
    (maybe none).

    Raises
    ------
    OSError, ValueError
        When the file cannot be read or is not a 2D Gmsh 2.x text mesh Netgen can read.
    """
    summary = read_gmsh_summary(path)
    return MeshFile2D(path, summary, list(summary.boundaries))


PLANE_SHAPES: dict[str, Callable[[Any], Shape]] = {
    "square": lambda g: rectangle(g.side, g.side),
    "rectangle": lambda g: rectangle(g.width, g.height),
    "lshape": lambda g: lshape(),
    "disk": lambda g: disk(g.radius, g.center or [0.0, 0.0]),
    "polygon": lambda g: polygon(g.vertices or [], g.edge_names),
}
"""The built-in 2D shapes by ``geometry.shape``: section -> :class:`Shape` (a mesh file is
read by :func:`gmsh_mesh`)."""
