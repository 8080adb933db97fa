"""3D eigenmodes to ParaView (per-rank ``.vtu`` pieces + ``.pvtu``) and to slice pictures.

Nothing of a 3D mesh is gathered on one rank. Each rank samples its own elements: every
element (tetrahedron, or the prisms, pyramids and hexahedra of hp-grading) is cut into
reference tetrahedra, each subdivided into ``s³`` small ones (Freudenthal's subdivision),
whose vertices are mapped exactly (curved elements too) and where the field is evaluated;
points shared by neighbouring elements are then written once (a P1 cube: 22× fewer).
Rank r writes ``mode_XX/piece_r.vtu``; rank 0 writes ``mode_XX.pvtu`` naming the non-empty
pieces and adds it to ``modes.pvd`` (valid after each mode). Under NGSolve's MPI rank 0
holds no elements, so its piece is empty and not listed.

The picture (``modes.png``) shows each mode on three orthogonal slices through the point
where |u| is largest (:func:`locate_peaks`: the finite element function's maximum, not the
largest sample), sampled on a regular grid: every rank evaluates the grid points in its
part and only those few thousand values travel to rank 0.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Sequence

import numpy as np

REFERENCE_TETS = {
    "TET": [[(1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 0, 0)]],
    "PRISM": [[(1, 0, 0), (0, 1, 0), (0, 0, 0), (1, 0, 1)],
              [(0, 1, 0), (0, 0, 0), (1, 0, 1), (0, 1, 1)],
              [(0, 0, 0), (1, 0, 1), (0, 1, 1), (0, 0, 1)]],
    "PYRAMID": [[(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 0, 1)],
                [(0, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1)]],
    "HEX": [[(0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1)],
            [(0, 0, 0), (1, 0, 0), (1, 0, 1), (1, 1, 1)],
            [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 1, 1)],
            [(0, 0, 0), (0, 1, 0), (0, 1, 1), (1, 1, 1)],
            [(0, 0, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1)],
            [(0, 0, 0), (0, 0, 1), (0, 1, 1), (1, 1, 1)]],
}
"""Each NGSolve reference element as reference tetrahedra (hexahedron: Kuhn's six)."""

SLICE_POINTS = 64
"""Grid points per side of a slice picture."""


def simplex_lattice(s: int) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric weights of the lattice points of a tetrahedron subdivided ``s`` times
    per edge, and its ``s³`` sub-tetrahedra (Freudenthal/Kuhn: the simplex
    ``s ≥ a ≥ b ≥ c ≥ 0`` is a union of Kuhn simplices of the unit cubes)."""
    index: dict[tuple[int, int, int], int] = {}
    weights = []
    for a in range(s + 1):
        for b in range(a + 1):
            for c in range(b + 1):
                index[a, b, c] = len(weights)
                i, j, k = a - b, b - c, c  # steps along the edges from vertex 0
                weights.append((1 - (i + j + k) / s, i / s, j / s, k / s))
    cells = []
    for corner in itertools.product(range(s), repeat=3):
        for order in itertools.permutations(range(3)):
            vertex, simplex = list(corner), [tuple(corner)]
            for axis in order:
                vertex[axis] += 1
                simplex.append(tuple(vertex))
            if all(p[0] >= p[1] >= p[2] for p in simplex):
                cells.append([index[p] for p in simplex])  # type: ignore[index]
    return np.array(weights), np.array(cells)


def reference_lattice(kind: str, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference points and sub-tetrahedra of one element type."""
    weights, cells = simplex_lattice(s)
    points, tets = [], []
    for corners in REFERENCE_TETS[kind]:
        tets.append(cells + len(points) * len(weights))
        points.append(weights @ np.array(corners, dtype=float))
    return np.concatenate(points), np.concatenate(tets)


def sample_modes_3d(mesh: Any, gridfunctions: Sequence[Any], subdivision: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample fields on this rank's elements at subdivided, exactly mapped points.

    Returns
    -------
    points, tetrahedra, values
        ``(N, 3)`` distinct points, ``(T, 4)`` point indices, ``(len(gridfunctions), N)``.
    """
    import ngsolve
    from ngsolve import VOL, IntegrationRule

    s = max(1, subdivision)
    types = [el.type for el in mesh.Elements(VOL)]
    if not types:
        return np.zeros((0, 3)), np.zeros((0, 4), dtype=np.int64), \
            np.zeros((len(gridfunctions), 0))
    lattices = {t: reference_lattice(str(t).split(".")[-1], s) for t in set(types)}
    rules = {t: IntegrationRule([tuple(p) for p in points], [0.0] * len(points))
             for t, (points, _) in lattices.items()}
    mapped = mesh.MapToAllElements(rules, VOL)
    coords = np.asarray(ngsolve.CF((ngsolve.x, ngsolve.y, ngsolve.z))(mapped)).reshape(-1, 3)
    values = np.array([np.asarray(gf(mapped)).ravel() for gf in gridfunctions])
    cells, offset = [], 0
    for el_type in types:  # mapped points come element by element, in element order
        points, tets = lattices[el_type]
        cells.append(tets + offset)
        offset += len(points)
    if offset != len(coords):
        raise RuntimeError(f"sampling mismatch: {offset} lattice points, {len(coords)} mapped")
    return merge_duplicate_points(coords, np.concatenate(cells), values)


def merge_duplicate_points(points: np.ndarray, tetrahedra: np.ndarray, values: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep one copy of bitwise-identical points (elements sampled one by one repeat
    their shared vertices, edges and faces: a P1 cube has ~22 copies per vertex) and
    renumber the tetrahedra; values are taken at the first copy (H1 fields agree there).

    Points that differ in the last bit (a shared point mapped from two curved elements)
    stay apart: harmless for ParaView. Duplicates are found through a 64-bit hash of the
    coordinates' bit patterns, checked exactly afterwards.
    """
    if len(points) == 0:
        return points, tetrahedra, values
    bits = np.ascontiguousarray(points, dtype=np.float64).view(np.uint64)
    # In place: fresh memory is slow to touch, and these arrays are large.
    key = bits[:, 0] * np.uint64(0x9E3779B97F4A7C15)
    term = bits[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F)
    key ^= term
    np.multiply(bits[:, 2], np.uint64(0x165667B19E3779F9), out=term)
    key ^= term
    del term
    first, inverse = _first_and_inverse(key)
    del key
    if not _same_points(points, first, inverse):  # a hash collision: the exact way
        rows = np.ascontiguousarray(points).view(np.dtype((np.void, 24))).ravel()
        _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    return points[first], inverse[tetrahedra], values[:, first]


def _same_points(points: np.ndarray, first: np.ndarray, inverse: np.ndarray,
                 chunk: int = 1 << 18) -> bool:
    """Whether every point equals the first copy it was merged with (in chunks)."""
    for start in range(0, len(points), chunk):
        rows = slice(start, start + chunk)
        if not np.array_equal(points[first[inverse[rows]]], points[rows]):
            return False
    return True


def _first_and_inverse(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_index=True, return_inverse=True)[1:]`` without the sorted
    values, 4× faster (one stable argsort; first index = first occurrence)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.empty(len(key), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    index = np.int32 if len(key) < 2**31 else np.int64  # less fresh memory to touch
    inverse = np.empty(len(key), dtype=index)
    inverse[order] = np.cumsum(starts, dtype=index) - 1
    return order[starts], inverse


def peaks(comm: Any, points: np.ndarray, values: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Per mode, the signed value and location of the largest |u| among the samples of
    every rank."""
    local = []
    for row in values:
        k = int(np.argmax(np.abs(row))) if row.size else -1
        local.append((row[k], points[k]) if k >= 0 else None)
    return _largest_over_ranks(comm, local)


def _largest_over_ranks(comm: Any, local: Sequence[tuple[float, np.ndarray] | None]
                        ) -> list[tuple[float, np.ndarray]]:
    """Per mode, the (value, location) of largest |value| over the ranks (``None``: a rank
    without elements)."""
    every = comm.allgather(list(local)) if comm is not None and comm.size > 1 else [local]
    out = []
    for i in range(len(local)):
        found = [rank[i] for rank in every if rank[i] is not None]
        out.append(max(found, key=lambda item: abs(item[0])) if found else (0.0, np.zeros(3)))
    return out


PEAK_CANDIDATES = 4
"""Largest samples per mode polished into local maxima of |u| by :func:`locate_peaks`."""


def locate_peaks(comm: Any, mesh: Any, gridfunctions: Sequence[Any], subdivision: int
                 ) -> list[tuple[float, np.ndarray]]:
    """Per mode, the signed value and location of the largest |u| of the finite element
    function itself, over every rank.

    The largest |u| of a high-order field lies inside elements, not at lattice points: on
    a coarse P4 ball every vertex is on the boundary, where u = 0. So the largest samples
    of a ``subdivision`` lattice are only starting points, each polished by Nelder–Mead
    (Nelder & Mead 1965, *Comput. J.* 7, 308) on −|u| with u evaluated through the mesh's
    point search (curved and hp-graded elements alike; outside this rank's part: no
    value). The best polished point of all ranks is returned.
    """
    from scipy.optimize import minimize
    from scipy.spatial import cKDTree

    points, _, values = sample_modes_3d(mesh, gridfunctions, subdivision)
    if len(points) < 2:
        return _largest_over_ranks(comm, [None] * len(gridfunctions))
    tree = cKDTree(points)
    tiny = 1e-9 * float(np.ptp(points, axis=0).max())
    local = []
    for gf, row in zip(gridfunctions, values):

        def minus_abs(p: np.ndarray, gf: Any = gf) -> float:
            where = mesh(*p)
            return -abs(float(gf(where))) if where.nr >= 0 else np.inf

        best = None
        for k in np.argsort(-np.abs(row))[:PEAK_CANDIDATES]:
            # The simplex starts at the lattice spacing around the candidate (copies of a
            # point mapped from two curved elements, a few ulps apart, do not count).
            near = tree.query(points[k], k=min(16, len(points)))[0]
            step = float(near[near > tiny][0]) if (near > tiny).any() else tiny
            simplex = np.vstack([points[k], points[k] + step * np.eye(3)])
            found = minimize(minus_abs, points[k], method="Nelder-Mead",
                             options={"initial_simplex": simplex, "xatol": 1e-6 * step,
                                      "fatol": 1e-12 * abs(row[k]), "maxfev": 400})
            if best is None or found.fun < best.fun:
                best = found
        local.append((float(gf(mesh(*best.x))), np.asarray(best.x, float)))
    return _largest_over_ranks(comm, local)


def write_pieces(folder: Path, comm: Any, points: np.ndarray, tetrahedra: np.ndarray,
                 values: np.ndarray, eigenvalues: Sequence[float],
                 multiplicity: Sequence[int]) -> list[str]:
    """Each rank's ``mode_XX/piece_<rank>.vtu``; rank 0's ``mode_XX.pvtu`` and
    ``modes.pvd``. Returns the names written (pieces as ``mode_XX/``), on rank 0."""
    import meshio

    from pdekit.fem.output.modes_output import add_field_data
    from pdekit.output.vtk import PVDSeries

    rank = comm.rank if comm is not None else 0
    counts = comm.allgather(len(points)) if comm is not None and comm.size > 1 \
        else [len(points)]
    series = PVDSeries(folder / "modes.pvd") if rank == 0 else None
    written = []
    for i, row in enumerate(values):
        name = f"mode_{i + 1:02d}"
        (folder / name).mkdir(exist_ok=True)
        if len(points):
            path = folder / name / f"piece_{rank}.vtu"
            meshio.write(str(path), meshio.Mesh(points, [("tetra", tetrahedra)],
                                                point_data={"u": row}), binary=True)
            add_field_data(path, {"eigenvalue": ("Float64", repr(float(eigenvalues[i]))),
                                  "multiplicity": ("Int32", str(int(multiplicity[i]))),
                                  "mode": ("Int32", str(i + 1))})
        if comm is not None and comm.size > 1:
            comm.barrier()  # every piece on disk before the .pvtu names it
        if series is not None:
            pieces = [f"{name}/piece_{r}.vtu" for r, n in enumerate(counts) if n]
            write_pvtu(folder / f"{name}.pvtu", pieces)
            series.add(float(i + 1), folder / f"{name}.pvtu")
            written += [f"{name}.pvtu", f"{name}/"]
    return written + (["modes.pvd"] if written else [])


def write_pvtu(path: Path, pieces: Sequence[str], fields: Sequence[str] = ("u",)) -> None:
    """A ``.pvtu`` over pieces written by meshio (Float64 points and point ``fields``)."""
    from xml.sax.saxutils import quoteattr

    from pdekit.output.vtk import atomic_write_text

    rows = "".join(f"    <Piece Source={quoteattr(p)}/>\n" for p in pieces)
    arrays = "".join(f'      <PDataArray type="Float64" Name={quoteattr(f)} '
                     'NumberOfComponents="1"/>\n' for f in fields)
    atomic_write_text(path, '<?xml version="1.0"?>\n<VTKFile type="PUnstructuredGrid" '
                      'version="0.1" byte_order="LittleEndian">\n'
                      '  <PUnstructuredGrid GhostLevel="0">\n'
                      f'    <PPointData Scalars={quoteattr(fields[0])}>\n' + arrays +
                      '    </PPointData>\n    <PPoints>\n'
                      '      <PDataArray type="Float64" Name="Points" NumberOfComponents="3"/>\n'
                      '    </PPoints>\n' + rows + '  </PUnstructuredGrid>\n</VTKFile>\n')


def slice_values(comm: Any, mesh: Any, gridfunctions: Sequence[Any], centers: np.ndarray,
                 lower: Sequence[float], upper: Sequence[float], n: int = SLICE_POINTS
                 ) -> np.ndarray | None:
    """Values on three slices per mode (normal x, y, z through ``centers[mode]``), NaN
    outside the domain: ``(modes, 3, n, n)`` on rank 0, ``None`` elsewhere."""
    values = np.zeros((len(gridfunctions), 3, n, n))
    found = np.zeros_like(values)
    for m, gf in enumerate(gridfunctions):
        for axis in range(3):
            a, b = [k for k in range(3) if k != axis]
            u, v = np.meshgrid(np.linspace(lower[a], upper[a], n),
                               np.linspace(lower[b], upper[b], n))
            coords = [None, None, None]
            coords[a], coords[b] = u.ravel(), v.ravel()
            coords[axis] = np.full(n * n, centers[m][axis])
            points = mesh(*coords)
            inside = points["nr"] >= 0
            if inside.any():
                flat = np.zeros(n * n)
                flat[inside] = np.asarray(gf(points[inside])).ravel()
                values[m, axis] = flat.reshape(n, n)
                found[m, axis] = inside.reshape(n, n)
    if comm is not None and comm.size > 1:
        from mpi4py import MPI

        total = np.zeros_like(values) if comm.rank == 0 else None
        hits = np.zeros_like(found) if comm.rank == 0 else None
        comm.Reduce(values, total, op=MPI.SUM, root=0)
        comm.Reduce(found, hits, op=MPI.SUM, root=0)
        if comm.rank != 0:
            return None
        values, found = total, hits
    with np.errstate(invalid="ignore"):
        return np.where(found > 0, values / np.maximum(found, 1), np.nan)


def plot_slices(path: Path, slices: np.ndarray, centers: np.ndarray, lower: Sequence[float],
                upper: Sequence[float], eigenvalues: Sequence[float],
                multiplicity: Sequence[int], title: str) -> Path:
    """One row per mode: the three slices, a diverging map symmetric about 0, nodal
    surfaces (u = 0) as black lines, λ and multiplicity in the row's first title."""
    from pdekit.fem.output.modes_output import mode_title
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()
    count = len(slices)
    height = 3.1 * count + 0.9
    figure, axes = plt.subplots(count, 3, figsize=(10.5, height), squeeze=False)
    # Fixed margins: tight_layout alone took seconds for a few rows of panels.
    figure.subplots_adjust(left=0.07, right=0.93, bottom=0.45 / height,
                           top=1 - 0.95 / height, wspace=0.35, hspace=0.55)
    labels = "xyz"
    for m in range(count):
        limit = np.nanmax(np.abs(slices[m])) if np.isfinite(slices[m]).any() else 1.0
        for axis in range(3):
            a, b = [k for k in range(3) if k != axis]
            panel = axes[m, axis]
            field = np.ma.masked_invalid(slices[m, axis])
            extent = (lower[a], upper[a], lower[b], upper[b])
            image = panel.imshow(field, origin="lower", extent=extent, cmap="RdBu_r",
                                 vmin=-limit, vmax=limit, interpolation="bilinear")
            if np.nanmin(slices[m, axis]) < -1e-3 * limit < 1e-3 * limit < \
                    np.nanmax(slices[m, axis]):
                panel.contour(np.linspace(lower[a], upper[a], field.shape[1]),
                              np.linspace(lower[b], upper[b], field.shape[0]),
                              field, levels=[0.0], colors="k", linewidths=0.8)
            heading = f"{labels[axis]} = {centers[m][axis]:.3g}"
            if axis == 0:
                heading = mode_title(m, eigenvalues[m], multiplicity[m], False) + "\n" \
                    + heading
            panel.set_title(heading, fontsize=8)
            panel.set_xlabel(labels[a], fontsize=8)
            panel.set_ylabel(labels[b], fontsize=8)
            panel.tick_params(labelsize=7)
            panel.set_aspect("equal")
        figure.colorbar(image, ax=axes[m, 2], fraction=0.046, pad=0.03).ax.tick_params(
            labelsize=7)
    figure.suptitle(title + "\nslices through each mode's largest |u|; black lines: "
                    "nodal surfaces (u = 0)", fontsize=9)
    save_figure(figure, path)
    return path
