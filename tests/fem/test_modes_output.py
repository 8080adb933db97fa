"""Mode sampling for ParaView/PNG: subdivided curved and hp (quad) elements cover the
domain exactly, and the sampled field is the FEM function."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pdekit.fem.geometry.shapes2d import disk, lshape
from pdekit.fem.geometry.mesh import build_mesh
from pdekit.fem.output.modes_output import normalize_signs, sample_modes

def area(points: np.ndarray, triangles: np.ndarray) -> float:
    a, b, c = (points[triangles[:, k]] for k in range(3))
    signed = 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
                    - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
    assert (signed > 0).all()  # every sub-triangle is properly oriented (no tangles)
    return float(signed.sum())


def disk_area_error(curve: int, subdivision: int) -> float:
    shape = disk(1.0, (0.0, 0.0))
    mesh, _ = build_mesh(shape, {"circle"}, maxh=0.4, refine=0, hp=False, hp_levels=0,
                         hp_factor=0.2, curve_order=curve)
    points, triangles, _ = sample_modes(mesh, [], subdivision)
    assert np.hypot(points[:, 0], points[:, 1]).max() == pytest.approx(1.0, abs=1e-4)
    return math.pi - area(points, triangles)


def test_curved_disk_subdivision_converges_to_the_disk():
    # Curved (order 4) elements: sub-triangle vertices lie on the circle, so the drawn
    # area approaches π like (h/s)² as the subdivision s grows.
    curved = [disk_area_error(4, s) for s in (2, 4, 8)]
    assert all(e > 0 for e in curved)
    assert curved[1] < curved[0] / 3.5 and curved[2] < curved[1] / 3.5
    # Straight elements: subdividing does not help; the polygon area stays.
    straight = [disk_area_error(1, s) for s in (2, 8)]
    assert straight[1] == pytest.approx(straight[0], rel=1e-9)
    assert curved[2] < straight[1] / 10


def test_hp_mesh_with_quads_and_field_values():
    import ngsolve

    shape = lshape()
    mesh, info = build_mesh(shape, set(shape.boundaries), maxh=0.5, refine=0, hp=True,
                            hp_levels=4, hp_factor=0.2, curve_order=0)
    kinds = {str(el.type) for el in mesh.Elements(ngsolve.VOL)}
    assert "ET.QUAD" in kinds and info.hp_levels == 4
    space = ngsolve.H1(mesh, order=3)
    gf = ngsolve.GridFunction(space)
    gf.Set(ngsolve.x ** 2 - ngsolve.y)  # in the P3 space: sampled exactly
    points, triangles, values = sample_modes(mesh, [gf], 3)
    assert area(points, triangles) == pytest.approx(3.0, abs=1e-12)
    assert values[0] == pytest.approx(points[:, 0] ** 2 - points[:, 1], abs=1e-10)
    flipped = normalize_signs(-values)
    assert flipped[0][np.argmax(np.abs(flipped[0]))] > 0


def test_pictures_and_vtu_field_data(tmp_path):
    """modes.png has one panel per computed mode (no empty ones) with λ, multiplicity and
    nodal lines; each .vtu carries λ and the multiplicity as VTK field data."""
    import json

    import vtk

    from pdekit.cli import main

    out = tmp_path / "square"
    assert main(["eig", "cases/eigen_square.toml", "--out", str(out), "--quiet",
                 "--set", "mesh.maxh=0.25", "--set", "solver.nev=5",
                 "--set", "output.modes=5"]) == 0
    results = json.loads((out / "summary.json").read_text())["results"]
    assert len(results["eigenvalues"]) == 5
    from PIL import Image

    image = Image.open(out / "modes.png")
    assert image.size[0] > image.size[1]  # 2 rows of 3 and 2 panels, the empty one removed
    for k, value in enumerate(results["eigenvalues"]):
        reader = vtk.vtkXMLUnstructuredGridReader()
        reader.SetFileName(str(out / f"mode_{k + 1:02d}.vtu"))
        reader.Update()
        fields = reader.GetOutput().GetFieldData()
        assert fields.GetArray("eigenvalue").GetValue(0) == pytest.approx(value, rel=1e-14)
        cluster = next(c for c in results["clusters"] if k in c["indices"])
        assert fields.GetArray("multiplicity").GetValue(0) == cluster["multiplicity"]
        assert reader.GetOutput().GetPointData().GetArray("u").GetNumberOfTuples() > 0


def test_mode_panels_titles_and_nodal_lines(tmp_path, monkeypatch):
    """Drawn directly: the figure's axes, titles and zero contours."""
    import matplotlib

    from pdekit.fem.output import modes_output
    from pdekit.output import plots

    saved = {}
    monkeypatch.setattr(plots, "save_figure", lambda figure, path: saved.setdefault("f", figure))
    x, y = np.meshgrid(np.linspace(0, 1, 9), np.linspace(0, 1, 9))
    points = np.column_stack([x.ravel(), y.ravel()])
    triangulation = matplotlib.tri.Triangulation(points[:, 0], points[:, 1])
    values = np.array([np.sin(np.pi * points[:, 0]) * np.sin(m * np.pi * points[:, 1])
                       for m in (1, 2, 2, 3, 4)])
    eigenvalues = [np.pi ** 2 * (1 + m * m) for m in (1, 2, 2, 3, 4)]
    modes_output.plot_modes(tmp_path / "m.png", points, triangulation.triangles, values,
                            eigenvalues, [1, 2, 2, 1, 1], "test", over_pi2=True)
    figure = saved["f"]
    panels = [axis for axis in figure.axes if axis.get_title()]
    assert len(panels) == 5  # one per mode, none empty
    assert panels[1].get_title().startswith("mode 2: λ = 49.348022 = 5.0000 π²")
    assert "double" in panels[1].get_title() and "simple" in panels[0].get_title()
    assert panels[0].get_xlabel() == "x" and panels[0].get_ylabel() == "y"
    assert not panels[0].collections[1:]           # no sign change: no nodal line
    assert len(panels[1].collections) == 2         # the field and its nodal line


def test_3d_sampling_merges_bitwise_identical_points_only():
    from pdekit.fem.output.modes3d import merge_duplicate_points

    # Two tetrahedra sharing the face (1, 2, 3), sampled element by element: 8 points, 5
    # distinct; a sixth point one ulp off a vertex stays a point of its own.
    a = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    b = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    near = [[np.nextafter(1.0, 2.0), 0.0, 0.0]]
    points = np.array(a + b + near)
    tetrahedra = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 5, 6, 7]])
    values = np.array([points @ [1.0, 2.0, 3.0]])  # a continuous field
    merged, renumbered, merged_values = merge_duplicate_points(points, tetrahedra, values)
    assert len(merged) == 6
    np.testing.assert_array_equal(merged[renumbered], points[tetrahedra])
    np.testing.assert_array_equal(merged_values[0][renumbered], values[0][tetrahedra])
    empty = merge_duplicate_points(np.zeros((0, 3)), np.zeros((0, 4), dtype=int),
                                   np.zeros((1, 0)))
    assert len(empty[0]) == 0
