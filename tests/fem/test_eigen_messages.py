"""What ``pdekit eig`` prints (issue 27, D and G): nothing from Netgen's Gmsh reader, no
progress bar glued to the error line, and PETSc options that duplicate a case key, or
that the chosen solver does not read, name the case key (or the prefix) that would do
it."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest

from pdekit.cli import main
from tests.conftest import ROOT

from .gmsh_helper import write_square_msh

SQUARE = ('[case]\nkind = "eigen"\n[geometry]\nshape = "square"\n[mesh]\nmaxh = 0.3\n'
          '[fem]\norder = 1\n[solver]\nnev = 2\n')


def test_netgen_gmsh_reader_prints_nothing(tmp_path, capsys):
    """Netgen's ReadGmsh printed "WARNING: Physical groups detected..." on stdout for
    every file with physical groups, --quiet or not."""
    from pdekit.fem.geometry.mesh import read_gmsh

    mesh = read_gmsh(write_square_msh(tmp_path / "square.msh", 4))
    assert len(mesh.Elements2D()) == 32
    assert capsys.readouterr() == ("", "")


def test_study_messages_are_not_glued_to_the_bar(tmp_path):
    """A two-level study on a terminal: each level's line starts its own line (it was
    printed after the bar: ``levels:   0%|…| 0/2 level [00:00<?]p=1 refine=0: …``)."""
    case = tmp_path / "case.toml"
    case.write_text(SQUARE + "[convergence]\nrefine = [0, 1]\n[output]\nmodes = 0\n"
                    "plot = 0\n")
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pdekit.cli", "eig", str(case), "--out",
                                str(tmp_path / "out")], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, cwd=tmp_path,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    screen = b"".join(chunks).decode(errors="replace")
    assert "levels:" in screen  # a bar was drawn
    drawn = [part for part in re.split(r"[\r\n]", screen) if "refine=" in part]
    assert len(drawn) == 2 and all(line.startswith("p=1 refine=") for line in drawn), screen


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_is_cleared_before_an_error_ends_the_study(tmp_path, monkeypatch):
    """The bar was left standing (``levels: 0%``) when a level raised: the CLI's error
    line then followed it on the same line."""
    from pdekit.core.cases import load_case
    from pdekit.errors import CaseError
    from pdekit.fem.solve import study
    from pdekit.output.run import RunContext

    case = tmp_path / "case.toml"
    case.write_text(SQUARE + "[convergence]\nrefine = [0, 1]\n")
    setup = load_case(case).prepared

    def failing(*args):
        raise CaseError(case, "solver.nev", "fewer pairs")

    monkeypatch.setattr(study, "solve_level", failing)
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with pytest.raises(CaseError):
        study.run_study(setup, RunContext(tmp_path / "out", rank=0), None)
    assert "levels:" in screen.getvalue()
    assert screen.getvalue().rstrip(" ").endswith("\r")  # cleared: nothing left standing


@pytest.mark.parametrize("sets, after, key, phrase", [
    # set the key's value behind pdekit's back (the run reported nev = 2 and computed 3)
    ([], ["-eps_nev", "3"], "-- -eps_nev", "the case key solver.nev"),
    (["solver.petsc={eps_tol = 1e-9}"], [], "solver.petsc.eps_tol", "the case key solver.tol"),
    # unread options name what would read them
    (["solver.factorization=cholmod"], ["-ksp_type", "cg"], "-- -ksp_type",
     "did you mean -st_ksp_type?"),
    (["solver.factorization=cholmod", "solver.method=krylovschur"],
     ["-st_mat_mumps_icntl_14", "50"], "-- -st_mat_mumps_icntl_14",
     "read with solver.method = 'krylovschur', solver.factorization = 'mumps'"),
    (["solver.method=lobpcg"], ["-st_pc_hypre_boomeramg_strong_threshold", "0.5"],
     "-- -st_pc_hypre_boomeramg_strong_threshold",
     "read with solver.method = 'lobpcg', solver.preconditioner = 'hypre'"),
])
def test_options_name_the_key_that_does_it(tmp_path, capsys, sets, after, key, phrase):
    case = tmp_path / "case.toml"
    case.write_text(SQUARE)
    out = tmp_path / "out"
    args = ["eig", str(case), "--out", str(out)] + [a for s in sets for a in ("--set", s)]
    assert main(args + ["--", *after] if after else args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and f"{key}: expected" in lines[0] and phrase in lines[0], lines
    assert not out.exists()


def test_a_gmsh_file_netgen_exported_is_refused_saying_what_to_add(tmp_path, capsys):
    """Netgen's "Gmsh2 Format" export numbers physical groups but names none."""
    from netgen.occ import Box, OCCGeometry, Pnt

    OCCGeometry(Box(Pnt(0, 0, 0), Pnt(1, 1, 1))).GenerateMesh(maxh=0.5).Export(
        str(tmp_path / "cube.msh"), "Gmsh2 Format")
    case = tmp_path / "case.toml"
    case.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "mesh"\nfile = "cube.msh"\n')
    assert main(["eig", str(case), "--out", str(tmp_path / "out")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "geometry.file" in lines[0], lines
    assert "add a line '2 1 \"name\"' to a $PhysicalNames block" in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shape", ["polygon", "prism"])
def test_a_bowtie_is_self_intersecting(tmp_path, capsys, shape):
    """Its two lobes cancel in the signed area: it was called "a polygon with non-zero
    area"."""
    case = tmp_path / "case.toml"
    case.write_text(f'[case]\nkind = "eigen"\n[geometry]\nshape = "{shape}"\n'
                    'vertices = [[0, 0], [1, 1], [1, 0], [0, 1]]\n')
    assert main(["check", str(case)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "geometry.vertices: expected a simple (non-self-intersecting) polygon: edges 0 " \
           "and 2 cross" in line


TRIANGLE_41 = """$MeshFormat
4.1 0 8
$EndMeshFormat
$Entities
0 0 1 0
1 0 0 0 1 1 0 0 0
$EndEntities
$Nodes
1 3 1 3
2 1 0 3
1
2
3
0 0 0
1 0 0
0 1 0
$EndNodes
$Elements
1 1 1 1
2 1 2 1
1 1 2 3
$EndElements
"""


def test_a_2d_gmsh_41_file_is_told_which_format_to_write(tmp_path, capsys):
    (tmp_path / "triangle.msh").write_text(TRIANGLE_41)
    case = tmp_path / "case.toml"
    case.write_text('[case]\nkind = "eigen"\n[geometry]\nshape = "mesh"\n'
                    'file = "triangle.msh"\n')
    assert main(["check", str(case)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "geometry.file" in line and "not '4.1 0 8'" in line
    assert "4.1 is read for 3D tetrahedral meshes; `gmsh -2 -format msh22` writes 2.2" in line
