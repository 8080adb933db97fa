"""PNG plots of a PINN run: fields on the evaluation grid and the training history."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from pdekit.output.plots import pyplot, save_fields_png, save_figure


def save_fields(axes: Sequence[np.ndarray], fields: Mapping[str, np.ndarray], title: str,
                path: str | Path) -> Path:
    """Colour maps (2D) or line plots (1D) of fields on the evaluation grid."""
    if len(axes) == 2:
        extent = (axes[0][0], axes[0][-1], axes[1][0], axes[1][-1])
        return save_fields_png(fields, extent, title, path)
    plt = pyplot()
    count = len(fields)
    figure, panels = plt.subplots(1, count, figsize=(4.6 * count, 3.6), squeeze=False)
    for panel, (name, data) in zip(panels[0], fields.items()):
        panel.plot(axes[0], data)
        panel.set_title(name)
        panel.set_xlabel("x")
        panel.grid(True, alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path)


def save_history(history: Sequence[Mapping[str, Any]], path: str | Path, title: str) -> Path:
    """Loss and relative L2 error against iteration and wall time, stages shaded."""
    plt = pyplot()
    iters = np.array([h["iteration"] for h in history], float)
    times = np.array([h["time"] for h in history], float)
    loss = np.array([h["loss"] for h in history], float)
    err = np.array([np.nan if h["rel_l2"] is None else h["rel_l2"] for h in history], float)
    stages = [h["stage"] for h in history]
    figure, panels = plt.subplots(1, 2, figsize=(11, 4))
    for panel, x, label in ((panels[0], np.maximum(iters, 1), "iteration"),
                            (panels[1], times, "wall time [s]")):
        panel.loglog(x, loss, label="loss") if label == "iteration" else \
            panel.semilogy(x, loss, label="loss")
        if np.isfinite(err).any():
            panel.plot(x, err, label="relative L2 error")
        starts = [i for i in range(1, len(stages)) if stages[i] != stages[i - 1]]
        for i in starts:
            panel.axvline(x[i - 1], color="grey", lw=0.8, ls="--")
        panel.set_xlabel(label)
        panel.grid(True, which="both", alpha=0.3)
        panel.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return save_figure(figure, path)
