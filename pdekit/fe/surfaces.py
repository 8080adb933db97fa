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
from typing import Any

import numpy as np

SURFACE_BOUNDARY = "surface"
"""The boundary name of every surface mesh (the PDE lives on it)."""

CURVATURE_SAFETY = 0.5
"""Netgen's ``curvaturesafety`` for surfaces: elements per radius of curvature is about
its inverse. Netgen's default (2) puts ~40 times more points on a slender torus than
``maxh`` asks for; at 0.5 the mesh size follows ``maxh`` where it resolves the surface."""


@dataclass(frozen=True)
class Surface:
    """A closed surface: a built-in one (``sphere``, ``ellipsoid``, ``torus``) or the
    triangles of a file (``surface``).

    Attributes
    ----------
    kind
        The ``domain.shape``.
    center, radius, semi_axes, minor_radius
        The built-in surfaces' data.
    points, triangles
        The file's vertices (n × 3) and triangles (m × 3, 0-based), checked.
    """

    kind: str
    center: tuple[float, float, float] = (0.0, 0.0, 0.0)
    radius: float = 1.0
    semi_axes: tuple[float, float, float] = (1.0, 1.0, 1.0)
    minor_radius: float = 0.4
    points: np.ndarray | None = None
    triangles: np.ndarray | None = None

    boundaries: tuple[str, ...] = ()

    @property
    def curved(self) -> bool:
        """Built-in surfaces are curved (elements follow them); a file's are flat."""
        return self.kind != "surface"

    def area(self) -> float:
        """The surface area (ellipsoid: Knud Thomsen's formula, p = 1.6075, within
        1.061 %), for the count of eigenvalues expected below a bound."""
        if self.kind == "sphere":
            return 4 * math.pi * self.radius ** 2
        if self.kind == "torus":
            return 4 * math.pi ** 2 * self.radius * self.minor_radius
        if self.kind == "ellipsoid":
            a, b, c = self.semi_axes
            p = 1.6075
            return 4 * math.pi * (((a * b) ** p + (a * c) ** p + (b * c) ** p) / 3) ** (1 / p)
        assert self.points is not None and self.triangles is not None
        corners = self.points[self.triangles]
        cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        return float(0.5 * np.linalg.norm(cross, axis=1).sum())

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper corners of the bounding box."""
        c = np.array(self.center)
        if self.kind == "sphere":
            return c - self.radius, c + self.radius
        if self.kind == "ellipsoid":
            return c - np.array(self.semi_axes), c + np.array(self.semi_axes)
        if self.kind == "torus":
            extent = np.array([self.radius + self.minor_radius] * 2 + [self.minor_radius])
            return c - extent, c + extent
        assert self.points is not None
        return self.points.min(axis=0), self.points.max(axis=0)


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
        points, triangles = read_surface_file(path)
        return Surface("surface", points=points, triangles=triangles,
                       boundaries=(SURFACE_BOUNDARY,))
    return Surface(section.shape, center=center, radius=section.radius,
                   semi_axes=tuple(section.semi_axes), minor_radius=section.minor_radius,
                   boundaries=(SURFACE_BOUNDARY,))


def _csg_geometry(surface: Surface) -> Any:
    from netgen.csg import CSGeometry, Ellipsoid, Pnt, Sphere, Torus, Vec

    c = Pnt(*surface.center)
    if surface.kind == "sphere":
        solid = Sphere(c, surface.radius)
    elif surface.kind == "ellipsoid":
        a, b, d = surface.semi_axes
        solid = Ellipsoid(c, Vec(a, 0, 0), Vec(0, b, 0), Vec(0, 0, d))
    else:
        solid = Torus(c, Vec(0, 0, 1), surface.radius, surface.minor_radius)
    geometry = CSGeometry()
    geometry.Add(solid.bc(SURFACE_BOUNDARY))
    return geometry


def surface_mesh(surface: Surface, maxh: float, refine: int) -> Any:
    """The Netgen surface mesh (a file's triangles as they are; a built-in surface meshed
    at ``maxh``, refined ``refine`` times onto the surface, and keeping its geometry for
    curved elements)."""
    from netgen.meshing import FaceDescriptor, Mesh, MeshingStep

    if surface.kind == "surface":
        assert surface.points is not None and surface.triangles is not None
        mesh = Mesh(dim=3)
        mesh.AddPoints(np.ascontiguousarray(surface.points, dtype=np.float64))
        face = mesh.Add(FaceDescriptor(surfnr=1, domin=1, domout=0, bc=1))
        mesh.SetBCName(0, SURFACE_BOUNDARY)
        mesh.AddElements(dim=2, index=face, base=0,
                         data=np.ascontiguousarray(surface.triangles, dtype=np.int32))
        return mesh
    geometry = _csg_geometry(surface)
    mesh = geometry.GenerateMesh(maxh=maxh, perfstepsend=MeshingStep.MESHSURFACE,
                                 curvaturesafety=CURVATURE_SAFETY)
    for _ in range(refine):
        mesh.Refine()
    return mesh
