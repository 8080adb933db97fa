"""The Gmsh file check: everything Netgen's reader would fail on is refused up front."""

from __future__ import annotations

import pytest

from pdekit.fem.geometry.gmsh_file import read_gmsh_summary

from .gmsh_helper import write_square_msh


def test_a_good_file_is_summarized(tmp_path):
    summary = read_gmsh_summary(write_square_msh(tmp_path / "square.msh", n=4))
    assert summary.boundaries == ["bottom", "right", "top", "left"]
    assert summary.elements == 2 * 4 * 4
    assert summary.lower == (0.0, 0.0) and summary.upper == (1.0, 1.0)
    assert summary.extent == pytest.approx(2 ** 0.5)


def _edited(tmp_path, old: str, new: str, count: int = 1) -> str:
    text = write_square_msh(tmp_path / "square.msh", n=2).read_text()
    assert old in text
    path = tmp_path / "edited.msh"
    path.write_text(text.replace(old, new, count))
    return str(path)


HEADER = "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n"


@pytest.mark.parametrize("name, content, phrase", [
    ("header-only", HEADER, "$Nodes and $Elements"),
    ("empty", "", "ends early"),
    ("no-header", "$Nodes\n0\n$EndNodes\n", "$MeshFormat header"),
    ("binary-format", "$MeshFormat\n2.2 1 8\n$EndMeshFormat\n", "ASCII"),
    ("format-4", "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n", "format 2.x"),
    ("truncated-nodes", HEADER + "$Nodes\n3\n1 0 0 0\n", "ends early"),
    ("nodes-not-numbers", HEADER + "$Nodes\n1\n1 a b c\n$EndNodes\n", "node line"),
    ("nan-node", HEADER + "$Nodes\n1\n1 nan 0 0\n$EndNodes\n", "finite"),
    ("count-too-small", HEADER + "$Nodes\n1\n1 0 0 0\n2 1 0 0\n$EndNodes\n", "$EndNodes"),
    ("lines-only", HEADER + "$Nodes\n2\n1 0 0 0\n2 1 0 0\n$EndNodes\n$Elements\n1\n"
     "1 1 2 0 1 1 2\n$EndElements\n", "triangles or quadrilaterals"),
])
def test_broken_files_are_refused(tmp_path, name, content, phrase):
    path = tmp_path / f"{name}.msh"
    path.write_text(content)
    with pytest.raises(ValueError) as error:
        read_gmsh_summary(path)
    assert phrase in str(error.value)


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "garbage.msh"
    path.write_bytes(b"$MeshFormat\n" + bytes(range(256)) * 8)
    with pytest.raises(ValueError, match="binary"):
        read_gmsh_summary(path)


@pytest.mark.parametrize("old, new, phrase", [
    # element 9 is "9 2 2 10 10 1 2 5": id, type (triangle), 2 tags, nodes 1 2 5
    ("9 2 2 10 10 1 2 5", "9 2 2 10 10 1 2 99", "node 99"),       # unknown node
    ("9 2 2 10 10 1 2 5", "9 4 2 10 10 1 2 5 4", "3D element"),   # a tetrahedron
    ("9 2 2 10 10 1 2 5", "9 2 2 10 10 1 2", "3 nodes"),          # a node short
    ("9 2 2 10 10 1 2 5", "9 2 1 10 1 2 5", "at least 2 tags"),   # one tag
    ("9 2 2 10 10 1 2 5", "9 2 2 77 10 1 2 5", "physical group 77"),  # unnamed group
    ('1 1 "bottom"', "1 1 bottom", "physical names"),             # unquoted name
    ("$EndNodes", "\n$EndNodes", "no blank lines"),
    ("9 2 2 10 10 1 2 5", "9 99 2 10 10 1 2 5", "type 99"),
])
def test_bad_lines_are_refused_with_their_line(tmp_path, old, new, phrase):
    with pytest.raises(ValueError) as error:
        read_gmsh_summary(_edited(tmp_path, old, new))
    assert phrase in str(error.value) and "line" in str(error.value)


def test_what_passes_netgen_reads(tmp_path):
    """The check and Netgen agree on a good file: same element count."""
    from netgen.read_gmsh import ReadGmsh

    path = write_square_msh(tmp_path / "square.msh", n=3)
    assert len(ReadGmsh(str(path)).Elements2D()) == read_gmsh_summary(path).elements
