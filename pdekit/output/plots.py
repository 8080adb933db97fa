"""PNG plots and animations of fields on 1D, 2D and 3D boxes (matplotlib figures rendered
with Agg, off pyplot):
line plots in 1D, colour maps in 2D, three orthogonal mid-plane slices in 3D."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np


class OffscreenFigures:
    """The part of ``matplotlib.pyplot`` pdekit draws with (``figure``, ``subplots``,
    ``close``), on figures of their own that pyplot never sees.

    ``matplotlib.use("Agg")`` would switch every later plot of the process to Agg (a
    notebook's inline plots vanish after a run) and pyplot keeps figures alive until
    closed. :class:`matplotlib.figure.Figure` objects need neither: ``savefig`` renders
    them with Agg, whatever backend the user's pyplot has, and they are garbage once
    dropped.
    """

    SUBPLOT_KEYS = ("sharex", "sharey", "squeeze", "width_ratios", "height_ratios",
                    "subplot_kw", "gridspec_kw")

    @staticmethod
    def figure(**options: Any) -> Any:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(**options)
        FigureCanvasAgg(figure)  # its own Agg canvas: draw() lays it out, savefig renders
        return figure

    def subplots(self, nrows: int = 1, ncols: int = 1, **options: Any) -> tuple[Any, Any]:
        layout = {key: options.pop(key) for key in self.SUBPLOT_KEYS if key in options}
        figure = self.figure(**options)
        return figure, figure.subplots(nrows, ncols, **layout)

    @staticmethod
    def close(figure: Any) -> None:
        """Nothing to release (kept for pyplot's calling convention)."""


def pyplot() -> OffscreenFigures:
    """Figures for pdekit's pictures, off pyplot (:class:`OffscreenFigures`)."""
    return OffscreenFigures()


def save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write ``figure`` as a PNG and release it (pyplot keeps open figures alive)."""
    figure.savefig(path, dpi=dpi)
    pyplot().close(figure)
    return Path(path)


def colorbar_beside(figure: Any, axis: Any, image: Any, label: str) -> Any:
    """A colour bar right of ``axis``, exactly as tall as the plotted image (an inset in
    axis coordinates, so that it follows the axis' aspect ratio)."""
    return figure.colorbar(image, cax=axis.inset_axes([1.04, 0.0, 0.05, 1.0]), label=label)


def save_fields_png(fields: Mapping[str, np.ndarray], extent: Sequence[float], title: str,
                    path: str | Path) -> Path:
    """Side-by-side colour plots of fields indexed ``[i, j]`` (i along x).

    Parameters
    ----------
    fields
        Name -> 2D array.
    extent
        (x_min, x_max, y_min, y_max) of the plotted region.
    title
        Figure title (may hold several lines).
    path
        PNG file to write.
    """
    plt = pyplot()
    count = len(fields)
    lines = title.count("\n") + 1
    aspect = min(max((extent[3] - extent[2]) / (extent[1] - extent[0]), 0.3), 2.0)
    figure, axes = plt.subplots(1, count, figsize=(5.2 * count, 0.9 + 3.8 * aspect + 0.2 * lines),
                                squeeze=False, layout="constrained")
    for axis, (name, data) in zip(axes[0], fields.items()):
        image = axis.imshow(np.asarray(data).T, origin="lower", extent=extent, cmap="viridis",
                            interpolation="nearest")
        axis.set_title(name)
        axis.set_xlabel("x")
        axis.set_ylabel("y")
        axis.locator_params(nbins=5)  # ticks that do not run into each other
        colorbar_beside(figure, axis, image, name)
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)


ANIMATION_INCHES, ANIMATION_DPI = (7.6, 6.8), 100
"""Size of an animation's frames: 760 x 680 pixels for 2D fields (1D: 760 x 500)."""


def save_animation(frames: Sequence[tuple[float, np.ndarray]], extent: Sequence[float],
                   label: str, path: str | Path, fps: int = 8, title: str = "") -> Path:
    """Animate snapshots ``(t, field)`` of one field as GIF (Pillow) or MP4 (ffmpeg).

    2D fields are drawn as colour maps over ``extent`` = (x_min, x_max, y_min, y_max)
    with a colour bar, 1D fields as lines over ``extent`` = (x_min, x_max). The colour
    (or y) range is fixed over the whole run so that growth is visible. Each frame is
    stamped with its time (``"u, t = 12.5"``) under ``title``, the run's description.
    """
    plt = pyplot()
    from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

    path = Path(path)
    low = min(float(np.min(f)) for _, f in frames)
    high = max(float(np.max(f)) for _, f in frames)
    one_d = np.ndim(frames[0][1]) == 1
    width, height = ANIMATION_INCHES
    figure, axis = plt.subplots(figsize=(width, 5.0 if one_d else height),
                                layout="constrained")
    if one_d:
        x = np.linspace(extent[0], extent[1], len(frames[0][1]))
        (image,) = axis.plot(x, frames[0][1], lw=1.5)
        margin = 0.05 * (high - low) or 1.0
        axis.set_ylim(low - margin, high + margin)
        axis.set_xlabel("x")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
        update = image.set_ydata
    else:
        image = axis.imshow(frames[0][1].T, origin="lower", extent=extent, cmap="viridis",
                            vmin=low, vmax=high, interpolation="nearest")
        axis.set_xlabel("x")
        axis.set_ylabel("y")
        colorbar_beside(figure, axis, image, label)

        def update(data: np.ndarray) -> None:
            image.set_data(data.T)
    if title:
        figure.suptitle(title, fontsize=9)
    heading = axis.set_title("", fontsize=12)

    def draw(index: int):
        t, data = frames[index]
        update(data)
        heading.set_text(f"{label}, t = {t:.6g}")
        return image, heading

    animation = FuncAnimation(figure, draw, frames=len(frames), blit=False)
    writer = PillowWriter(fps=fps) if path.suffix == ".gif" else FFMpegWriter(fps=fps)
    animation.save(path, writer=writer, dpi=ANIMATION_DPI)
    plt.close(figure)
    return path


def save_lines_png(fields: Mapping[str, np.ndarray], x: np.ndarray, title: str,
                   path: str | Path) -> Path:
    """Line plots of 1D fields (name -> array) over the point coordinates ``x``, one
    panel per field, under ``title``, written to the PNG file ``path``."""
    plt = pyplot()
    count = len(fields)
    figure, axes = plt.subplots(count, 1, figsize=(8.5, 2.4 * count + 1.0), sharex=True,
                                squeeze=False, layout="constrained")
    for axis, (name, data) in zip(axes[:, 0], fields.items()):
        axis.plot(x, np.asarray(data), lw=1.2)
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("x")
    figure.suptitle(title, fontsize=10)
    return save_figure(figure, path)


def mid_plane_regions(axes_coordinates: Sequence[np.ndarray]) -> list[tuple[
        str, tuple[slice | int, ...], tuple[float, float, float, float], tuple[str, str]]]:
    """The three mid-planes of a 3D box (z, y, x through the middle point): for each, its
    label (``"z = 0.01"``), the index of the plane in an array indexed ``[i, j, k]``, its
    extent and axis names."""
    x, y, z = axes_coordinates
    i, j, k = (len(c) // 2 for c in axes_coordinates)
    span = [(float(c[0]), float(c[-1])) for c in axes_coordinates]
    every = slice(None)
    return [(f"z = {z[k]:.3g}", (every, every, k), (*span[0], *span[1]), ("x", "y")),
            (f"y = {y[j]:.3g}", (every, j, every), (*span[0], *span[2]), ("x", "z")),
            (f"x = {x[i]:.3g}", (i, every, every), (*span[1], *span[2]), ("y", "z"))]


def mid_slices(data: np.ndarray, axes_coordinates: Sequence[np.ndarray]) -> list[tuple[
        str, np.ndarray, tuple[float, float, float, float], tuple[str, str]]]:
    """The three mid-planes of a 3D field indexed ``[i, j, k]``: for each, its label
    (``"z = 0.01"``), the 2D slice indexed ``[first, second]``, its extent and axis names."""
    return [(label, data[index], extent, names)
            for label, index, extent, names in mid_plane_regions(axes_coordinates)]


def save_slices_png(fields: Mapping[str, np.ndarray], axes_coordinates: Sequence[np.ndarray],
                    title: str, path: str | Path) -> Path:
    """Three orthogonal mid-plane slices (z, y and x through the middle point) of each 3D
    field: one row per field, one colour range per field.

    Parameters
    ----------
    fields
        Name -> 3D array indexed ``[i, j, k]``.
    axes_coordinates
        Point coordinates along x, y, z.
    title
        Figure title (the slices' positions are added to it).
    path
        PNG file to write.
    """
    rows = {name: (mid_slices(np.asarray(data), axes_coordinates),
                   (float(np.min(data)), float(np.max(data)))) for name, data in fields.items()}
    return save_planes_png(rows, title, path)


def save_planes_png(rows: Mapping[str, tuple[list[tuple[str, np.ndarray, tuple[float, ...],
                                                         tuple[str, str]]],
                                              tuple[float, float]]],
                    title: str, path: str | Path) -> Path:
    """Rows of plane slices, one row and colour range per field (the figure of
    :func:`save_slices_png`, from planes alone: a field split over ranks gathers only
    its mid-planes).

    Parameters
    ----------
    rows
        Name -> (the slices as from :func:`mid_slices`, (min, max) of the whole field).
    title
        Figure title (the slices' positions are added to it).
    path
        PNG file to write.
    """
    plt = pyplot()
    figure, axes = plt.subplots(len(rows), 3, figsize=(12.5, 3.9 * len(rows) + 1.0),
                                squeeze=False, layout="constrained")
    where = ""
    for row, (name, (slices, (low, high))) in zip(axes, rows.items()):
        where = ", ".join(label for label, *_ in slices)
        for axis, (label, plane, extent, (first, second)) in zip(row, slices):
            image = axis.imshow(plane.T, origin="lower", extent=extent, cmap="viridis",
                                vmin=low, vmax=high, interpolation="nearest")
            axis.set_title(f"{name} on {label}")
            axis.set_xlabel(first)
            axis.set_ylabel(second)
        figure.colorbar(image, ax=list(row), shrink=0.9)
    figure.suptitle(f"{title}\nmid-plane slices {where}", fontsize=10)
    return save_figure(figure, path)
