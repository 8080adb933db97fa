"""The typed eigen case and its preparation: checks by key, and what the run is handed
(no NGSolve, PETSc or MPI needed)."""

from __future__ import annotations

import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.fem.prepare import EigenSetup

from .gmsh_helper import write_square_msh

HEAD = '[case]\nkind = "eigen"\n'


def setup_of(write_case, text: str, overrides=(), solver_args=()) -> EigenSetup:
    return load_case(write_case(HEAD + text), overrides, solver_args).prepared


def test_gmsh_file_is_resolved_into_the_setup_not_the_case(tmp_path, write_case):
    write_square_msh(tmp_path / "square.msh", n=2)
    setup = setup_of(write_case, '[geometry]\nshape = "mesh"\nfile = "square.msh"\n'
                                 '[boundary]\nneumann = ["left"]\n')
    assert setup.case.geometry.file == "square.msh"  # as written
    assert setup.shape.file == (tmp_path / "square.msh").resolve()
    assert setup.dirichlet == {"bottom", "right", "top"} and setup.target == 0.0


def test_options_are_parsed_once_table_first(write_case):
    setup = setup_of(write_case, '[solver.petsc]\neps_view = true\nst_shift = -2\n',
                     solver_args=["-eps_krylovschur_locking", "0", "-eps_view_values"])
    assert setup.options == [("eps_view", None), ("st_shift", "-2"),
                             ("eps_krylovschur_locking", "0"), ("eps_view_values", None)]


def test_levels_and_default_shift(write_case):
    setup = setup_of(write_case, '[boundary]\ndefault = "neumann"\n'
                                 '[convergence]\norders = [1, 2]\nrefine = [0, 3]\n')
    assert setup.levels == ((1, 0), (1, 3), (2, 0), (2, 3))
    assert setup.dirichlet == frozenset() and setup.target == -1.0  # A is singular at 0


@pytest.mark.parametrize("text, key, phrase", [
    ('[geometry]\nshape = "polygon"\nvertices = [[0,0],[1,0],[0,1]]\nedge_names = ["a"]',
     "geometry.edge_names", "3 names"),
    ('[geometry]\nvertices = [[0,0],[1,0],[0,1]]', "geometry.vertices", "unless shape"),
    ('[geometry]\nshape = "polygon"', "geometry.vertices", "a vertex list"),
    ('[geometry]\ncenter = [1, 2, 3]', "geometry.center", "[x, y]"),
    ('[geometry]\nshape = "mesh"\nfile = "none.msh"', "geometry.file", "an existing Gmsh"),
    ('[mesh]\nhp_factor = 1.0', "mesh.hp_factor", "< 1"),
    ('[solver]\nnev = 8\nncv = 4', "solver.ncv", "ncv >= nev = 8"),
    ('[solver]\nmethod = "krylov"', "solver.method", "'krylovschur'"),
    ('[solver.petsc]\neps_nev = [1]', "solver.petsc.eps_nev", "a number, string or boolean"),
    ('[solver.petsc]\n"eps nev" = 3', "solver.petsc", "PETSc option names"),
    ('[boundary]\ndirichlet = ["top"]\nneumann = ["top"]', "boundary.neumann",
     "not also listed"),
    ('[boundary]\nneumann = ["tpo"]', "boundary.neumann", "did you mean 'top'"),
    ('[convergence]\nrefine = [2, -1]', "convergence.refine[1]", ">= 0"),
])
def test_bad_values_name_their_key(write_case, text, key, phrase):
    with pytest.raises(CaseError) as caught:
        load_case(write_case(HEAD + text + "\n"))
    assert caught.value.key == key and phrase in caught.value.expected
    assert "\n" not in str(caught.value)


def test_bad_command_line_option_names_the_command_line(write_case):
    with pytest.raises(CaseError) as caught:
        load_case(write_case(HEAD), solver_args=["eps_nev", "3"])
    assert caught.value.source == "command line" and caught.value.key == "--"
