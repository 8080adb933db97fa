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
from pathlib import Path
from typing import Any, Sequence

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


def plot_modes(path: Path, points: np.ndarray, triangles: np.ndarray, values: np.ndarray,
               eigenvalues: Sequence[float], multiplicity: Sequence[int], title: str,
               over_pi2: bool = False) -> Path:
    """PNG with one panel per mode: Gouraud-shaded field on a diverging map symmetric about
    0, nodal lines (u = 0) in black, λ and its multiplicity in each title."""
    from pdekit.output.plots import pyplot, save_figure

    plt = pyplot()
    from matplotlib.tri import Triangulation

    count = len(values)
    rows, columns = panel_grid(count)
    width, height = np.ptp(points[:, 0]) or 1.0, np.ptp(points[:, 1]) or 1.0
    aspect = min(max(height / width, 0.3), 2.5)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.6 * aspect * rows
                                                        + 0.9), squeeze=False)
    triangulation = Triangulation(points[:, 0], points[:, 1], triangles)
    for k, axis in enumerate(axes.ravel()):
        if k >= count:
            figure.delaxes(axis)  # no empty panels
            continue
        limit = np.abs(values[k]).max() or 1.0
        image = axis.tripcolor(triangulation, values[k], shading="gouraud", cmap="RdBu_r",
                               vmin=-limit, vmax=limit)
        if values[k].min() < -1e-3 * limit:  # a sign change inside: draw the nodal lines
            axis.tricontour(triangulation, values[k], levels=[0.0], colors="k",
                            linewidths=0.9)
        axis.set_aspect("equal")
        axis.set_title(mode_title(k, eigenvalues[k], multiplicity[k], over_pi2), fontsize=9)
        axis.set_xlabel("x", fontsize=8)
        axis.set_ylabel("y", fontsize=8)
        axis.tick_params(labelsize=7)
        bar = figure.colorbar(image, ax=axis, fraction=0.046, pad=0.03)
        bar.ax.tick_params(labelsize=7)
    figure.suptitle(title + "\nblack lines: nodal lines (u = 0)",
                    fontsize=10)
    figure.tight_layout()
    save_figure(figure, path)
    return path
