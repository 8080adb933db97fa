"""The shapes of a ``[domain]``: closed surfaces (their areas and Laplace–Beltrami
spectra), a surface mesh file, and a solid through the whole run."""

import math

import meshio
import numpy as np
import pytest

import pdekit
from pdekit.fe.modes import clusters, laplacian_modes
from pdekit.fe.surfaces import Ellipsoid, Torus
from tests.fe_turing.helpers import SPHERE, discretize


@pytest.mark.parametrize("surface, area", [
    (Torus((0.0, 0.0, 0.0), 1.0, 0.4), 4 * math.pi ** 2 * 0.4),
    (Ellipsoid((0.0, 0.0, 0.0), (1.0, 0.8, 0.5)), None),
])
def test_curved_surfaces_have_their_area(surface, area):
    disc = discretize(surface, 2, 0.2, surface=True)
    expected = area if area is not None else surface.area()
    # ellipsoid: Thomsen's formula is within 1.1 % of the exact area
    assert disc.measure == pytest.approx(expected, rel=2e-4 if area else 1.2e-2)


def test_sphere_spectrum_is_l_times_l_plus_one_with_multiplicities():
    disc = discretize(SPHERE, 2, 0.25, surface=True)
    values, _ = laplacian_modes(disc.M, disc.K, 16, neumann=True)
    groups = clusters(values)
    assert [len(g) for g in groups] == [1, 3, 5, 7]
    means = [float(np.mean(values[g])) for g in groups]
    np.testing.assert_allclose(means, [0.0, 2.0, 6.0, 12.0], rtol=1e-3, atol=1e-9)


def test_surface_mesh_file_runs_and_keeps_its_vertices(tmp_path):
    disc = discretize(SPHERE, 1, 0.3, surface=True)
    meshio.write(tmp_path / "ball.vtu", meshio.Mesh(disc.vertices, [("triangle",
                                                                       disc.triangles)]))
    case = {"case": {"kind": "turing", "name": "file"},
            "model": {"name": "schnakenberg", "parameters": {"Du": 0.0258, "Dv": 0.258}},
            "domain": {"shape": "surface", "file": str(tmp_path / "ball.vtu")},
            "initial": {"noise": "white", "std_u": 0.01, "std_v": 0.01},
            "time": {"method": "strang", "dt": 0.5, "T": 2.0},
            "output": {"every": 2.0, "png": False, "vtk": False}}
    result = pdekit.solve(case, out=False)
    np.testing.assert_allclose(result.points, disc.vertices)
    domain = result.results["domain"]
    assert domain["vertices"] == len(disc.vertices) and domain["curve_order"] == 0
    assert domain["measure"] == pytest.approx(4 * math.pi, rel=0.03)  # flat triangles


def test_ball_writes_tetrahedra_and_a_picture(tmp_path):
    case = {"case": {"kind": "turing", "name": "ball"},
            "model": {"name": "schnakenberg", "parameters": {"Du": 0.0258, "Dv": 0.258}},
            "domain": {"shape": "ball", "maxh": 0.5, "order": 2},
            "initial": {"noise": "white", "std_u": 0.01, "std_v": 0.01},
            "time": {"method": "ars443", "dt": 0.5, "T": 1.0},
            "output": {"every": 1.0}}
    result = pdekit.solve(case, out=tmp_path / "run")
    assert result.points.shape[1] == 3 and result.tetrahedra.shape[1] == 4
    assert result.results["domain"]["dim"] == 3
    assert result.results["domain"]["measure"] == pytest.approx(4 * math.pi / 3, rel=2e-3)
    mesh = meshio.read(tmp_path / "run" / "fields_00001.vtu")
    assert mesh.cells[0].type == "tetra" and len(mesh.point_data["u"]) == len(result.points)
    assert (tmp_path / "run" / "fields.png").is_file()


def test_p2_pictures_use_the_edge_nodes_on_the_curved_sphere():
    disc = discretize(SPHERE, 2, 0.4, surface=True)

    def area(points, triangles):
        corners = points[triangles]
        return 0.5 * np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0],
                                             corners[:, 2] - corners[:, 0]), axis=1).sum()

    assert len(disc.node_triangles) == 4 * len(disc.triangles)
    assert np.unique(disc.node_triangles).size == disc.ndof  # every node is drawn
    np.testing.assert_allclose(np.linalg.norm(disc.nodes, axis=1), 1.0, atol=2e-3)
    flat, finer = (abs(area(p, t) / (4 * math.pi) - 1) for p, t in
                   ((disc.vertices, disc.triangles), (disc.nodes, disc.node_triangles)))
    assert finer < flat / 3, (flat, finer)
