"""3D geometries: shapes, face names, singular edges, hp-grading and Laplace eigenvalues.

Each eigenvalue test assembles −Δ on H1 of order p with NGSolve, restricts to the free
dofs and solves with ``scipy.sparse.linalg.eigsh`` in shift-and-invert mode. Tolerances
are about 3× the errors measured with NGSolve 6.2.2608 on these meshes (see comments).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pytest

pytest.importorskip("ngsolve")

from pdekit.fem.geometry.csg3d import Difference, Union  # noqa: E402
from pdekit.fem.geometry.shapes3d import Ball, Box, Cylinder, Fichera, Prism  # noqa: E402
from pdekit.fem.geometry.mesh import MeshFileError, build_mesh  # noqa: E402
from pdekit.fem.geometry.mesh3d import read_mesh_file  # noqa: E402
from pdekit.fem.geometry.solids import solid  # noqa: E402


def mesh_boundaries(ngmesh):
    """Boundary names of a loaded mesh, sorted, without repeats."""
    import ngsolve

    return sorted({name for name in ngsolve.Mesh(ngmesh).GetBoundaries() if name})


def build_mesh3d(shape, *, maxh, dirichlet=None, refine=0, hp=False, hp_levels=2,
                 hp_factor=0.125, curve_order=0):
    """A serial mesh of a 3D shape through pdekit's mesher (all faces alike by default)."""
    domain = solid(shape)
    faces = set(domain.boundaries if dirichlet is None else dirichlet)
    return build_mesh(domain, faces, maxh=maxh, refine=refine, hp=hp, hp_levels=hp_levels,
                      hp_factor=hp_factor, curve_order=curve_order)

PI2 = math.pi ** 2
J1_ZERO = 4.493409457909064  # first positive zero of the spherical Bessel function j_1
J0_ZERO = 2.404825557695773  # first positive zero of the Bessel function J_0
FICHERA_LAMBDA1 = 10.5321
"""Dirichlet λ1 of (−1,1)³ ∖ [0,1)³, self-converged here (no published value found):
coarse mesh (maxh 0.5) with hp-grading toward the re-entrant edges/vertex, factor 0.125,
levels = p: P3 10.536532, P4 10.532598, P5 10.532154 (P4 with 5 levels: 10.532597, so the
grading is saturated and the error is the p-error away from the singularity). Differences
shrink ~9× per order; geometric extrapolation gives 10.53210, so 10.5321 ± 1e-4."""


def eigenvalues(mesh: Any, order: int, dirichlet: Sequence[str], nev: int) -> np.ndarray:
    """The ``nev`` smallest eigenvalues of −Δ on H1(order), Dirichlet on ``dirichlet``."""
    import ngsolve
    import scipy.sparse as sp
    from ngsolve import dx, grad
    from scipy.sparse.linalg import eigsh

    pattern = "|".join(f"^{re.escape(n)}$" for n in dirichlet)
    space = (ngsolve.H1(mesh, order=order, dirichlet=pattern) if pattern
             else ngsolve.H1(mesh, order=order))
    u, v = space.TnT()
    forms = [ngsolve.BilinearForm(grad(u) * grad(v) * dx), ngsolve.BilinearForm(u * v * dx)]
    free = np.flatnonzero(np.array(space.FreeDofs()))
    matrices = []
    for form in forms:
        rows, cols, values = form.Assemble().mat.COO()
        full = sp.csr_matrix((np.array(values), (np.array(rows), np.array(cols))),
                             shape=(space.ndof, space.ndof))
        matrices.append(full[free][:, free])
    A, M = matrices
    sigma = 0.0 if pattern else -1.0  # Neumann: A is singular
    return np.sort(eigsh(A, k=nev, M=M, sigma=sigma, return_eigenvectors=False))


def rel(values: np.ndarray, exact: Sequence[float]) -> np.ndarray:
    return np.abs(values - np.asarray(exact)) / np.asarray(exact)


# ---------------------------------------------------------------- shapes and validation

def test_face_names() -> None:
    assert Box().boundaries == sorted(["left", "right", "front", "back", "bottom", "top"])
    assert Ball().boundaries == ["sphere"]
    assert Cylinder().boundaries == ["bottom", "side", "top"]
    assert set(Fichera().boundaries) == {"left", "right", "front", "back", "bottom", "top",
                                         "notch_x", "notch_y", "notch_z"}
    cut = Difference(Box((-1, -1, -1), (2, 2, 2)), (Ball((1, 1, 1), 0.5),))
    assert set(cut.boundaries) == {"left", "right", "front", "back", "bottom", "top",
                                   "sphere"}
    assert cut.curved and not Box().curved


def _face_of(shape: Any, name: str) -> tuple[float, float, float]:
    centers = [tuple(f.center) for f in shape.occ_shape().faces if f.name == name]
    assert len(centers) == 1
    return centers[0]


def test_prism_names_follow_user_order_in_both_orientations() -> None:
    ccw = Prism(((0, 0), (1, 0), (1, 1), (0, 1)))
    cw = Prism(((0, 0), (0, 1), (1, 1), (1, 0)), edge_names=("w", "n", "e", "s"))
    assert np.allclose(_face_of(ccw, "edge0"), (0.5, 0, 0.5))  # y = 0
    assert np.allclose(_face_of(ccw, "edge1"), (1, 0.5, 0.5))  # x = 1
    assert np.allclose(_face_of(cw, "w"), (0, 0.5, 0.5))
    assert np.allclose(_face_of(cw, "n"), (0.5, 1, 0.5))
    assert np.allclose(_face_of(cw, "e"), (1, 0.5, 0.5))
    assert np.allclose(_face_of(cw, "s"), (0.5, 0, 0.5))
    assert np.allclose(_face_of(cw, "top"), (0.5, 0.5, 1))


@pytest.mark.parametrize("make, phrase", [
    (lambda: Box(sizes=(1, -1, 1)), "positive finite"),
    (lambda: Box(corner=(0, math.inf, 0)), "finite numbers"),
    (lambda: Ball(radius=0), "positive finite"),
    (lambda: Cylinder(height=math.nan), "positive finite"),
    (lambda: Fichera(half=-1), "positive finite"),
    (lambda: Prism(((0, 0), (3, 0), (3, 2), (1, -1), (0, 2))), "simple"),
    (lambda: Prism(((0, 0), (1, 0), (2, 0))), "non-zero area"),
    (lambda: Prism(((0, 0), (1, 0))), "at least 3"),
    (lambda: Prism(((0, 0), (1, 0), (0, 1)), edge_names=("a", "b")), "3 non-empty names"),
    (lambda: Prism(((0, 0), (1, 0), (0, 1)), height=0), "positive finite"),
    (lambda: Union((Box(),)), "at least two"),
    (lambda: Difference(Box(), ("box",)), "Box, Ball, Cylinder"),
    (lambda: Difference(Box(), (Box((-1, -1, -1), (3, 3, 3)),)).occ_shape(), "non-empty"),
])
def test_invalid_input(make: Any, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        make()


def test_singular_edges_and_vertices() -> None:
    edges = Fichera().singular_edges()
    assert len(edges) == 3
    for e in edges:
        assert e.angle == pytest.approx(1.5 * math.pi, rel=1e-6)
        assert (0.0, 0.0, 0.0) in (tuple(np.round(e.start, 12)), tuple(np.round(e.end, 12)))
        assert sorted(np.abs(e.midpoint))[:2] == pytest.approx([0, 0], abs=1e-12)
    assert np.allclose(Fichera().singular_vertices(), [(0, 0, 0)])
    lprism = Prism(((-1, -1), (0, -1), (0, 0), (1, 0), (1, 1), (-1, 1)))
    (edge,) = lprism.singular_edges()
    assert edge.faces == ("edge1", "edge2") and np.allclose(edge.midpoint, (0, 0, 0.5))
    assert lprism.singular_vertices() == []
    for shape in (Box(), Ball(), Cylinder(), Prism(((0, 0), (1, 0), (0, 1)))):
        assert shape.singular_edges() == []
    # Mixed conditions: a right-angle edge between Dirichlet and Neumann is smooth.
    assert Box().singular_edges(dirichlet={"left"}) == []
    # An L made by CSG has the same single re-entrant edge.
    ell = Union((Box((0, 0, 0), (2, 1, 1)), Box((0, 0, 0), (1, 2, 1))))
    assert [np.round(e.midpoint, 9).tolist() for e in ell.singular_edges()] == [[1, 1, 0.5]]


# ---------------------------------------------------------------- eigenvalues

@pytest.fixture(scope="module")
def cube_mesh() -> Any:
    return build_mesh3d(Box(), maxh=0.25)[0]


def test_unit_cube_dirichlet(cube_mesh: Any) -> None:
    lam = eigenvalues(cube_mesh, 4, Box().boundaries, 5)
    # measured (P4, maxh 0.25, 3425 dofs): 6.8e-7, then 6.5e-6 .. 8.8e-6
    assert rel(lam[:4], [3 * PI2] + [6 * PI2] * 3).max() < 3e-5
    assert rel(lam[:1], [3 * PI2])[0] < 3e-6
    assert np.sum(np.abs(lam / (6 * PI2) - 1) < 1e-3) == 3  # multiplicity 3
    assert lam[4] > 8.9 * PI2  # next: 9π² (×3)


def test_unit_cube_neumann(cube_mesh: Any) -> None:
    lam = eigenvalues(cube_mesh, 4, [], 5)
    # measured: |λ0| ~ 3e-15, π² triple to 4e-9 .. 8e-9 relative
    assert abs(lam[0]) < 1e-9
    assert rel(lam[1:4], [PI2] * 3).max() < 3e-8
    assert lam[4] > 1.9 * PI2  # next: 2π²


def test_unit_ball_curved() -> None:
    mesh, info = build_mesh3d(Ball(), maxh=0.3, curve_order=4)
    assert info.curve_order == 4
    lam = eigenvalues(mesh, 4, ["sphere"], 5)
    # measured (P4, curved P4, maxh 0.3): 3.5e-7; triple 3.2e-5 .. 1.2e-4
    assert rel(lam[:1], [PI2])[0] < 1e-6
    assert rel(lam[1:4], [J1_ZERO ** 2] * 3).max() < 3e-4
    assert lam[4] > 1.05 * J1_ZERO ** 2  # next: 5.7635² (j_2), multiplicity 5


def test_cylinder() -> None:
    mesh, _ = build_mesh3d(Cylinder(), maxh=0.5, curve_order=5)
    lam = eigenvalues(mesh, 5, Cylinder().boundaries, 1)
    # measured (P5, maxh 0.5): 1.2e-5
    assert rel(lam, [J0_ZERO ** 2 + PI2])[0] < 3e-5


def test_prism_matches_cube_in_both_orientations() -> None:
    for vertices in (((0, 0), (1, 0), (1, 1), (0, 1)), ((0, 0), (0, 1), (1, 1), (1, 0))):
        prism = Prism(vertices)
        lam = eigenvalues(build_mesh3d(prism, maxh=0.25)[0], 3, prism.boundaries, 4)
        # measured (P3): 6e-5 .. 8e-4
        assert rel(lam, [3 * PI2] + [6 * PI2] * 3).max() < 3e-3
        assert rel(lam[:1], [3 * PI2])[0] < 3e-4


@pytest.mark.parametrize("vertices", [((0, 0), (2, 0), (2, 1), (0, 1)),
                                      ((0, 1), (2, 1), (2, 0), (0, 0))])
def test_prism_neumann_side_by_name(vertices: Any) -> None:
    """Box (0,2)×(0,1)²: in both lists edge1 is the face x = 2 and edge0 a long face."""
    prism = Prism(vertices)
    mesh = build_mesh3d(prism, maxh=0.35)[0]
    exact = {"edge1": PI2 * (1 / 16 + 2), "edge0": PI2 * (1 / 4 + 1 / 4 + 1)}
    for name, value in exact.items():
        lam = eigenvalues(mesh, 3, [b for b in prism.boundaries if b != name], 1)
        # measured (P3, maxh 0.35): 1.3e-4 (edge0), 3.0e-4 (edge1)
        assert rel(lam, [value])[0] < 1e-3, name


def test_csg_union_box() -> None:
    """Two unit cubes side by side make the box (0,2)×(0,1)²: λ1 = π²(1/4 + 2)."""
    shape = Union((Box(), Box((1, 0, 0))))
    lam = eigenvalues(build_mesh3d(shape, maxh=0.35)[0], 3, shape.boundaries, 1)
    assert rel(lam, [PI2 * 2.25])[0] < 1e-3  # measured (P3, maxh 0.35): 3.6e-4


def test_fichera_hp_grading_beats_uniform() -> None:
    shape = Fichera()
    errors = {}
    for hp in (False, True):
        mesh, info = build_mesh3d(shape, maxh=0.5, hp=hp, hp_levels=2, hp_factor=0.125)
        assert info.hp_levels == (2 if hp else 0)
        lam = eigenvalues(mesh, 3, shape.boundaries, 1)
        errors[hp] = rel(lam, [FICHERA_LAMBDA1])[0]
    # measured: 9.5e-3 without grading, 4.5e-4 with two levels (reference ± 1e-5 relative)
    assert errors[True] < errors[False] / 5
    assert errors[True] < 1e-3


# ---------------------------------------------------------------- mesh files

def _write_gmsh22(mesh: Any, path: Path) -> None:
    import meshio

    ngmesh = mesh.ngmesh
    points = np.array([p.p for p in ngmesh.Points()])
    tets = np.array([[v.nr - 1 for v in e.vertices] for e in ngmesh.Elements3D()])
    tris = np.array([[v.nr - 1 for v in e.vertices] for e in ngmesh.Elements2D()])
    names = [ngmesh.GetBCName(e.index - 1) for e in ngmesh.Elements2D()]
    tag = {n: k + 1 for k, n in enumerate(sorted(set(names)))}
    tags = np.array([tag[n] for n in names])
    data = meshio.Mesh(points, [("tetra", tets), ("triangle", tris)],
                       cell_data={"gmsh:physical": [np.full(len(tets), 100), tags],
                                  "gmsh:geometrical": [np.ones(len(tets), int), tags]},
                       field_data={**{n: np.array([t, 2]) for n, t in tag.items()},
                                   "domain": np.array([100, 3])})
    meshio.write(str(path), data, file_format="gmsh22", binary=False)


def _write_gmsh41(mesh: Any, path: Path) -> None:
    """Gmsh 4.1 text: one volume entity, one surface entity per boundary name."""
    ngmesh = mesh.ngmesh
    points = [p.p for p in ngmesh.Points()]
    faces: dict[str, list[list[int]]] = {}
    for e in ngmesh.Elements2D():
        faces.setdefault(ngmesh.GetBCName(e.index - 1), []).append([v.nr for v in e.vertices])
    tets = [[v.nr for v in e.vertices] for e in ngmesh.Elements3D()]
    names = sorted(faces)
    box = "0 0 0 1 1 1"
    out = ["$MeshFormat", "4.1 0 8", "$EndMeshFormat", "$PhysicalNames", str(len(names) + 1)]
    out += [f'2 {k + 1} "{n}"' for k, n in enumerate(names)] + ['3 100 "domain"']
    out += ["$EndPhysicalNames", "$Entities", f"0 0 {len(names)} 1"]
    out += [f"{k + 1} {box} 1 {k + 1} 0" for k in range(len(names))]
    out += [f"1 {box} 1 100 {len(names)} " + " ".join(str(k + 1) for k in range(len(names)))]
    n = len(points)
    out += ["$EndEntities", "$Nodes", f"1 {n} 1 {n}", f"3 1 0 {n}"]
    out += [str(k + 1) for k in range(n)] + [f"{x!r} {y!r} {z!r}" for x, y, z in points]
    count = sum(map(len, faces.values())) + len(tets)
    out += ["$EndNodes", "$Elements", f"{len(names) + 1} {count} 1 {count}"]
    number = 0
    for k, name in enumerate(names):
        out.append(f"2 {k + 1} 2 {len(faces[name])}")
        for tri in faces[name]:
            number += 1
            out.append(" ".join(map(str, [number, *tri])))
    out.append(f"3 1 4 {len(tets)}")
    for tet in tets:
        number += 1
        out.append(" ".join(map(str, [number, *tet])))
    path.write_text("\n".join(out + ["$EndElements", ""]))


def test_mesh_files(tmp_path: Path) -> None:
    import ngsolve

    mesh = build_mesh3d(Box(), maxh=0.4)[0]
    reference = eigenvalues(mesh, 2, Box().boundaries, 1)
    mesh.ngmesh.Save(str(tmp_path / "box.vol"))
    _write_gmsh22(mesh, tmp_path / "box.msh")
    _write_gmsh41(mesh, tmp_path / "box41.msh")  # read through meshio
    for name in ("box.vol", "box.msh", "box41.msh"):
        loaded = read_mesh_file(tmp_path / name)
        assert mesh_boundaries(loaded) == Box().boundaries
        lam = eigenvalues(ngsolve.Mesh(loaded), 2, Box().boundaries, 1)
        assert lam[0] == pytest.approx(reference[0], rel=1e-10)
    with pytest.raises(MeshFileError, match="existing mesh file"):
        read_mesh_file(tmp_path / "missing.msh")
    (tmp_path / "bad.msh").write_text("hello")
    with pytest.raises(MeshFileError, match="readable 3D mesh"):
        read_mesh_file(tmp_path / "bad.msh")
