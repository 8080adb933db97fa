"""Eigenmodes to ParaView (.vtu + .pvd) and PNG, gathered on rank 0.

High-order and curved elements are drawn by subdividing every element into ``s²``
straight sub-triangles (quadrilaterals from hp refinement into ``2 s²``) whose vertices
are the exactly mapped lattice points of the reference element, with the field evaluated
there. Under MPI each rank samples its own elements (NGSolve's rank 0 holds none) and the
pieces are gathered to rank 0, which writes one ``.vtu`` per mode and a ``.pvd`` listing
them (mode number as the time step) — the same files as a serial run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Sequence

import numpy as np


def _lattice(kind: str, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference lattice points and sub-triangles for a triangle or quadrilateral."""
    if kind == "trig":
        index = {}
        points = []
        for j in range(s + 1):
            for i in range(s + 1 - j):
                index[i, j] = len(points)
                points.append((i / s, j / s))
        cells = []
        for j in range(s):
            for i in range(s - j):
                cells.append((index[i, j], index[i + 1, j], index[i, j + 1]))
                if i + j < s - 1:
                    cells.append((index[i + 1, j], index[i + 1, j + 1], index[i, j + 1]))
        return np.array(points), np.array(cells)
    points = [(i / s, j / s) for j in range(s + 1) for i in range(s + 1)]
    cells = []
    for j in range(s):
        for i in range(s):
            a, b = j * (s + 1) + i, j * (s + 1) + i + 1
            c, d = (j + 1) * (s + 1) + i + 1, (j + 1) * (s + 1) + i
            cells.extend([(a, b, c), (a, c, d)])
    return np.array(points), np.array(cells)


def sample_modes(mesh: Any, gridfunctions: Sequence[Any], subdivision: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample fields on this rank's elements at subdivided, exactly mapped points.

    Returns
    -------
    points, triangles, values
        ``(N, 2)`` coordinates, ``(T, 3)`` point indices, ``(len(gridfunctions), N)``.
    """
    import ngsolve
    from ngsolve import ET, VOL, IntegrationRule

    s = max(1, subdivision)
    trig_pts, trig_cells = _lattice("trig", s)
    quad_pts, quad_cells = _lattice("quad", s)
    types = [el.type for el in mesh.Elements(VOL)]
    if not types:
        return np.zeros((0, 2)), np.zeros((0, 3), dtype=np.int64), \
            np.zeros((len(gridfunctions), 0))
    rules = {ET.TRIG: IntegrationRule([tuple(p) for p in trig_pts], [0.0] * len(trig_pts)),
             ET.QUAD: IntegrationRule([tuple(p) for p in quad_pts], [0.0] * len(quad_pts))}
    present = {t for t in types}
    mapped = mesh.MapToAllElements({t: rules[t] for t in present}, VOL)
    coords = np.asarray(ngsolve.CF((ngsolve.x, ngsolve.y))(mapped)).reshape(-1, 2)
    values = np.array([np.asarray(gf(mapped)).ravel() for gf in gridfunctions]) \
        if gridfunctions else np.zeros((0, len(coords)))
    triangles = []
    offset = 0
    for el_type in types:  # mapped points come element by element, in element order
        cells = trig_cells if el_type == ET.TRIG else quad_cells
        triangles.append(cells + offset)
        offset += len(trig_pts) if el_type == ET.TRIG else len(quad_pts)
    if offset != len(coords):
        raise RuntimeError(f"sampling mismatch: {offset} lattice points, {len(coords)} mapped")
    return coords, np.concatenate(triangles), values


def gather_samples(comm: Any, points: np.ndarray, triangles: np.ndarray, values: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Concatenate every rank's samples on rank 0 (others get ``None``)."""
    if comm is None or comm.size == 1:
        return points, triangles, values
    pieces = comm.gather((points, triangles, values), root=0)
    if comm.rank != 0:
        return None
    all_points, all_triangles, all_values, offset = [], [], [], 0
    for p, t, v in pieces:
        all_points.append(p)
        all_triangles.append(t + offset)
        all_values.append(v)
        offset += len(p)
    return (np.concatenate(all_points), np.concatenate(all_triangles),
            np.concatenate(all_values, axis=1))


def normalize_signs(values: np.ndarray) -> np.ndarray:
    """Flip each mode so its largest-magnitude sample is positive (stable pictures)."""
    out = values.copy()
    for row in out:
        if row.size and row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return out


def multiplicities(count: int, clusters: Sequence[dict[str, Any]]) -> list[int]:
    """The multiplicity of each mode's cluster (1 where a mode is in none)."""
    of = [1] * count
    for cluster in clusters:
        for index in cluster["indices"]:
            if index < count:
                of[index] = cluster["multiplicity"]
    return of


def add_field_data(path: Path, values: dict[str, tuple[str, str]]) -> None:
    """Put one-value arrays ``name -> (VTK type, text)`` into a .vtu as ``<FieldData>``
    (meshio 5 drops ``field_data`` when writing VTU)."""
    arrays = "".join(f'<DataArray type="{kind}" Name="{name}" NumberOfTuples="1" '
                     f'format="ascii">{text}</DataArray>\n'
                     for name, (kind, text) in values.items())
    content = path.read_bytes()
    tag = b"<UnstructuredGrid>"
    if tag not in content:
        raise RuntimeError(f"{path.name}: no <UnstructuredGrid> element to extend")
    path.write_bytes(content.replace(tag, tag + b"\n<FieldData>\n" + arrays.encode()
                                     + b"</FieldData>", 1))


def write_modes_vtu(folder: Path, points: np.ndarray, triangles: np.ndarray,
                    values: np.ndarray, eigenvalues: Sequence[float],
                    multiplicity: Sequence[int]) -> list[Path]:
    """One ``mode_XX.vtu`` per mode and ``modes.pvd`` (time = mode number).

    Each file holds the point array ``u`` and, as VTK field data (ParaView: "Field
    Data"), ``eigenvalue`` (λ), ``multiplicity`` (of λ's cluster) and ``mode`` (its
    number).
    """
    import meshio

    from pdekit.output.vtk import PVDSeries

    series = PVDSeries(folder / "modes.pvd")
    written = []
    points3 = np.column_stack([points, np.zeros(len(points))])
    for i, row in enumerate(values):
        path = folder / f"mode_{i + 1:02d}.vtu"
        meshio.write(str(path), meshio.Mesh(points3, [("triangle", triangles)],
                                            point_data={"u": row}), binary=True)
        add_field_data(path, {"eigenvalue": ("Float64", repr(float(eigenvalues[i]))),
                              "multiplicity": ("Int32", str(int(multiplicity[i]))),
                              "mode": ("Int32", str(i + 1))})
        series.add(float(i + 1), path)
        written.append(path)
    return written


def panel_grid(count: int) -> tuple[int, int]:
    """Rows and columns for ``count`` panels: at most 4 columns, rows as full as can be."""
    rows = max(1, math.ceil(count / 4))
    return rows, math.ceil(count / rows)


def mode_title(index: int, eigenvalue: float, multiplicity: int, over_pi2: bool) -> str:
    """``mode 2: λ = 49.35 = 5.000 π²`` and, for a multiple eigenvalue, ``(double)``."""
    text = f"mode {index + 1}: λ = {eigenvalue:.8g}"
    if over_pi2:
        text += f" = {eigenvalue / math.pi ** 2:.4f} π²"
    names = {1: "", 2: "double", 3: "triple"}
    name = names.get(multiplicity, f"multiplicity {multiplicity}")
    return text + (f"\n{name} eigenvalue" if name else "\nsimple eigenvalue")


PICTURE_PIXELS = 240
"""Sub-triangles per domain width aimed at in ``modes.png`` (Gouraud shading is linear on
each: fewer show the facets of a high-order field)."""
PICTURE_MAX_SUBDIVISION = 32
"""Cap on the picture's subdivision per element edge."""
OUTSIDE_COLOUR = "#a6a6a6"
"""Background outside the domain: a grey that the diverging map never takes (its middle,
u = 0, is near-white), so a missing quadrant or a notch does not read as u = 0."""
BOUNDARY_STYLES = {"dirichlet": ("k", "-", "Dirichlet (u = 0)"),
                   "neumann": ("#1a9641", "--", "Neumann (∂u/∂n = 0)"),
                   "boundary": ("k", "-", "boundary")}
"""Outline colour, line style and legend label by boundary condition."""


@dataclass
class Outline:
    """The domain's boundary as straight pieces: ``segments`` ``(K, 2, 2)`` and the
    condition of each, ``kinds`` (``"dirichlet"``, ``"neumann"``, ``"boundary"``)."""

    segments: np.ndarray
    kinds: np.ndarray


def boundary_outline(mesh: Any, dirichlet: Collection[str], subdivision: int) -> Outline:
    """This rank's boundary edges, each cut into ``subdivision`` exactly mapped pieces
    (curved edges follow the curve), marked Dirichlet or Neumann by their name."""
    import ngsolve
    from ngsolve import BND, ET, IntegrationRule

    s = max(1, subdivision)
    names = [el.mat for el in mesh.Elements(BND)]
    if not names:
        return Outline(np.zeros((0, 2, 2)), np.zeros(0, dtype="<U9"))
    rule = IntegrationRule([(i / s,) for i in range(s + 1)], [0.0] * (s + 1))
    mapped = mesh.MapToAllElements({ET.SEGM: rule}, BND)
    ends = np.asarray(ngsolve.CF((ngsolve.x, ngsolve.y))(mapped)).reshape(len(names), s + 1, 2)
    segments = np.stack([ends[:, :-1], ends[:, 1:]], axis=2).reshape(-1, 2, 2)
    kinds = np.repeat(["dirichlet" if name in dirichlet else "neumann" for name in names], s)
    return Outline(segments, kinds)


def picture_samples(comm: Any, mesh: Any, gridfunctions: Sequence[Any], subdivision: int,
                    dirichlet: Collection[str]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Outline] | None:
    """Samples for ``modes.png``, gathered on rank 0 (others get ``None``): points,
    triangles, sign-normalised values and the boundary outline.

    The subdivision is raised until the largest element's sub-triangles are about
    1/:data:`PICTURE_PIXELS` of the domain's width, so that the picture shows the
    high-order field rather than linear facets (an hp-graded mesh keeps large elements
    away from its corners).
    """
    corners, triangles, _ = sample_modes(mesh, [], 1)
    sizes = np.full(5, -np.inf)  # longest element edge, -min x, -min y, max x, max y
    if len(triangles):
        edges = corners[triangles] - corners[triangles[:, [1, 2, 0]]]
        sizes = np.concatenate([[np.hypot(edges[..., 0], edges[..., 1]).max()],
                                -corners.min(axis=0), corners.max(axis=0)])
    if comm is not None and comm.size > 1:
        from mpi4py import MPI

        comm.Allreduce(MPI.IN_PLACE, sizes, op=MPI.MAX)
    width = max(sizes[3] + sizes[1], sizes[4] + sizes[2])
    wanted = math.ceil(sizes[0] * PICTURE_PIXELS / width) if width > 0 else 1
    s = min(max(subdivision, wanted), max(subdivision, PICTURE_MAX_SUBDIVISION))
    gathered = gather_samples(comm, *sample_modes(mesh, gridfunctions, s))
    outline = boundary_outline(mesh, dirichlet, s)
    pieces = comm.gather(outline, root=0) if comm is not None and comm.size > 1 \
        else [outline]
    if gathered is None:
        return None
    outline = Outline(np.concatenate([o.segments for o in pieces]),
                      np.concatenate([o.kinds for o in pieces]))
    points, triangles, values = gathered
    return points, triangles, normalize_signs(values), outline


def merged_triangulation(points: np.ndarray, triangles: np.ndarray, values: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One point for the copies of a point sampled from each element around it (equal to
    1e-11 of the domain's size: curved maps differ in the last bits), so that shading is
    continuous and boundary edges are those of one triangle; collapsed triangles go."""
    scale = max(float(np.ptp(points, axis=0).max()), 1e-300) if len(points) else 1.0
    keys = np.round((points - points.min(axis=0)) / scale * 1e11)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    merged = inverse.ravel()[triangles]
    distinct = (merged[:, 0] != merged[:, 1]) & (merged[:, 1] != merged[:, 2]) \
        & (merged[:, 0] != merged[:, 2])
    return points[first], merged[distinct], values[:, first]


def boundary_edges(triangles: np.ndarray) -> np.ndarray:
    """Edges ``(K, 2)`` that belong to one triangle only."""
    edges = np.sort(triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    return unique[counts == 1]


def contour_field(triangles: np.ndarray, values: np.ndarray, edges: np.ndarray,
                  limit: float) -> np.ndarray:
    """``values`` for drawing nodal lines: each boundary sample that is numerically zero
    (a Dirichlet edge) takes the mean of its neighbours off that zero set. The zero imposed
    there is not a nodal line: contouring it draws dashes along the edge wherever rounding
    leaves ±1e-17. A nodal line that reaches the boundary still does (its neighbours
    change sign there)."""
    on_edge = np.unique(edges)
    zero = np.zeros(len(values), dtype=bool)
    zero[on_edge[np.abs(values[on_edge]) <= 1e-9 * limit]] = True
    if not zero.any():
        return values
    pairs = np.sort(triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    pairs = np.unique(pairs, axis=0)
    pairs = np.concatenate([pairs, pairs[:, ::-1]])  # both directions
    out = values.copy()
    while zero.any():  # a corner's neighbours are all on the edges: filled in a later pass
        useful = zero[pairs[:, 0]] & ~zero[pairs[:, 1]]
        total = np.bincount(pairs[useful, 0], weights=out[pairs[useful, 1]],
                            minlength=len(values))
        count = np.bincount(pairs[useful, 0], minlength=len(values))
        filled = zero & (count > 0)
        if not filled.any():
            break
        out[filled] = total[filled] / count[filled]
        zero &= ~filled
    return out


def chain_segments(segments: np.ndarray) -> np.ndarray:
    """Join pieces ``(K, 2, 2)`` that share end points into polylines, returned as one
    ``(M, 2)`` array with a NaN row after each (a dashed line restarts its pattern at
    every break: drawn piece by piece, a fine boundary would look solid)."""
    if not len(segments):
        return np.zeros((0, 2))
    scale = max(float(np.ptp(segments.reshape(-1, 2), axis=0).max()), 1e-300)
    keys = np.round(segments.reshape(-1, 2) / scale * 1e9)
    _, ends = np.unique(keys, axis=0, return_inverse=True)
    ends = ends.reshape(-1, 2)
    touching: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(ends):
        touching.setdefault(int(a), []).append(k)
        touching.setdefault(int(b), []).append(k)
    used = np.zeros(len(ends), dtype=bool)
    # Open chains start at an end point of one piece; what is left are closed loops.
    starts = [k for k, (a, b) in enumerate(ends)
              if len(touching[int(a)]) == 1 or len(touching[int(b)]) == 1]
    rows: list[np.ndarray] = []
    for first in starts + list(range(len(ends))):
        if used[first]:
            continue
        a, b = (int(e) for e in ends[first])
        backward = len(touching[b]) == 1 and len(touching[a]) != 1  # the open end is b
        piece = segments[first][::-1] if backward else segments[first]
        node = a if backward else b
        path, k = [piece[0], piece[1]], first
        used[k] = True
        while True:
            following = [j for j in touching[node] if not used[j]]
            if not following:
                break
            k = following[0]
            used[k] = True
            forward = int(ends[k][0]) == node
            node = int(ends[k][1]) if forward else int(ends[k][0])
            path.append(segments[k][1] if forward else segments[k][0])
        rows += [np.array(path), np.full((1, 2), np.nan)]
    return np.concatenate(rows)


def _draw_outline(axis: Any, outline: Outline) -> list[Any]:
    """The boundary, one line per condition; returns the lines."""
    lines = []
    for kind in ("dirichlet", "boundary", "neumann"):  # Neumann on top where they meet
        pieces = outline.segments[outline.kinds == kind]
        if not len(pieces):
            continue
        xy = chain_segments(pieces)
        colour, style, label = BOUNDARY_STYLES[kind]
        lines += axis.plot(xy[:, 0], xy[:, 1], color=colour, ls=style,
                           lw=1.6 if kind == "neumann" else 1.1, label=label, zorder=4)
    return lines


def plot_modes(path: Path, points: np.ndarray, triangles: np.ndarray, values: np.ndarray,
               eigenvalues: Sequence[float], multiplicity: Sequence[int], title: str,
               over_pi2: bool = False, outline: Outline | None = None) -> Path:
    """PNG with one panel per mode: Gouraud-shaded field on a diverging map symmetric about
    0, nodal lines (u = 0) in black, λ and its multiplicity in each title.

    Every panel has the same axes (the domain's bounding box); outside the domain is
    :data:`OUTSIDE_COLOUR`; the boundary is drawn, Neumann edges dashed (``outline``:
    :func:`boundary_outline`; without it, the triangulation's boundary, one style).
    """
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()
    from matplotlib.tri import Triangulation

    points, triangles, values = merged_triangulation(points, triangles, values)
    edges = boundary_edges(triangles)
    if outline is None:
        outline = Outline(points[edges], np.full(len(edges), "boundary"))
    count = len(values)
    rows, columns = panel_grid(count)
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.02 * max(float((high - low).max()), 1e-300)
    width, height = (high[0] - low[0]) or 1.0, (high[1] - low[1]) or 1.0
    aspect = min(max(height / width, 0.3), 2.5)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.6 * aspect * rows
                                                        + 1.1), squeeze=False)
    triangulation = Triangulation(points[:, 0], points[:, 1], triangles)
    lines: list[Any] = []
    for k, axis in enumerate(axes.ravel()):
        if k >= count:
            figure.delaxes(axis)  # no empty panels
            continue
        limit = np.abs(values[k]).max() or 1.0
        axis.set_facecolor(OUTSIDE_COLOUR)
        image = axis.tripcolor(triangulation, values[k], shading="gouraud", cmap="RdBu_r",
                               vmin=-limit, vmax=limit)
        if values[k].min() < -1e-3 * limit:  # a sign change inside: draw the nodal lines
            axis.tricontour(triangulation, contour_field(triangles, values[k], edges, limit),
                            levels=[0.0], colors="k", linewidths=0.9)
        lines = _draw_outline(axis, outline)
        axis.set_xlim(low[0] - pad, high[0] + pad)
        axis.set_ylim(low[1] - pad, high[1] + pad)
        axis.set_aspect("equal")
        axis.set_title(mode_title(k, eigenvalues[k], multiplicity[k], over_pi2), fontsize=9)
        axis.set_xlabel("x", fontsize=8)
        axis.set_ylabel("y", fontsize=8)
        axis.tick_params(labelsize=7)
        bar = figure.colorbar(image, ax=axis, fraction=0.046, pad=0.03)
        bar.ax.tick_params(labelsize=7)
    if "neumann" in outline.kinds:
        figure.legend(handles=lines, loc="lower center", ncols=len(lines), fontsize=8,
                      frameon=False)
    figure.suptitle(title + "\nblack lines: nodal lines (u = 0); grey: outside the domain",
                    fontsize=10)
    figure.tight_layout(rect=(0, 0.04 if "neumann" in outline.kinds else 0, 1, 1))
    save_figure(figure, path)
    return path
