"""PNG plots of a PINN run: the solution and its error, the PDE residual, the training history.

Signed quantities (error, residual) use a diverging colour map centred at zero with
symmetric limits, so that white is "exact" and the sign reads at a glance; colour bars are
attached to their panel (:func:`mpl_toolkits.axes_grid1.make_axes_locatable`), so they
have its height on any domain. In 1D the network's ``u`` and the exact solution share one
axis, with the error below.

The history figure has one panel per stage, each with its own iteration axis (a first-order
stage runs thousands of cheap steps, a Gauss-Newton stage tens of expensive ones: on one
iteration axis either is squeezed to nothing), over a common log loss axis; below, the
whole run against wall time, the common measure of cost, with the stages as labelled bands.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from pdekit.output.plots import pyplot, save_figure

SIGNED_MAP = "RdBu_r"
"""Diverging colour map of signed fields (blue negative, red positive)."""
FIELD_MAP = "viridis"
PANEL_INCHES = 4.0
"""Size of the longer side of a 2D panel."""
MAX_ASPECT = 4.0
"""Domains more elongated than this are drawn stretched (aspect 'auto') rather than thin."""
SERIES = (("loss", "loss (total)", "black", "-"),
          ("loss_pde", "PDE term mean (Δu − f)²", "tab:blue", "-"),
          ("loss_boundary", "boundary term γ mean (u − g)²", "tab:orange", "-"),
          ("rel_l2", "relative L2 error", "tab:red", "--"))
"""History columns drawn: column, label, colour, line style."""
BAND_COLOURS = ("#e8eef7", "#f6ece0")
CLIP_PERCENTILE = 99.0
"""The residual's colour scale ends at this percentile of |Δu − f|: a PINN's residual
peaks in a few boundary points (±12 where 99 % of the grid is under 0.11), and a scale
set by those shows the rest of the domain as white."""


def wrap_title(title: str, inches: float) -> list[str]:
    """The lines of ``title`` wrapped to a figure ``inches`` wide (10-point text)."""
    columns = max(40, int(inches * 12))
    return [part for line in title.splitlines()
            for part in textwrap.wrap(line, columns, break_on_hyphens=False)]


def suptitle(figure: Any, title: str) -> None:
    """The figure's title, its lines wrapped to the figure's width."""
    figure.suptitle("\n".join(wrap_title(title, figure.get_figwidth())), fontsize=10)


def clipped_limit(data: np.ndarray) -> tuple[float, str]:
    """Half-range of a colour scale centred at 0 holding :data:`CLIP_PERCENTILE` % of the
    finite values, and the colour bar's label saying so (with the largest |value|)."""
    finite = np.abs(np.asarray(data, float))
    finite = finite[np.isfinite(finite)]
    largest = symmetric_limit(finite)
    limit = float(np.percentile(finite, CLIP_PERCENTILE)) if finite.size else 0.0
    if not limit > 0 or limit >= largest:
        return largest, ""
    return limit, (f"clipped at ±{limit:.3g}, the {CLIP_PERCENTILE:g}th percentile of |·| "
                   f"(max {largest:.3g})")


def symmetric_limit(data: np.ndarray) -> float:
    """Half-range of a colour or y scale centred at 0 that holds every finite value."""
    finite = np.abs(np.asarray(data, float))
    finite = finite[np.isfinite(finite)]
    largest = float(finite.max()) if finite.size else 0.0
    return largest if largest > 0 else 1.0


# ------------------------------------------------------------------ fields


def save_solution(axes: Sequence[np.ndarray], u: np.ndarray, exact: np.ndarray | None,
                  title: str, path: str | Path, outline: Any = None) -> Path:
    """``u`` (and the exact solution and the signed error ``u - exact`` when known).

    Fields are NaN outside the domain (left blank); a 2D ``outline`` domain has its
    boundary drawn; 3D fields are shown on the three mid-planes of the box.
    """
    if len(axes) == 1:
        return _solution_1d(axes[0], u, exact, title, path)
    panels = [("u (network)", u, "field")]
    if exact is not None:
        panels += [("exact", exact, "field"), ("error u − exact", u - exact, "signed")]
    if len(axes) == 3:
        return _slices(axes, panels, title, path)
    return _maps(axes, panels, title, path, outline)


def save_residual(axes: Sequence[np.ndarray], residual: np.ndarray, title: str,
                  path: str | Path, outline: Any = None) -> Path:
    """The PDE residual ``Laplacian(u) - f`` on the evaluation grid."""
    name = "PDE residual Δu − f"
    if len(axes) == 3:
        return _slices(axes, [(name, residual, "clipped")], title, path)
    if len(axes) == 2:
        return _maps(axes, [(name, residual, "clipped")], title, path, outline)
    plt = pyplot()
    figure, panel = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
    _signed_line(panel, axes[0], residual, name)
    suptitle(figure, title)
    return save_figure(figure, path)


def _signed_line(panel: Any, x: np.ndarray, values: np.ndarray, label: str) -> None:
    panel.axhline(0.0, color="grey", lw=0.8)
    panel.plot(x, values, color="tab:red", lw=1.2)
    limit = symmetric_limit(values)
    panel.set_ylim(-1.08 * limit, 1.08 * limit)
    panel.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    panel.set_title(label)
    panel.set_xlabel("x")
    panel.grid(True, alpha=0.3)


def _solution_1d(x: np.ndarray, u: np.ndarray, exact: np.ndarray | None, title: str,
                 path: str | Path) -> Path:
    plt = pyplot()
    rows = 1 if exact is None else 2
    figure, panels = plt.subplots(rows, 1, figsize=(7.5, 3.0 * rows + 0.9), sharex=True,
                                  squeeze=False, layout="constrained")
    top = panels[0, 0]
    top.plot(x, u, color="tab:blue", lw=2.2, label="u (network)")
    if exact is not None:
        top.plot(x, exact, color="black", lw=1.1, ls="--", label="exact")
        _signed_line(panels[1, 0], x, u - exact, "error u − exact")
    top.set_title("solution")
    top.legend()
    top.grid(True, alpha=0.3)
    panels[-1, 0].set_xlabel("x")
    suptitle(figure, title)
    return save_figure(figure, path)


def _scale(panels: Sequence[tuple[str, np.ndarray, str]]) -> list[dict[str, Any]]:
    """Colour scale of each panel: ``"field"`` panels share one range, ``"signed"`` panels
    are centred at 0, ``"clipped"`` ones too, over :data:`CLIP_PERCENTILE` % of their
    values."""
    fields = [np.asarray(data) for _, data, kind in panels if kind == "field"]
    low = min((float(np.nanmin(f)) for f in fields), default=0.0)
    high = max((float(np.nanmax(f)) for f in fields), default=1.0)
    out = []
    for _, data, kind in panels:
        if kind == "signed":
            limit = symmetric_limit(data)
            out.append({"cmap": SIGNED_MAP, "vmin": -limit, "vmax": limit})
        elif kind == "clipped":
            limit, _ = clipped_limit(data)
            out.append({"cmap": SIGNED_MAP, "vmin": -limit, "vmax": limit})
        else:
            out.append({"cmap": FIELD_MAP, "vmin": low, "vmax": high})
    return out


def _colour_bar(figure: Any, image: Any, data: np.ndarray, kind: str, **where: Any) -> Any:
    """The panel's colour bar; a clipped scale says so on it, and it ends in arrows."""
    label = clipped_limit(data)[1] if kind == "clipped" else ""
    bar = figure.colorbar(image, extend="both" if label else "neither", **where)
    if label:
        bar.set_label(label, fontsize=8)
    return bar


def draw_outline(panel: Any, domain: Any) -> None:
    """The boundary of a 2D domain (its segments and arcs) as black lines."""
    for _, piece in getattr(domain, "pieces", ()):
        curve = piece.at(np.linspace(0.0, 1.0, 2 if hasattr(piece, "normal") else 200))
        panel.plot(curve[:, 0], curve[:, 1], color="black", lw=1.0)


def _slices(axes: Sequence[np.ndarray], panels: Sequence[tuple[str, np.ndarray, str]],
            title: str, path: str | Path) -> Path:
    """3D fields ``[i, j, k]`` on the mid-planes x, y, z = middle of the box: one row per
    field, one column per plane (NaN outside the domain left blank)."""
    plt = pyplot()
    middle = [len(a) // 2 for a in axes]
    names = "xyz"
    figure, grid = plt.subplots(len(panels), 3, squeeze=False,
                                figsize=(3 * (PANEL_INCHES + 0.6), len(panels) * 3.6 + 1.2),
                                layout="constrained")
    for row, ((name, data, kind), scale) in enumerate(zip(panels, _scale(panels))):
        for column in range(3):
            first, second = [k for k in range(3) if k != column]
            plane = np.take(np.asarray(data), middle[column], axis=column)
            panel = grid[row, column]
            image = panel.imshow(plane.T, origin="lower", interpolation="nearest",
                                 extent=(axes[first][0], axes[first][-1], axes[second][0],
                                         axes[second][-1]), **scale)
            panel.set_title(f"{name}, {names[column]} = {axes[column][middle[column]]:.3g}",
                            fontsize=9)
            panel.set_xlabel(names[first])
            panel.set_ylabel(names[second])
            _colour_bar(figure, image, data, kind, ax=panel, shrink=0.85)
    suptitle(figure, title)
    return save_figure(figure, path)


def _maps(axes: Sequence[np.ndarray], panels: Sequence[tuple[str, np.ndarray, str]],
          title: str, path: str | Path, outline: Any = None) -> Path:
    """Colour maps of 2D fields indexed ``[i, j]`` (i along x): ``"field"`` panels share one
    colour range, ``"signed"`` and ``"clipped"`` panels are centred at 0 (see
    :func:`_scale`); ``outline``: a domain whose
    boundary is drawn."""
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    plt = pyplot()
    x, y = axes
    extent = (x[0], x[-1], y[0], y[-1])
    ratio = (y[-1] - y[0]) / (x[-1] - x[0])
    stretched = not 1.0 / MAX_ASPECT <= ratio <= MAX_ASPECT
    shown = min(max(ratio, 1.0 / MAX_ASPECT), MAX_ASPECT)
    width, height = ((PANEL_INCHES, PANEL_INCHES * shown) if shown <= 1
                     else (PANEL_INCHES / shown, PANEL_INCHES))
    inches = max(len(panels) * (width + 1.6), 6.5)
    title_lines = len(wrap_title(title, inches))
    figure, row = plt.subplots(1, len(panels), squeeze=False,
                               figsize=(inches, height + 1.5 + 0.2 * title_lines))
    for panel, (name, data, kind), scale in zip(row[0], panels, _scale(panels)):
        image = panel.imshow(np.asarray(data).T, origin="lower", extent=extent,
                             interpolation="nearest", aspect="auto" if stretched else "equal",
                             **scale)
        if outline is not None:
            draw_outline(panel, outline)
        panel.set_title(name)
        panel.set_xlabel("x")
        panel.set_ylabel("y")
        bar_axis = make_axes_locatable(panel).append_axes("right", size="5%", pad=0.08)
        bar = _colour_bar(figure, image, data, kind, cax=bar_axis)
        bar.formatter.set_powerlimits((-2, 3))
        bar.update_ticks()
    suptitle(figure, title)
    figure.tight_layout()
    return save_figure(figure, path)


# ------------------------------------------------------------------ history


def _column(entries: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    """A history column as floats, with None and non-positive values (not on a log axis)
    as NaN."""
    values = np.array([np.nan if h.get(key) is None else h[key] for h in entries], float)
    values[~(values > 0)] = np.nan
    return values


def _draw_series(panel: Any, x: np.ndarray, entries: Sequence[Mapping[str, Any]],
                 markers: bool) -> None:
    """The loss terms and the error; with the boundary built into the network (no boundary
    term) the loss is the PDE term and is drawn once."""
    penalty = np.isfinite(_column(entries, "loss_boundary")).any()
    for key, label, colour, style in SERIES:
        values = _column(entries, key)
        if key == "loss" and not penalty:
            continue
        if key == "loss_pde" and not penalty:
            label = f"loss = {label} (boundary built in)"
        if np.isfinite(values).any():
            panel.semilogy(x, values, color=colour, ls=style, label=label,
                           lw=1.0 if key == "loss" else 1.4, zorder=3 if key == "loss" else 2,
                           marker="." if markers else None, ms=3)


def save_history(history: Sequence[Mapping[str, Any]], title: str, path: str | Path
                 ) -> Path | None:
    """Loss terms and error per stage (own iteration axis each) and against wall time.

    ``history`` holds the entries of :data:`pdekit.pinn.training.HISTORY_COLUMNS`; stage 0
    is the initial weights. Each stage's panel starts from the entry before its first one.
    Without a training stage (an evaluation of saved weights) there is no history to
    draw: nothing is written and ``None`` returned.
    """
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    numbers = sorted({h["stage"] for h in history if h["stage"] > 0})
    if not numbers:
        return None
    columns = len(numbers)
    figure = plt.figure(figsize=(max(10.0, 3.4 * columns), 7.8), layout="constrained")
    grid = figure.add_gridspec(2, columns, height_ratios=(1.0, 0.9))
    spans = []
    first = None
    for column, number in enumerate(numbers):
        indices = [i for i, h in enumerate(history) if h["stage"] == number]
        before = [history[indices[0] - 1]] if indices[0] > 0 else []
        entries = before + [history[i] for i in indices]
        steps = np.array([0] * len(before) + [history[i]["stage_iteration"] for i in indices],
                         float)
        panel = figure.add_subplot(grid[0, column], sharey=first)
        first = first or panel
        _draw_series(panel, steps, entries, markers=len(entries) <= 60)
        method = history[indices[0]]["method"]
        seconds = entries[-1]["time"] - entries[0]["time"]
        panel.set_title(f"stage {number}: {method}\n{int(steps[-1])} iterations, "
                        f"{seconds:.3g} s", fontsize=10)
        panel.set_xlabel("iteration in stage")
        panel.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        panel.set_xlim(0, max(steps[-1], 1))
        panel.grid(True, which="major", alpha=0.3)
        if column:
            panel.tick_params(labelleft=False)
        spans.append((entries[0]["time"], entries[-1]["time"], f"{number}: {method}"))
    first.set_ylabel("loss terms, error")
    timeline = figure.add_subplot(grid[1, :])
    times = np.array([h["time"] for h in history], float)
    _draw_series(timeline, times, history, markers=False)
    for index, (start, end, label) in enumerate(spans):
        timeline.axvspan(start, end, color=BAND_COLOURS[index % 2], zorder=0)
        timeline.text((start + end) / 2, 0.97, label, transform=timeline.get_xaxis_transform(),
                      ha="center", va="top", fontsize=9, clip_on=True)
    timeline.set_xlim(times[0], max(times[-1], times[0] + 1e-3))
    timeline.set_xlabel("wall time since training began [s]")
    timeline.set_ylabel("loss terms, error")
    timeline.grid(True, which="major", alpha=0.3)
    handles, labels = timeline.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=9,
                  frameon=False)
    suptitle(figure, title)
    return save_figure(figure, path)
