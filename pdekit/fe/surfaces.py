"""Closed surfaces in 3D for finite-element ``turing`` runs: sphere, ellipsoid, torus and
triangle mesh files.

:func:`surface_of` resolves ``[domain]`` into a :class:`Surface` without Netgen (a mesh
file is read and checked in full here, so ``pdekit check`` refuses a bad one);
:func:`surface_mesh` makes the Netgen surface mesh (Netgen's CSG surface mesher stopped
after the surface step: no volume is meshed) or builds it from the file's triangles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

SURFACE_BOUNDARY = "surface"
"""The boundary name of every surface mesh (the PDE lives on it)."""

CURVATURE_SAFETY = 0.5
"""Netgen's ``curvaturesafety`` for surfaces: elements per radius of curvature is about
its inverse. Netgen's default (2) puts ~40 times more points on a slender torus than
``maxh`` asks for; at 0.5 the mesh size follows ``maxh`` where it resolves the surface."""


class Surface:
    """A closed surface in 3D: a built-in one (:class:`Sphere`, :class:`Ellipsoid`,
    :class:`Torus`) or the triangles of a file (:class:`SurfaceFile`). Each answers for
    itself what sizing and meshing ask of it.

    Attributes
    ----------
    boundaries
        The one boundary name of a surface mesh (:data:`SURFACE_BOUNDARY`).
    curved
        Built-in surfaces are curved (elements follow them); a file's triangles are flat.
    """

    boundaries: tuple[str, ...] = (SURFACE_BOUNDARY,)
    curved: bool = True

    def area(self) -> float:
        """The surface area (for the count of eigenvalues expected below a bound)."""
        raise NotImplementedError

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper corners of the bounding box."""
        raise NotImplementedError

    def file_triangles(self) -> int:
        """Triangles in the file (0 for a built-in surface, meshed at ``maxh``)."""
        return 0

    def csg_solid(self) -> Any:
        """The Netgen CSG solid whose boundary is this surface (imports ``netgen``)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Sphere(Surface):
    """The sphere of ``radius`` around ``center``; its Laplace–Beltrami eigenvalues are
    l(l + 1)/R² (degree l, multiplicity 2l + 1)."""

    center: tuple[float, float, float]
    radius: float

    def area(self) -> float:
        return 4 * math.pi * self.radius ** 2

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        c = np.array(self.center)
        return c - self.radius, c + self.radius

    def csg_solid(self) -> Any:
        from netgen.csg import Pnt, Sphere as NetgenSphere

        return NetgenSphere(Pnt(*self.center), self.radius)


@dataclass(frozen=True)
class Ellipsoid(Surface):
    """The ellipsoid with axis-parallel ``semi_axes`` around ``center``."""

    center: tuple[float, float, float]
    semi_axes: tuple[float, float, float]

    def area(self) -> float:
        """Knud Thomsen's formula (p = 1.6075, within 1.061 %)."""
        a, b, c = self.semi_axes
        p = 1.6075
        return 4 * math.pi * (((a * b) ** p + (a * c) ** p + (b * c) ** p) / 3) ** (1 / p)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        c = np.array(self.center)
        return c - np.array(self.semi_axes), c + np.array(self.semi_axes)

    def csg_solid(self) -> Any:
        from netgen.csg import Ellipsoid as NetgenEllipsoid, Pnt, Vec

        a, b, d = self.semi_axes
        return NetgenEllipsoid(Pnt(*self.center), Vec(a, 0, 0), Vec(0, b, 0), Vec(0, 0, d))


@dataclass(frozen=True)
class Torus(Surface):
    """The ring torus around the z-axis through ``center``: tube ``minor_radius`` around a
    circle of ``radius``."""

    center: tuple[float, float, float]
    radius: float
    minor_radius: float

    def area(self) -> float:
        return 4 * math.pi ** 2 * self.radius * self.minor_radius

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        c = np.array(self.center)
        extent = np.array([self.radius + self.minor_radius] * 2 + [self.minor_radius])
        return c - extent, c + extent

    def csg_solid(self) -> Any:
        from netgen.csg import Pnt, Torus as NetgenTorus, Vec

        return NetgenTorus(Pnt(*self.center), Vec(0, 0, 1), self.radius, self.minor_radius)


@dataclass(frozen=True, eq=False)
class SurfaceFile(Surface):
    """The triangles of a surface mesh file: vertices (n × 3) and triangles (m × 3,
    0-based), checked (:func:`read_surface_file`)."""

    points: np.ndarray
    triangles: np.ndarray
    curved: bool = False

    def area(self) -> float:
        corners = self.points[self.triangles]
        cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        return float(0.5 * np.linalg.norm(cross, axis=1).sum())

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.points.min(axis=0), self.points.max(axis=0)

    def file_triangles(self) -> int:
        return len(self.triangles)


class SurfaceFileError(ValueError):
    """An unusable surface mesh file; the message says what was expected."""


def read_surface_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (n × 3) and triangles (m × 3) of a surface mesh file, checked: finite
    coordinates in 3D, at least 4 triangles, no repeated vertex in a triangle, no zero
    area, and a manifold (no edge shared by more than two triangles).

    Raises
    ------
    SurfaceFileError
        Saying what the file should have been.
    """
    import meshio

    try:
        mesh = meshio.read(str(path))
    except Exception as error:  # meshio raises many kinds, with readable messages
        raise SurfaceFileError(f"a surface mesh file meshio reads ({type(error).__name__}: "
                               f"{error})") from None
    blocks = [np.asarray(block.data) for block in mesh.cells if block.type == "triangle"]
    points = np.asarray(mesh.points, dtype=float)
    if not blocks:
        raise SurfaceFileError("a surface mesh of triangles (the file has none)")
    triangles = np.concatenate(blocks).astype(np.int64)
    if points.ndim != 2 or points.shape[1] != 3 or not np.all(np.isfinite(points)):
        raise SurfaceFileError("vertices with three finite coordinates (a surface in 3D)")
    if len(triangles) < 4 or triangles.min() < 0 or triangles.max() >= len(points):
        raise SurfaceFileError("at least 4 triangles whose vertex numbers exist")
    ordered = np.sort(triangles, axis=1)
    if np.any(ordered[:, 1:] == ordered[:, :-1]):
        raise SurfaceFileError("triangles of three distinct vertices")
    corners = points[triangles]
    areas = np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0],
                                    corners[:, 2] - corners[:, 0]), axis=1)
    scale = float(np.ptp(points, axis=0).max())
    if np.any(areas <= 1e-14 * scale ** 2):
        raise SurfaceFileError("triangles of positive area")
    edges = np.sort(np.concatenate([ordered[:, [0, 1]], ordered[:, [1, 2]],
                                    ordered[:, [0, 2]]]), axis=1)
    _, counts = np.unique(edges, axis=0, return_counts=True)
    if counts.max() > 2:
        raise SurfaceFileError("a manifold surface (an edge is shared by "
                               f"{counts.max()} triangles)")
    used = np.unique(triangles)
    renumber = np.full(len(points), -1)
    renumber[used] = np.arange(len(used))
    return points[used], renumber[triangles]


def surface_of(section: Any, path: Path | None = None) -> Surface:
    """The :class:`Surface` of a ``[domain]`` section with a surface shape (``path``: the
    resolved mesh file for ``shape = "surface"``).

    Raises
    ------
    SurfaceFileError
        For an unusable file.
    """
    center = tuple(section.center or (0.0, 0.0, 0.0))
    if section.shape == "surface":
        assert path is not None
        return SurfaceFile(*read_surface_file(path))
    return BUILT_IN[section.shape](section, center)


BUILT_IN: dict[str, Callable[[Any, tuple[float, ...]], Surface]] = {
    "sphere": lambda section, center: Sphere(center, section.radius),
    "ellipsoid": lambda section, center: Ellipsoid(center, tuple(section.semi_axes)),
    "torus": lambda section, center: Torus(center, section.radius, section.minor_radius),
}
"""The built-in surfaces by ``domain.shape``: (section, center) -> surface."""


def surface_mesh(surface: Surface, maxh: float, refine: int) -> Any:
    """The Netgen surface mesh (a file's triangles as they are; a built-in surface meshed
    at ``maxh``, refined ``refine`` times onto the surface, and keeping its geometry for
    curved elements)."""
    from netgen.meshing import FaceDescriptor, Mesh, MeshingStep

    if isinstance(surface, SurfaceFile):
        mesh = Mesh(dim=3)
        mesh.AddPoints(np.ascontiguousarray(surface.points, dtype=np.float64))
        face = mesh.Add(FaceDescriptor(surfnr=1, domin=1, domout=0, bc=1))
        mesh.SetBCName(0, SURFACE_BOUNDARY)
        mesh.AddElements(dim=2, index=face, base=0,
                         data=np.ascontiguousarray(surface.triangles, dtype=np.int32))
        return mesh
    from netgen.csg import CSGeometry

    geometry = CSGeometry()
    geometry.Add(surface.csg_solid().bc(SURFACE_BOUNDARY))
    mesh = geometry.GenerateMesh(maxh=maxh, perfstepsend=MeshingStep.MESHSURFACE,
                                 curvaturesafety=CURVATURE_SAFETY)
    for _ in range(refine):
        mesh.Refine()
    return mesh
