"""3D geometry OpenCascade/Netgen cannot mesh, and boundary names that would silently
mean something else, are refused with one line naming the key (exit 2) before anything is
written (issue 27, B and C): one feature bound for every shape
(:mod:`pdekit.fem.geometry.feature_size`)."""

from __future__ import annotations

import pytest

from pdekit.cli import main
from pdekit.fem.geometry.feature_size import ABSOLUTE_FLOOR, RELATIVE_FLOOR, polygon_width, \
    smallest_feature

HEAD = '[case]\nkind = "eigen"\n[solver]\nnev = 2\n[geometry]\n'

UNIT_BOX_MINUS_B = 'shape = "csg"\ncombine = "a - b"\n[geometry.primitives.a]\nkind = "box"\n'

REFUSED = {
    "prism side 1e-9": ('shape = "prism"\nvertices = [[0, 0], [1e-9, 0], [1e-9, 1e-9], '
                        '[0, 1e-9]]\nheight = 1e-9\n', "geometry.height"),
    "prism base side 1e-9": ('shape = "prism"\nvertices = [[0, 0], [1e-9, 0], [1e-9, 1e-9], '
                             '[0, 1e-9]]\n', "geometry.vertices"),
    # ZeroDivisionError in fem/edges3d.py before (the grading ball had zero volume)
    "sliver prism": ('shape = "prism"\nvertices = [[0, 0], [1, 0], [0.5, 1e-9]]\n',
                     "geometry.vertices"),
    "box side 1e-9": ('shape = "box"\nsizes = [1, 1, 1e-9]\n', "geometry.sizes"),
    "ball radius 1e-12": ('shape = "ball"\nradius = 1e-12\n', "geometry.radius"),
    "fichera half 1e-10": ('shape = "fichera"\nhalf = 1e-10\n', "geometry.half"),
    # the ValueError of fem/csg3d.py escaped at mesh time before
    "empty csg": (UNIT_BOX_MINUS_B + '[geometry.primitives.b]\nkind = "box"\n'
                  'corner = [-1, -1, -1]\nsizes = [3, 3, 3]\n', "geometry.combine"),
    "tiny csg hole": (UNIT_BOX_MINUS_B + '[geometry.primitives.b]\nkind = "ball"\n'
                      'center = [0.5, 0.5, 0.5]\nradius = 1e-4\n',
                      "geometry.primitives.b.radius"),
    # a side named like an end face merged the two boundary parts
    "prism side named top": ('shape = "prism"\nvertices = [[0, 0], [1, 0], [0, 1]]\n'
                             'edge_names = ["s", "top", "h"]\n', "geometry.edge_names"),
    # a condition on the faces of a tool that lies outside the base was accepted
    "removed csg face": (UNIT_BOX_MINUS_B + '[geometry.primitives.b]\nkind = "ball"\n'
                         'center = [5, 5, 5]\nradius = 0.5\n[boundary]\n'
                         'neumann = ["b_sphere"]\n', "boundary.neumann"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_unmeshable_or_ambiguous_solids_are_refused_by_check(tmp_path, capsys, name):
    text, key = REFUSED[name]
    path = tmp_path / "case.toml"
    path.write_text(HEAD + text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"case.toml: {key}: expected" in err[0], err


def test_sliver_prism_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "case.toml"
    path.write_text(HEAD + REFUSED["sliver prism"][0])
    out = tmp_path / "out"
    assert main(["eig", str(path), "--out", str(out)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == [path]


def test_features_at_the_bound_are_kept(tmp_path, capsys):
    """A unit box minus a ball at the bound, and a removed face nobody refers to."""
    path = tmp_path / "case.toml"
    path.write_text(HEAD + UNIT_BOX_MINUS_B + '[geometry.primitives.b]\nkind = "ball"\n'
                    f'center = [0.5, 0.5, 0.5]\nradius = {RELATIVE_FLOOR}\n')
    assert main(["check", str(path)]) == 0, capsys.readouterr().err


def test_the_bound_and_polygon_widths():
    assert smallest_feature(1.0) == RELATIVE_FLOOR
    assert smallest_feature(1e-6) == ABSOLUTE_FLOOR == pytest.approx(1e-5)
    assert polygon_width([(0, 0), (1, 0), (0.5, 1e-6)]) == pytest.approx(1e-6)
    assert polygon_width([(0, 0), (2, 0), (2, 1), (0, 1)]) == 1.0
    # an L whose arms are 0.1 wide: the inner corner is 0.1 from the outer sides
    assert polygon_width([(0, 0), (1, 0), (1, 0.1), (0.1, 0.1), (0.1, 1), (0, 1)]) \
        == pytest.approx(0.1)


def test_tetrahedron_flat_to_rounding_in_a_mesh_file_is_refused(tmp_path, capsys):
    """Point 5 lies on the plane x + y + z = 1 of the first tetrahedron's face, so the
    second tetrahedron is flat, but its triple product rounds to -5.6e-17, not 0."""
    points = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (0.2, 0.3, 0.5)]
    lines = ["$MeshFormat", "2.2 0 8", "$EndMeshFormat", "$Nodes", "5"]
    lines += [f"{k + 1} {x!r} {y!r} {z!r}" for k, (x, y, z) in enumerate(points)]
    lines += ["$EndNodes", "$Elements", "2", "1 4 2 1 1 1 2 3 4", "2 4 2 1 1 2 3 4 5",
              "$EndElements"]
    (tmp_path / "flat.msh").write_text("\n".join(lines) + "\n")
    path = tmp_path / "case.toml"
    path.write_text(HEAD + 'shape = "mesh"\nfile = "flat.msh"\n')
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "geometry.file" in err[0] and "tetrahedron 2 is flat" in err[0]


def test_hp_factor_below_the_smallest_layer_is_refused(tmp_path, capsys):
    """``hp_factor = 1e-300`` failed in SLEPc ("indefinite matrix", exit 1) before."""
    path = tmp_path / "case.toml"
    path.write_text(HEAD + 'shape = "lshape"\n[mesh]\nhp_factor = 1e-300\n')
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mesh.hp_factor: expected a ratio of at least 1e-12" in err[0]


def test_nev_above_the_free_dofs_of_a_tiny_mesh_is_refused_before_the_run(tmp_path, capsys):
    """A unit square at maxh = 0.5 has no free P1 dof (the estimate said about 10): the
    run found it and left a .failed folder."""
    path = tmp_path / "case.toml"
    path.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "square"\n[mesh]\n'
                    'maxh = 0.5\n[fem]\norder = 1\n[solver]\nnev = 2\n')
    out = tmp_path / "out"
    assert main(["eig", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "solver.nev: expected fewer pairs than the 0 free dofs" in err[0]
    assert list(tmp_path.iterdir()) == [path]
