"""3D geometries for the FEM eigen plugin, built on Netgen's OpenCascade interface.

Shapes are frozen dataclasses holding only numbers and names; :meth:`Shape3D.occ_shape`
builds the named ``netgen.occ`` solid and :meth:`Shape3D.make_geometry` the
``OCCGeometry`` (optionally with the singular edges and vertices marked ``hpref`` for
geometric hp-grading). ``netgen`` is imported only when a solid is built.

Singular edges and vertices are found by :mod:`pdekit.fem.geometry.edges3d`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Collection, Sequence

from pdekit.fem.geometry.edges3d import (Point3, SingularEdge, analyse_edges, as_point,
                                 meeting_vertices, unique_shapes)
from pdekit.fem.geometry.feature_size import SolidKeyError, check_feature, polygon_width
from pdekit.fem.geometry.shapes2d import (counter_clockwise, polygon, polygon_problem,
                                          signed_area)

BOX_FACES = ("left", "right", "front", "back", "bottom", "top")
"""Face names of a box: x = min, x = max, y = min, y = max, z = min, z = max."""
BALL_FACE = "sphere"
CYLINDER_FACES = ("side", "bottom", "top")
PRISM_ENDS = ("bottom", "top")
"""The end faces of a prism (z = z0 and z = z0 + height)."""
FICHERA_NOTCH = ("notch_x", "notch_y", "notch_z")
"""The Fichera corner's faces in the planes x = c_x, y = c_y, z = c_z (re-entrant)."""


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_point(name: str, point: Any) -> Point3:
    if (not isinstance(point, (list, tuple)) or len(point) != 3
            or not all(_finite(c) for c in point)):
        raise ValueError(f"{name}: expected 3 finite numbers [x, y, z], got {point!r}")
    return (float(point[0]), float(point[1]), float(point[2]))


def _check_positive(name: str, value: Any) -> None:
    if not _finite(value) or value <= 0:
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")


class Shape3D:
    """Common interface of the 3D shapes (subclasses are frozen dataclasses)."""

    curved: ClassVar[bool] = False
    """Whether faces are curved (the mesh then needs ``mesh.Curve(order)``)."""

    def occ_shape(self) -> Any:
        """The ``netgen.occ`` solid with named faces."""
        raise NotImplementedError

    def face_names(self) -> set[str]:
        """Names the faces may carry, known without Netgen (a CSG operation may remove
        some: :attr:`boundaries` builds the solid and lists those left)."""
        raise NotImplementedError

    def bounds(self) -> tuple[Point3, Point3]:
        """Lower and upper corners of a box holding the solid (without Netgen)."""
        raise NotImplementedError

    def volume(self) -> float:
        """The solid's volume, or an upper bound of it for CSG (without Netgen)."""
        raise NotImplementedError

    def features(self) -> list[tuple[str, str, float, Any]]:
        """``(key, what, length, given)`` of each feature length the mesher must resolve
        (key: the ``[geometry]`` key that sets it)."""
        raise NotImplementedError

    def size(self) -> float:
        """The largest side of the bounding box."""
        lower, upper = self.bounds()
        return max(hi - lo for lo, hi in zip(lower, upper))

    def check_features(self) -> None:
        """Refuse features too small to mesh in a solid of this size
        (:mod:`pdekit.fem.geometry.feature_size`, one bound for every shape).

        Raises
        ------
        pdekit.fem.geometry.feature_size.SolidKeyError
            Naming the key of the first feature below the bound.
        """
        size = self.size()
        for key, what, length, given in self.features():
            check_feature(key, what, length, size, given)

    @property
    def boundaries(self) -> list[str]:
        """Face names, sorted, without repeats."""
        return sorted({f.name for f in self.occ_shape().faces if f.name})

    def singular_edges(self, dirichlet: Collection[str] | None = None) -> list[SingularEdge]:
        """Edges to grade toward (see module docstring); ``dirichlet`` as in
        :func:`analyse_edges`."""
        return [e for _, e in analyse_edges(self.occ_shape(), dirichlet)]

    def graded_edge_length(self, dirichlet: Collection[str]) -> float:
        """Length of the edges hp-grading refines toward, guessed without Netgen for the
        size estimate (none for boxes, balls and cylinders, whose edges are smooth or
        right-angled)."""
        return 0.0

    def singular_vertices(self, dirichlet: Collection[str] | None = None) -> list[Point3]:
        """Vertices where two or more singular edges meet."""
        return meeting_vertices(self.singular_edges(dirichlet))

    def make_geometry(self, hp: bool = False, dirichlet: Collection[str] | None = None
                      ) -> Any:
        """The ``OCCGeometry``; with ``hp`` the singular edges and vertices carry
        ``hpref = 1`` so that ``ngsolve.Mesh.RefineHP`` grades toward them."""
        return self.graded_geometry(hp, dirichlet)[0]

    def graded_geometry(self, hp: bool = False, dirichlet: Collection[str] | None = None
                        ) -> tuple[Any, list[SingularEdge], list[Point3]]:
        """:meth:`make_geometry` and the singular edges and vertices it marked (none
        without ``hp``), from one analysis of the solid."""
        from netgen.occ import OCCGeometry

        solid = self.occ_shape()
        if not hp:
            return OCCGeometry(solid), [], []
        marked = analyse_edges(solid, dirichlet)
        for edge, _ in marked:
            edge.hpref = 1
        edges = [e for _, e in marked]
        corners = meeting_vertices(edges)
        for vertex in unique_shapes(solid.vertices):
            if any(math.dist(as_point(vertex.p), c) <= 1e-9 * (1 + max(map(abs, c)))
                   for c in corners):
                vertex.hpref = 1
        return OCCGeometry(solid), edges, corners


def _prefixed(name: str | None, faces: Sequence[str]) -> list[str]:
    """Face names of a primitive, ``<name>_<face>`` when the primitive is named (CSG)."""
    return [f"{name}_{face}" if name else face for face in faces]


def _key(name: str | None, key: str) -> str:
    """The case key of a primitive's ``key``: ``primitives.<name>.<key>`` in a CSG."""
    return f"primitives.{name}.{key}" if name else key


def _check_name(name: Any) -> None:
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ValueError(f"primitive name: expected a non-empty string, got {name!r}")


def _name_by_center(solid: Any, rules: Sequence[tuple[int, float, str]], tol: float) -> None:
    """Name planar faces whose centre has coordinate ``axis`` equal to ``value``."""
    for face in solid.faces:
        c = face.center
        for axis, value, name in rules:
            if abs(c[axis] - value) <= tol:
                face.name = name


@dataclass(frozen=True)
class Box(Shape3D):
    """Axis-parallel box ``corner + [0, sizes]``; faces named by :data:`BOX_FACES`
    (``<name>_left`` ... when ``name`` is given)."""

    corner: Point3 = (0.0, 0.0, 0.0)
    sizes: Point3 = (1.0, 1.0, 1.0)
    name: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_point("box corner", self.corner)
        if not isinstance(self.sizes, (list, tuple)) or len(self.sizes) != 3:
            raise ValueError(f"box sizes: expected 3 positive numbers, got {self.sizes!r}")
        for s in self.sizes:
            _check_positive("box sizes", s)
        self.check_features()

    def occ_shape(self) -> Any:
        from netgen.occ import Box as OccBox, Pnt

        lo = self.corner
        hi = tuple(c + s for c, s in zip(lo, self.sizes))
        solid = OccBox(Pnt(*lo), Pnt(*hi))
        tol = 1e-6 * max(self.sizes)
        names = _prefixed(self.name, BOX_FACES)
        _name_by_center(solid, [(k // 2, (lo, hi)[k % 2][k // 2], names[k])
                                for k in range(6)], tol)
        return solid

    def face_names(self) -> set[str]:
        return set(_prefixed(self.name, BOX_FACES))

    def bounds(self) -> tuple[Point3, Point3]:
        hi = tuple(c + s for c, s in zip(self.corner, self.sizes))
        return tuple(self.corner), hi  # type: ignore[return-value]

    def volume(self) -> float:
        return math.prod(self.sizes)

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [(_key(self.name, "sizes"), "box sides", min(self.sizes), list(self.sizes))]


@dataclass(frozen=True)
class Ball(Shape3D):
    """Ball of ``radius`` around ``center``; one face, :data:`BALL_FACE` (``<name>_sphere``
    when ``name`` is given)."""

    center: Point3 = (0.0, 0.0, 0.0)
    radius: float = 1.0
    name: str | None = None
    curved: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_point("ball center", self.center)
        _check_positive("ball radius", self.radius)
        self.check_features()

    def occ_shape(self) -> Any:
        from netgen.occ import Pnt, Sphere

        solid = Sphere(Pnt(*self.center), self.radius)
        (name,) = _prefixed(self.name, [BALL_FACE])
        for face in solid.faces:
            face.name = name
        return solid

    def face_names(self) -> set[str]:
        return set(_prefixed(self.name, [BALL_FACE]))

    def bounds(self) -> tuple[Point3, Point3]:
        r = self.radius
        return (tuple(c - r for c in self.center),  # type: ignore[return-value]
                tuple(c + r for c in self.center))

    def volume(self) -> float:
        return 4 / 3 * math.pi * self.radius ** 3

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [(_key(self.name, "radius"), "a radius", self.radius, self.radius)]


@dataclass(frozen=True)
class Cylinder(Shape3D):
    """Cylinder with axis parallel to z: base centre ``base``, ``radius``, ``height``;
    faces :data:`CYLINDER_FACES` (``side``, ``bottom`` at z = base_z, ``top``)."""

    base: Point3 = (0.0, 0.0, 0.0)
    radius: float = 1.0
    height: float = 1.0
    name: str | None = None
    curved: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_point("cylinder base", self.base)
        _check_positive("cylinder radius", self.radius)
        _check_positive("cylinder height", self.height)
        self.check_features()

    def occ_shape(self) -> Any:
        from netgen.occ import Cylinder as OccCylinder, Pnt, Z

        solid = OccCylinder(Pnt(*self.base), Z, r=self.radius, h=self.height)
        z0, z1 = self.base[2], self.base[2] + self.height
        tol = 1e-6 * max(self.radius, self.height)
        side, bottom, top = _prefixed(self.name, CYLINDER_FACES)
        for face in solid.faces:
            z = face.center[2]
            face.name = (bottom if abs(z - z0) <= tol and face.bounding_box[1][2] <= z0 + tol
                         else top if abs(z - z1) <= tol and face.bounding_box[0][2] >= z1 - tol
                         else side)
        return solid

    def face_names(self) -> set[str]:
        return set(_prefixed(self.name, CYLINDER_FACES))

    def bounds(self) -> tuple[Point3, Point3]:
        (x, y, z), r = self.base, self.radius
        return (x - r, y - r, z), (x + r, y + r, z + self.height)

    def volume(self) -> float:
        return math.pi * self.radius ** 2 * self.height

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [(_key(self.name, "radius"), "a radius", self.radius, self.radius),
                (_key(self.name, "height"), "a height", self.height, self.height)]


@dataclass(frozen=True)
class Fichera(Shape3D):
    """The Fichera corner ``c + (-a, a)^3 ∖ c + [0, a)^3`` (Schwab 1998, §4.5).

    Outer faces keep the box names (:data:`BOX_FACES`; right, back and top are L-shaped);
    the three faces of the notch are :data:`FICHERA_NOTCH`. Its three re-entrant edges
    (ω = 3π/2) meet at the vertex ``c``.
    """

    center: Point3 = (0.0, 0.0, 0.0)
    half: float = 1.0

    def __post_init__(self) -> None:
        _check_point("fichera center", self.center)
        _check_positive("fichera half", self.half)
        self.check_features()

    def occ_shape(self) -> Any:
        c, a = self.center, self.half
        outer = Box(tuple(x - a for x in c), (2 * a,) * 3).occ_shape()
        notch = Box(c, (2 * a,) * 3).occ_shape()  # reaches past the outer box
        for face in notch.faces:
            for k in range(3):
                if abs(face.center[k] - c[k]) <= 1e-9 * a:
                    face.name = FICHERA_NOTCH[k]
        return outer - notch

    def face_names(self) -> set[str]:
        return set(BOX_FACES) | set(FICHERA_NOTCH)

    def bounds(self) -> tuple[Point3, Point3]:
        a = self.half
        return (tuple(x - a for x in self.center),  # type: ignore[return-value]
                tuple(x + a for x in self.center))

    def graded_edge_length(self, dirichlet: Collection[str]) -> float:
        """The three re-entrant edges, each ``half`` long."""
        return 3 * self.half

    def volume(self) -> float:
        return 7 * self.half ** 3

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [("half", "a half side", self.half, self.half)]


@dataclass(frozen=True)
class Prism(Shape3D):
    """A simple polygon in the plane z = ``z0`` extruded by ``height`` along +z.

    ``vertices`` in either orientation; side face ``i`` lies over the edge from vertex
    ``i`` to ``i+1`` of the user's list and is named ``edge_names[i]`` (default
    ``edge{i}``); the end faces are ``bottom`` and ``top``.
    """

    vertices: tuple[tuple[float, float], ...]
    height: float = 1.0
    z0: float = 0.0
    edge_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        vertices = self.vertices
        if isinstance(vertices, (list, tuple)):
            vertices = [list(v) if isinstance(v, tuple) else v for v in vertices]
        problem = polygon_problem(vertices)
        if problem:
            raise ValueError(f"prism vertices: expected {problem}")
        _check_positive("prism height", self.height)
        if not _finite(self.z0):
            raise ValueError(f"prism z0: expected a finite number, got {self.z0!r}")
        names = self.edge_names
        if names is not None and (len(names) != len(self.vertices) or not all(
                isinstance(n, str) and n.strip() for n in names)):
            raise ValueError(f"prism edge_names: expected {len(self.vertices)} non-empty "
                             f"names, one per polygon edge, got {names!r}")
        if set(names or ()) & set(PRISM_ENDS):  # one boundary part of a side and an end
            raise SolidKeyError("edge_names", "side names other than the end faces "
                                f"{' and '.join(map(repr, PRISM_ENDS))} (a side named like "
                                "an end would merge with it)", list(names or ()))
        self.check_features()

    def graded_edge_length(self, dirichlet: Collection[str]) -> float:
        """The vertical edges over the base's singular corners."""
        base = polygon([list(v) for v in self.vertices], self.edge_names)  # counter-clockwise
        return self.height * len(base.singular_corners(dirichlet))

    def side_names(self) -> list[str]:
        """Name of the side face over each user edge."""
        n = len(self.vertices)
        return list(self.edge_names) if self.edge_names else [f"edge{i}" for i in range(n)]

    def occ_shape(self) -> Any:
        from netgen.occ import Axes, WorkPlane, Z

        pts = counter_clockwise(self.vertices)
        wp = WorkPlane(Axes((0, 0, self.z0), n=Z, h=(1, 0, 0))).MoveTo(*pts[0])
        for p in pts[1:]:
            wp.LineTo(*p)
        solid = wp.Close().Face().Extrude(self.height)
        user = [(float(x), float(y)) for x, y in self.vertices]
        n, names = len(user), self.side_names()
        mids = [((user[i][0] + user[(i + 1) % n][0]) / 2,
                 (user[i][1] + user[(i + 1) % n][1]) / 2) for i in range(n)]
        tol = 1e-6 * (max(max(abs(c) for c in p) for p in user) + self.height)
        z1 = self.z0 + self.height
        for face in solid.faces:
            c, (lo, hi) = face.center, face.bounding_box
            if abs(c[2] - self.z0) <= tol and hi[2] <= self.z0 + tol:
                face.name = PRISM_ENDS[0]
            elif abs(c[2] - z1) <= tol and lo[2] >= z1 - tol:
                face.name = PRISM_ENDS[1]
            else:
                face.name = names[min(range(n), key=lambda i: math.dist(mids[i], (c[0], c[1])))]
        return solid

    @property
    def area(self) -> float:
        """Base area."""
        return abs(signed_area([(float(x), float(y)) for x, y in self.vertices]))

    def face_names(self) -> set[str]:
        return set(self.side_names()) | set(PRISM_ENDS)

    def bounds(self) -> tuple[Point3, Point3]:
        xs, ys = [float(v[0]) for v in self.vertices], [float(v[1]) for v in self.vertices]
        return (min(xs), min(ys), self.z0), (max(xs), max(ys), self.z0 + self.height)

    def volume(self) -> float:
        return self.area * self.height

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [("height", "a height", self.height, self.height),
                ("vertices", "base polygon edges and widths (vertex to a non-adjacent "
                 "edge)", polygon_width(self.vertices),
                 [list(v) for v in self.vertices])]
