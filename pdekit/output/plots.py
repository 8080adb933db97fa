"""PNG plots and animations of 2D fields on a rectangle (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write ``figure`` as a PNG and release it (pyplot keeps open figures alive)."""
    figure.savefig(path, dpi=dpi)
    pyplot().close(figure)
    return Path(path)


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
        Figure title.
    path
        PNG file to write.
    """
    plt = pyplot()
    count = len(fields)
    figure, axes = plt.subplots(1, count, figsize=(4.6 * count, 4.2), squeeze=False)
    for axis, (name, data) in zip(axes[0], fields.items()):
        image = axis.imshow(np.asarray(data).T, origin="lower", extent=extent, cmap="viridis",
                            interpolation="nearest")
        axis.set_title(name)
        axis.set_xlabel("x")
        axis.set_ylabel("y")
        figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path)


def save_animation(frames: Sequence[tuple[float, np.ndarray]], extent: Sequence[float],
                   label: str, path: str | Path, fps: int = 8) -> Path:
    """Animate snapshots ``(t, field)`` of one field as GIF (Pillow) or MP4 (ffmpeg).

    The colour range is fixed over the whole run so that growth is visible.
    """
    plt = pyplot()
    from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter

    path = Path(path)
    low = min(float(np.min(f)) for _, f in frames)
    high = max(float(np.max(f)) for _, f in frames)
    figure, axis = plt.subplots(figsize=(5, 4.4))
    image = axis.imshow(frames[0][1].T, origin="lower", extent=extent, cmap="viridis",
                        vmin=low, vmax=high, interpolation="nearest")
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04)
    heading = axis.set_title("")

    def draw(index: int):
        t, data = frames[index]
        image.set_data(data.T)
        heading.set_text(f"{label}, t = {t:.4g}")
        return image, heading

    animation = FuncAnimation(figure, draw, frames=len(frames), blit=False)
    writer = PillowWriter(fps=fps) if path.suffix == ".gif" else FFMpegWriter(fps=fps)
    animation.save(path, writer=writer, dpi=80)
    plt.close(figure)
    return path
