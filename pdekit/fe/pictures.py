"""``fields.png`` of a finite-element ``turing`` run: triangulated colour maps with the
domain's outline in 2D; shaded 3D views from three directions of a surface, or of a
solid's boundary (matplotlib's ``tripcolor`` and ``Poly3DCollection`` on off-pyplot
figures, :mod:`pdekit.output.plots`)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

from pdekit.output.plots import colorbar_beside, pyplot, save_figure

VIEWS = ((25.0, -60.0), (25.0, 120.0), (90.0, -90.0))
"""(elevation, azimuth) of the three 3D views: two opposite sides and the top."""


def outline_segments(triangles: np.ndarray) -> np.ndarray:
    """Vertex pairs of the edges that belong to one triangle only (the boundary)."""
    edges = np.sort(np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]],
                                    triangles[:, [2, 0]]]), axis=1)
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    return unique[counts == 1]


def save_planar_png(fields: Mapping[str, np.ndarray], points: np.ndarray,
                    triangles: np.ndarray, title: str, path: Path) -> Path:
    """Side-by-side Gouraud-shaded colour maps of vertex fields on a 2D triangulation,
    with the boundary drawn in black."""
    from matplotlib.collections import LineCollection
    from matplotlib.tri import Triangulation

    plt = pyplot()
    triangulation = Triangulation(points[:, 0], points[:, 1], triangles)
    lower, upper = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    aspect = min(max((upper[1] - lower[1]) / max(upper[0] - lower[0], 1e-300), 0.3), 2.0)
    lines = title.count("\n") + 1
    figure, axes = plt.subplots(1, len(fields), squeeze=False, layout="constrained",
                                figsize=(5.2 * len(fields), 0.9 + 3.8 * aspect + 0.2 * lines))
    outline = points[outline_segments(triangles)][:, :, :2]
    for axis, (name, values) in zip(axes[0], fields.items()):
        image = axis.tripcolor(triangulation, values, shading="gouraud", cmap="viridis")
        axis.add_collection(LineCollection(outline, colors="black", linewidths=0.8))
        axis.set_aspect("equal")
        axis.set_title(name)
        axis.set_xlabel("x")
        axis.set_ylabel("y")
        axis.locator_params(nbins=5)
        colorbar_beside(figure, axis, image, name)
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)


def shaded_colours(points: np.ndarray, triangles: np.ndarray, values: np.ndarray,
                   norm: object, cmap: object) -> np.ndarray:
    """RGBA per triangle: the colour of the mean vertex value, dimmed by a headlight-free
    Lambert term |n · l| (both sides lit, so inside views stay readable)."""
    corners = points[triangles]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-300)
    light = np.array([0.4, -0.5, 0.77])
    light /= np.linalg.norm(light)
    intensity = 0.45 + 0.55 * np.abs(normals @ light)
    colours = cmap(norm(values[triangles].mean(axis=1)))  # type: ignore[operator]
    colours[:, :3] *= intensity[:, None]
    return colours


def save_surface_png(fields: Mapping[str, np.ndarray], points: np.ndarray,
                     triangles: np.ndarray, title: str, path: Path) -> Path:
    """Rows of shaded 3D views (:data:`VIEWS`) of vertex fields on a triangulated
    surface in 3D, one row per field with its colour bar."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    plt = pyplot()
    lines = title.count("\n") + 1
    figure = plt.figure(figsize=(4.2 * len(VIEWS) + 0.8, 3.9 * len(fields) + 0.25 * lines),
                        layout="constrained")
    cmap = colormaps["viridis"]
    lower, upper = points.min(axis=0), points.max(axis=0)
    middle, radius = (lower + upper) / 2, (upper - lower).max() / 2
    for row, (name, values) in enumerate(fields.items()):
        norm = Normalize(float(values.min()), float(values.max()))
        colours = shaded_colours(points, triangles, values, norm, cmap)
        axes = []
        for column, (elevation, azimuth) in enumerate(VIEWS):
            axis = figure.add_subplot(len(fields), len(VIEWS), row * len(VIEWS) + column + 1,
                                      projection="3d")
            # edges in the face colour: no antialiasing seams between the triangles
            axis.add_collection3d(Poly3DCollection(points[triangles], facecolors=colours,
                                                   edgecolors=colours, linewidths=0.3))
            for setter, centre in zip((axis.set_xlim, axis.set_ylim, axis.set_zlim), middle):
                setter(centre - radius, centre + radius)
            axis.set_box_aspect((1, 1, 1))
            axis.view_init(elev=elevation, azim=azimuth)
            axis.set_axis_off()
            axis.set_title(f"{name}, view from elevation {elevation:g}°, azimuth "
                           f"{azimuth:g}°", fontsize=8)
            axes.append(axis)
        figure.colorbar(ScalarMappable(norm, cmap), ax=axes, label=name, shrink=0.8)
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)
