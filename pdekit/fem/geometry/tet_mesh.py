"""A tetrahedral mesh read from a file, checked as a whole before Netgen sees it.

The readers of :mod:`pdekit.fem.geometry.netgen_vol` and :mod:`pdekit.fem.geometry.gmsh_file` check each
line; :func:`tet_mesh` then checks what only the whole mesh shows — four distinct points
and a nonzero volume per tetrahedron, boundary triangles that are faces of tetrahedra, no
face shared by three tetrahedra — drops points no tetrahedron uses, and gives the outer
faces no triangle covers the boundary name ``default`` (Netgen's name for an unnamed
boundary), so the mesh that :func:`pdekit.fem.geometry.mesh3d.netgen_mesh` builds is closed and
every index it hands Netgen is in range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNNAMED = "default"
"""Netgen's name for a boundary or domain without a name."""

TET_FACES = ((1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2))
"""The face opposite each vertex of a tetrahedron."""

FLAT_VOLUME = 1e3 * float(np.finfo(np.float64).eps)
"""Largest ``|6 V| / (l1 l2 l3)`` (``l``: the edges from one corner) of a tetrahedron
counted as flat: a thousand rounding units of the triple product (Higham, *Accuracy and
Stability of Numerical Algorithms*, 2002, §3.1), so that coplanar points written with
rounded coordinates are caught, while a mesher's most anisotropic elements (aspect ratio
1e4, relative volume about 1e-8) are kept."""


@dataclass(frozen=True)
class TetMesh:
    """A checked tetrahedral mesh (0-based indices).

    Attributes
    ----------
    points
        ``(n, 3)`` coordinates, every one used by a tetrahedron.
    tets
        ``(m, 4)`` point indices.
    domains
        ``(m,)`` domain numbers ``1 … len(materials)``.
    materials
        Domain names.
    triangles
        ``(t, 3)`` point indices of the boundary triangles.
    faces
        ``(t,)`` index of each triangle's name in ``names``.
    names
        Boundary names.
    """

    points: np.ndarray
    tets: np.ndarray
    domains: np.ndarray
    materials: tuple[str, ...]
    triangles: np.ndarray
    faces: np.ndarray
    names: tuple[str, ...]

    @property
    def boundaries(self) -> list[str]:
        """The boundary names, sorted."""
        return sorted(self.names)

    def bounds(self) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
        """Bounding box corners."""
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        return (float(low[0]), float(low[1]), float(low[2])), \
            (float(high[0]), float(high[1]), float(high[2]))


def _keys(faces: np.ndarray) -> np.ndarray:
    """One comparable key per face: its sorted point indices as 12 raw bytes."""
    rows = np.ascontiguousarray(np.sort(faces, axis=1), dtype=np.int32)
    return rows.view(np.dtype((np.void, 12))).ravel()


def _labels(values: np.ndarray, names: dict[int, str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels renumbered ``0 … k-1`` by their names (labels of one name merge)."""
    keys = np.unique(values)
    given = [names.get(int(key), UNNAMED) for key in keys]
    named = sorted(set(given))
    index = {name: k for k, name in enumerate(named)}
    mapped = np.array([index[name] for name in given], dtype=np.int32)
    return mapped[np.searchsorted(keys, values)], tuple(named)


def tet_mesh(points: np.ndarray, tets: np.ndarray, domains: np.ndarray,
             materials: dict[int, str], triangles: np.ndarray, labels: np.ndarray,
             names: dict[int, str]) -> TetMesh:
    """Check a mesh and make it the :class:`TetMesh` Netgen gets.

    Parameters
    ----------
    points
        ``(n, 3)`` finite coordinates.
    tets, triangles
        ``(m, 4)`` and ``(t, 3)`` point indices, each in ``0 … n-1``.
    domains, labels
        Per tetrahedron and per triangle: the file's domain and boundary numbers.
    materials, names
        Their names (numbers without one get :data:`UNNAMED`).

    Raises
    ------
    ValueError
        Saying what was expected, with the number (from 1) of the element at fault.
    """
    if not len(tets):
        raise ValueError("a 3D mesh with tetrahedra")
    for kinds, cells in (("tetrahedra", "tetrahedron"), tets), (("triangles", "triangle"),
                                                               triangles):
        ordered = np.sort(cells, axis=1)
        repeated = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
        if len(repeated):
            raise ValueError(f"{kinds[0]} with distinct points ({kinds[1]} "
                             f"{repeated[0] + 1} repeats one)")
    corner = points[tets[:, 0]]
    edges = [points[tets[:, k]] - corner for k in (1, 2, 3)]
    volume = np.einsum("ij,ij->i", edges[0], np.cross(edges[1], edges[2]))
    # The triple product of edges of length l carries a rounding error of a few ε·l³:
    # within FLAT_VOLUME of that, four coplanar points count as flat.
    scale = np.prod([np.linalg.norm(e, axis=1) for e in edges], axis=0)
    flat = np.flatnonzero(~(np.abs(volume) > FLAT_VOLUME * scale))  # flat or not finite
    if len(flat):
        raise ValueError(f"tetrahedra of nonzero volume (tetrahedron {flat[0] + 1} is flat)")
    all_faces = tets[:, TET_FACES].reshape(-1, 3)
    keys, first, counts = np.unique(_keys(all_faces), return_index=True, return_counts=True)
    if counts.max() > 2:
        owner = first[np.argmax(counts)] // 4
        raise ValueError(f"a face shared by at most two tetrahedra (a face of tetrahedron "
                         f"{owner + 1} has {counts.max()})")
    if len(triangles):
        wanted = _keys(triangles)
        where = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        stray = np.flatnonzero(keys[where] != wanted)
        if len(stray):
            raise ValueError(f"boundary triangles that are faces of tetrahedra (triangle "
                             f"{stray[0] + 1} is not)")
        covered = np.zeros(len(keys), bool)
        covered[where] = True
    else:
        covered = np.zeros(len(keys), bool)
    open_faces = first[(counts == 1) & ~covered]
    if len(open_faces):  # outer faces without a triangle: Netgen's unnamed boundary
        unnamed = max(names, default=0) + 1
        names = {**names, unnamed: UNNAMED}
        triangles = np.concatenate([triangles, all_faces[np.sort(open_faces)]])
        labels = np.concatenate([labels, np.full(len(open_faces), unnamed, labels.dtype)])
    used = np.zeros(len(points), bool)
    used[tets.ravel()] = True
    renumber = np.cumsum(used, dtype=np.int64) - 1
    faces, face_names = _labels(labels, names)
    domain_of, domain_names = _labels(domains, materials)
    return TetMesh(points=np.ascontiguousarray(points[used], dtype=np.float64),
                   tets=renumber[tets].astype(np.int32),
                   domains=domain_of + 1, materials=domain_names,
                   triangles=renumber[triangles].astype(np.int32),
                   faces=faces, names=face_names)
