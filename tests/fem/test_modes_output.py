"""Mode sampling for ParaView/PNG: subdivided curved and hp (quad) elements cover the
domain exactly, and the sampled field is the FEM function."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pdekit.fem.geometry import make_shape
from pdekit.fem.mesh import build_mesh
from pdekit.fem.modes_output import normalize_signs, sample_modes

BASE = {"side": 1.0, "width": 1.0, "height": 1.0, "radius": 1.0, "center": [0.0, 0.0],
        "vertices": None, "edge_names": None, "file": None}


def area(points: np.ndarray, triangles: np.ndarray) -> float:
    a, b, c = (points[triangles[:, k]] for k in range(3))
    signed = 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
                    - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
    assert (signed > 0).all()  # every sub-triangle is properly oriented (no tangles)
    return float(signed.sum())


@pytest.mark.parametrize("curve, subdivision, tolerance", [(4, 4, 1e-5), (4, 1, 1e-2)])
def test_curved_disk_subdivision_covers_the_disk(curve, subdivision, tolerance):
    shape = make_shape({**BASE, "shape": "disk"})
    mesh, _ = build_mesh(shape, {"circle"}, maxh=0.4, refine=0, hp=False, hp_levels=0,
                         hp_factor=0.2, curve_order=curve)
    points, triangles, _ = sample_modes(mesh, [], subdivision)
    assert abs(area(points, triangles) - math.pi) < tolerance
    assert np.hypot(points[:, 0], points[:, 1]).max() == pytest.approx(1.0, abs=1e-12)


def test_hp_mesh_with_quads_and_field_values():
    import ngsolve

    shape = make_shape({**BASE, "shape": "lshape"})
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
