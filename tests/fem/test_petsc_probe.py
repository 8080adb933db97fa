"""PETSc/SLEPc options tried on the probe problem before anything runs."""

from __future__ import annotations

import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.fem.solve.option_probe import OptionProblem, check_options
from pdekit.fem.schema import SolverSection

SOLVER = SolverSection()


@pytest.mark.parametrize("options", [
    [("eps_type", "arnoldi")],
    [("eps_nev", "3"), ("eps_tol", "1e-8")],
    [("st_pc_factor_mat_solver_type", "petsc")],
    [("st_mat_mumps_icntl_14", "50")],     # read by the factorization
    [("eps_monitor", None), ("eps_true_residual", None)],  # a viewer flag and a boolean
    [("eps_view", None), ("eps_view_values", None)],       # read at the end of a solve
])
def test_good_options_pass(options):
    check_options(options, SOLVER)


@pytest.mark.parametrize("options, name, phrase", [
    ([("eps_nev", None)], "eps_nev", "a value after -eps_nev"),
    ([("st_ksp_max_it", None)], "st_ksp_max_it", "a value after"),  # CG reads it
    ([("eps_tpye", "krylovschur")], "eps_tpye", "reads"),
    ([("mat_mumps_icntl_14", "50")], "mat_mumps_icntl_14", "reads"),  # needs st_
    ([("eps_nev", "3"), ("st_type", "nonexistent")], "st_type", "accepts"),
    ([("eps_tol", "1e-x")], "eps_tol", "accepts"),
    ([("eps_type", None)], "eps_type", "accepts"),
])
def test_bad_options_are_named(options, name, phrase):
    with pytest.raises(OptionProblem) as problem:
        check_options(options, SOLVER)
    assert problem.value.name == name and phrase in problem.value.expected


def test_probe_leaves_the_options_database_clean():
    from petsc4py import PETSc

    with pytest.raises(OptionProblem):
        check_options([("eps_tpye", "x"), ("eps_nev", None)], SOLVER)
    assert not any(name.startswith("pdekitprobe") for name in PETSc.Options().getAll())


HEAD = '[case]\nkind = "eigen"\n[geometry]\nshape = "square"\n'


def test_messages_name_the_table_key_or_the_command_line(write_case):
    path = write_case(HEAD + '[solver.petsc]\nst_type = "nonexistent"\n')
    with pytest.raises(CaseError) as error:
        load_case(path, (), ())
    assert error.value.key == "solver.petsc.st_type" and str(path.name) in str(error.value)
    with pytest.raises(CaseError) as error:
        load_case(write_case(HEAD), (), ("-eps_nev",))
    assert error.value.source == "command line" and error.value.key == "-- -eps_nev"


def test_check_without_options_imports_no_petsc(write_case):
    import subprocess
    import sys

    code = ("import sys\nfrom pdekit.core.cases import load_case\n"
            f"load_case({str(write_case(HEAD))!r}, (), ())\n"
            "print('petsc4py' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
