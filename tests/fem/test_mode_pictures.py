"""Mode pictures that tell the truth: 3D slices go through the finite element function's
largest |u| (not the largest sample), 2D panels show the domain, its boundary conditions
and the field on one set of axes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pdekit.cli import main

CASES = Path(__file__).resolve().parents[2] / "cases"


def run_capturing_slices(monkeypatch, case: str, out: Path, *sets: str) -> dict[str, Any]:
    """Run an eigen case through the CLI; return the mesh, the modes and the slice centres
    that the picture used."""
    from pdekit.fem.output import modes3d

    seen: dict[str, Any] = {}
    original = modes3d.slice_values

    def spy(comm, mesh, gridfunctions, centers, *args, **kwargs):
        seen.update(mesh=mesh, gridfunctions=list(gridfunctions), centers=np.array(centers))
        return original(comm, mesh, gridfunctions, centers, *args, **kwargs)

    monkeypatch.setattr(modes3d, "slice_values", spy)
    args = [item for s in sets for item in ("--set", s)]
    assert main(["eig", str(CASES / case), "--out", str(out), "--quiet", *args]) == 0
    assert (out / "modes.png").exists()
    return seen


def largest_on_grid(mesh: Any, gf: Any, lower, upper, n: int) -> tuple[float, np.ndarray]:
    """The largest |u| of the GridFunction on an n³ grid of points in the domain."""
    axes = [np.linspace(lower[i], upper[i], n) for i in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
    points = mesh(grid[:, 0], grid[:, 1], grid[:, 2])
    inside = points["nr"] >= 0
    values = np.abs(np.asarray(gf(points[inside])).ravel())
    k = int(np.argmax(values))
    return float(values[k]), grid[inside][k]


def test_ball_mode_1_is_sliced_through_the_centre(tmp_path, monkeypatch):
    # P2 on maxh 0.5: every mesh vertex lies on the sphere (u = 0 there), yet the first
    # mode, j0(π r), is largest at the centre.
    seen = run_capturing_slices(monkeypatch, "eigen_ball.toml", tmp_path / "ball",
                                "mesh.maxh=0.5", "fem.order=2", "solver.nev=1",
                                "output.modes=0", "output.plot=1")
    center = seen["centers"][0]
    assert np.linalg.norm(center) < 0.02  # measured 3e-4
    mesh, gf = seen["mesh"], seen["gridfunctions"][0]
    top, _ = largest_on_grid(mesh, gf, (-1, -1, -1), (1, 1, 1), 21)  # holds the origin
    assert abs(gf(mesh(*center))) >= top * (1 - 1e-9)


def test_hp_graded_fichera_is_sliced_through_the_largest_value(tmp_path, monkeypatch):
    # Prisms and hexahedra of hp-grading at the re-entrant edges, tetrahedra elsewhere.
    seen = run_capturing_slices(monkeypatch, "eigen_fichera.toml", tmp_path / "fichera",
                                "mesh.maxh=0.5", "fem.order=2", "solver.nev=1",
                                "output.modes=0", "output.plot=1")
    mesh, gf, center = seen["mesh"], seen["gridfunctions"][0], seen["centers"][0]
    types = {str(el.type) for el in mesh.Elements()}
    assert {"ET.PRISM", "ET.TET"} <= types
    top, where = largest_on_grid(mesh, gf, (-1, -1, -1), (1, 1, 1), 41)
    # As large as the finest look at the function, and where that look finds it.
    assert abs(gf(mesh(*center))) >= top * (1 - 1e-9)
    assert np.linalg.norm(center - where) < 0.1  # grid spacing 0.05; measured 0.024


# ---------------------------------------------------------------- 2D panels

LSHAPE_EDGES = np.array([[(-1, -1), (0, -1)], [(0, -1), (0, 0)], [(0, 0), (1, 0)],
                         [(1, 0), (1, 1)], [(1, 1), (-1, 1)], [(-1, 1), (-1, -1)]], float)


def lshape_modes(eigen, nev: int, neumann: tuple[str, ...] = ()) -> tuple[Any, list, list]:
    """The L-shape (-1,1)² ∖ [0,1)×(-1,0], P3, hp-graded: mesh, eigenvalues, modes."""
    import ngsolve

    from pdekit.fem.solve.assembly import free_dof_vector_to_gridfunction
    from pdekit.fem.geometry.shapes2d import lshape

    values, (mesh, _, disc, result) = eigen(lshape(), order=3, maxh=0.5, nev=nev,
                                            neumann=neumann, tol=1e-10)
    modes = []
    for vector in result.vectors[:nev]:
        gf = ngsolve.GridFunction(disc.space)
        free_dof_vector_to_gridfunction(disc.space, vector, gf)
        modes.append(gf)
    return mesh, values, modes


def drawn(monkeypatch, *args, **kwargs) -> tuple[Any, list, np.ndarray]:
    """Call plot_modes, keep its figure: the figure, the mode panels, the RGBA pixels."""
    from pdekit.fem.output import modes_output
    from pdekit.output import plots

    saved = {}
    monkeypatch.setattr(plots, "save_figure", lambda figure, path: saved.setdefault("f", figure))
    modes_output.plot_modes(*args, **kwargs)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = saved["f"]
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    panels = [axis for axis in figure.axes if axis.get_title().startswith("mode")]
    return figure, panels, np.asarray(canvas.buffer_rgba())[..., :3] / 255.0


def pixel(figure: Any, panel: Any, pixels: np.ndarray, x: float, y: float) -> np.ndarray:
    column, row = panel.transData.transform((x, y))
    return pixels[int(round(figure.bbox.height - row)), int(round(column))]


def distance_to_lshape_boundary(points: np.ndarray) -> np.ndarray:
    a, b = LSHAPE_EDGES[:, 0], LSHAPE_EDGES[:, 1]
    t = np.clip(np.einsum("pkd,kd->pk", points[:, None] - a, b - a)
                / ((b - a) ** 2).sum(axis=1), 0, 1)
    nearest = a + t[..., None] * (b - a)
    return np.linalg.norm(points[:, None] - nearest, axis=2).min(axis=1)


def test_lshape_panels_show_the_domain_on_shared_axes(tmp_path, monkeypatch, eigen):
    from matplotlib import colormaps

    from pdekit.fem.output.modes_output import normalize_signs, sample_modes

    mesh, values, modes = lshape_modes(eigen, 3)
    points, triangles, samples = sample_modes(mesh, modes, 12)
    figure, panels, pixels = drawn(monkeypatch, tmp_path / "m.png", points, triangles,
                                   normalize_signs(samples), values, [1, 1, 1], "L")
    assert len(panels) == 3
    # The missing quadrant is a colour no value of the map takes; inside, the map's.
    diverging = colormaps["RdBu_r"](np.linspace(0, 1, 256))[:, :3]
    for panel in panels:
        outside = pixel(figure, panel, pixels, 0.5, -0.5)
        inside = pixel(figure, panel, pixels, -0.5, -0.5)
        assert np.abs(diverging - outside).max(axis=1).min() > 0.1
        assert np.abs(diverging - inside).max(axis=1).min() < 0.05
    # The outline: drawn lines along the boundary, of the L's perimeter 8.
    for panel in panels:
        length = 0.0
        for line in panel.get_lines():
            xy = np.asarray(line.get_xydata(), float)
            steps = np.linalg.norm(np.diff(xy, axis=0), axis=1)
            length += np.nansum(steps)
            assert distance_to_lshape_boundary(xy[np.isfinite(xy).all(axis=1)]).max() < 1e-9
        assert length == pytest.approx(8.0, rel=1e-9)
    # One set of axes: the same limits and the same box in every panel.
    assert len({(p.get_xlim(), p.get_ylim()) for p in panels}) == 1
    sizes = {(round(p.get_position().width, 6), round(p.get_position().height, 6))
             for p in panels}
    assert len(sizes) == 1
    # Mode 2 (odd about the diagonal y = -x) has one nodal line, from the re-entrant
    # corner to (-1, 1); the zero imposed on the Dirichlet edges draws none.
    contours = [c for c in panels[1].collections if type(c).__name__ == "TriContourSet"]
    assert contours
    vertices = np.concatenate([path.vertices for c in contours for path in c.get_paths()])
    on_boundary = distance_to_lshape_boundary(vertices) < 1e-6
    assert on_boundary.sum() <= 2  # its two ends, at most
    assert np.abs(vertices[:, 0] + vertices[:, 1]).max() < 0.1


def test_neumann_edges_dashed_and_picture_finely_sampled(tmp_path, monkeypatch, eigen):
    from pdekit.fem.output.modes_output import picture_samples

    mesh, values, modes = lshape_modes(eigen, 2, neumann=("edge1",))
    dirichlet = {"edge0", "edge2", "edge3", "edge4", "edge5"}
    points, triangles, samples, outline = picture_samples(None, mesh, modes, 3, dirichlet)
    # Fine enough to show a P3 field: sub-triangles under 1/50 of the width (2), where
    # the elements' own lattice (s = 3 on maxh 0.5) has 0.17.
    edges = points[triangles] - points[triangles[:, [1, 2, 0]]]
    assert np.linalg.norm(edges, axis=2).max() < 0.04
    # ... and the samples are the finite element function there.
    check = np.random.default_rng(1).choice(len(points), 40, replace=False)
    for k in check:
        assert abs(samples[0, k]) == pytest.approx(abs(modes[0](mesh(*points[k]))),
                                                   abs=1e-12)
    figure, panels, _ = drawn(monkeypatch, tmp_path / "m.png", points, triangles, samples,
                              values, [1, 1], "L", outline=outline)
    for panel in panels:
        styles = {line.get_linestyle(): np.asarray(line.get_xydata(), float)
                  for line in panel.get_lines()}
        assert set(styles) == {"-", "--"}
        dashed = styles["--"][np.isfinite(styles["--"]).all(axis=1)]
        assert np.abs(dashed[:, 0]).max() < 1e-12  # edge1: x = 0, -1 ≤ y ≤ 0
        assert dashed[:, 1].min() == pytest.approx(-1) and dashed[:, 1].max() == pytest.approx(0)
        # One polyline (dashes continue along the edge), not a piece per sub-segment.
        assert np.isnan(styles["--"][:, 0]).sum() == 1
    assert any("Neumann" in text.get_text() for legend in figure.legends
               for text in legend.get_texts())
