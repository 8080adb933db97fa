"""PETSc/SLEPc options database entries, from a case table (``[solver.petsc]`` of eigen
cases, ``[time.petsc]`` of turing cases) or from the command line after ``--``, as
``(name, value)`` pairs (no PETSc import), and which of them PETSc never read.

Options that write files are checked as they are read (:mod:`pdekit.petsc_files`: the
terminal or the run folder only), and a run places their files in its folder
(:func:`run_options`, :func:`write_log_view`).

Precedence when both are given: the table first, the command line after it, so the
command line wins (the solvers set them in order: :func:`pdekit.fem.solve.slepc_solver.solve_eigen`,
:func:`pdekit.fd.run_petsc.run`).
"""

from __future__ import annotations

import math
import os
import re
from typing import Annotated, Any, Mapping, Sequence

from pydantic import AfterValidator

from pdekit.errors import CaseError
from pdekit.petsc_files import (FOLDER, VIEWER_NAME, at_startup, check_option,
                                file_targets, log_view_target, placed)

OptionPairs = list[tuple[str, str | None]]
"""Option name (without the leading dash) and its value (``None``: a bare flag)."""

_NAME = re.compile(r"^-?[A-Za-z][A-Za-z0-9_]*$")


def parse_option_tokens(tokens: Sequence[str]) -> OptionPairs:
    """Split command-line PETSc options (``-name [value] ...``) into pairs.

    Raises
    ------
    ValueError
        When a token is not an option name where one is expected.
    """
    pairs: OptionPairs = []
    i = 0
    while i < len(tokens):
        name = tokens[i]
        if not name.startswith("-") or not _NAME.match(name):
            raise ValueError(f"PETSc/SLEPc options like -eps_nev 10 (bad token {name!r})")
        value = None
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following is not None and not (following.startswith("-") and _NAME.match(following)):
            value = following  # a value (negative numbers such as -1 are values too)
            i += 1
        pairs.append((name.lstrip("-"), value))
        i += 1
    return pairs


def option_value(value: Any) -> bool | int | float | str:
    """Check one ``[solver.petsc]`` value: a string, integer, finite number or boolean.

    Raises
    ------
    ValueError
        With what was expected, for tables, lists and non-finite numbers.
    """
    if not isinstance(value, (bool, int, float, str)):
        raise ValueError("a number, string or boolean (one PETSc option value)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a finite number")
    return value


PetscValue = Annotated[Any, AfterValidator(option_value)]
"""The type of one value of a case's PETSc options table (checked by :func:`option_value`)."""


def table_options(table: Mapping[str, Any]) -> OptionPairs:
    """Turn a ``[solver.petsc]`` table into option pairs.

    ``true`` becomes a bare flag (``-eps_view``: on for a switch, the terminal for a
    viewer; ``-eps_view 1`` would name a viewer type "1"), ``false`` becomes ``"0"``, except
    that a viewer or monitor set to ``false`` is left out (PETSc has no "off" value for
    them).

    Raises
    ------
    ValueError
        For names that are not PETSc option names or non-scalar values.
    """
    pairs: OptionPairs = []
    for name, value in table.items():
        if not _NAME.match(name):
            raise ValueError(f"PETSc option names such as eps_tol (got {name!r})")
        if value is False and VIEWER_NAME.search(name.lstrip("-").lower()):
            continue
        if isinstance(value, bool):
            pairs.append((name.lstrip("-"), None if value else "0"))
        elif isinstance(value, (int, float, str)):
            pairs.append((name.lstrip("-"), str(value)))
        else:
            raise ValueError(f"a number, string or boolean for option {name!r}")
    return pairs


def checked_table(case: Any, key: str, table: Mapping[str, Any]) -> OptionPairs:
    """A case's options table at ``key`` as pairs, each allowed to write files only into
    the run folder (:func:`pdekit.petsc_files.check_option`).

    Raises
    ------
    pdekit.errors.CaseError
        Naming ``key`` (and the option) for a bad table or a file outside the run folder.
    """
    pairs: OptionPairs = []
    for raw, given in table.items():
        try:
            pair = table_options({raw: given})
        except ValueError as error:
            raise case.error(key, str(error)) from None
        for name, value in pair:  # none for a viewer set to false
            try:
                check_option(name, value, from_case=True)
            except ValueError as error:
                raise case.error(f"{key}.{raw}", str(error), given) from None
        pairs += pair
    return pairs


def checked_command_line(tokens: Sequence[str]) -> OptionPairs:
    """The options after ``--`` as pairs, each allowed to write files only into the run
    folder (:func:`pdekit.petsc_files.check_option`).

    Raises
    ------
    pdekit.errors.CaseError
        From the command line, naming the option at fault.
    """
    try:
        pairs = parse_option_tokens(tokens)
    except ValueError as error:
        raise CaseError("command line", "--", str(error)) from None
    for name, value in pairs:
        try:
            check_option(name, value, from_case=False)
        except ValueError as error:
            raise CaseError("command line", f"-- -{name}", str(error), value) from None
    return pairs


def case_options(case: Any, key: str, table: Mapping[str, Any]) -> OptionPairs:
    """A case's options: its table at ``key`` first, then those after ``--``, checked
    (:func:`checked_table`, :func:`checked_command_line`).

    Raises
    ------
    pdekit.errors.CaseError
        Naming ``key`` for a bad table, the command line for bad tokens.
    """
    return checked_table(case, key, table) + checked_command_line(case.solver_args)


PROBE_PREFIX = "pdekitprobe_"
"""Private options prefix of the probes that try a case's options on a tiny problem
before the run, so that their entries never reach the real solve."""


class OptionProblem(ValueError):
    """One option a probe refused: its name and what was expected of it."""

    def __init__(self, name: str, expected: str):
        super().__init__(expected)
        self.name, self.expected = name, expected


def refused(problem: OptionProblem, case: Any, key: str, table: OptionPairs,
            command_line: OptionPairs) -> CaseError:
    """The one-line error for a probe's refusal, naming the table key or the option
    after ``--`` it came from."""
    if any(name == problem.name for name, _ in command_line):
        return CaseError("command line", f"-- -{problem.name}", problem.expected,
                         dict(command_line)[problem.name])
    return case.error(f"{key}.{problem.name}", problem.expected, dict(table)[problem.name])


def refuse_case_keys(case: Any, key: str, table: OptionPairs, command_line: OptionPairs,
                     owned: Mapping[str, str]) -> None:
    """Refuse options that set what a case key sets (``owned``: option name → key).

    pdekit sets those from the case, before or after PETSc reads its options, so such an
    option either silently wins over the key (and ``summary.json`` reports the key's
    value) or is silently ignored: the key is the one place for the setting.

    Raises
    ------
    pdekit.errors.CaseError
        Naming the option (table key or command line) and the case key to use instead.
    """
    for pairs, from_table in ((table, True), (command_line, False)):
        for name, value in pairs:
            if name not in owned:
                continue
            example = f" (e.g. --set {owned[name]}={value})" if value is not None else ""
            expected = (f"the case key {owned[name]} instead of -{name}: pdekit sets it "
                        f"from the case{example}")
            if from_table:
                raise case.error(f"{key}.{name}", expected, value)
            raise CaseError("command line", f"-- -{name}", expected, value)


def wants_help(options: OptionPairs) -> bool:
    """Whether ``-help`` was given: print the solver's options instead of running."""
    return any(name == "help" for name, _ in options)


STARTUP_OPTIONS: set[str] = set()
"""Names of the options PETSc was started with (:func:`initialize_petsc`); they stay in
the database for ``PetscFinalize`` (which prints ``-log_view``)."""

READ_AT_START = ("log_", "info", "malloc", "options_left", "memory_view", "fp_trap",
                 "on_error_")
"""Prefixes of options that ``PetscInitialize`` reads and nothing later does."""


def initialize_petsc(options: OptionPairs) -> bool:
    """Start PETSc with those of ``options`` that only ``PetscInitialize`` reads.

    ``-log_view``, ``-info``, ``-malloc_debug``, ``-options_left`` and the like put into the
    database later would do nothing; they are given to ``PetscInitialize`` as its command
    line and stay in the database (``PetscFinalize`` prints the log). A ``-log_view`` to a
    file starts as its terminal form (:func:`pdekit.petsc_files.at_startup`; the run
    writes the file, :func:`write_log_view`). The other options are set, and removed
    again, by the solvers. When PETSc has already started (tests running several cases
    in one process) nothing happens.

    Returns
    -------
    bool
        Whether this call started PETSc.
    """
    import sys

    at_start = [(name, value) for name, value in at_startup(options)
                if name.lower().startswith(READ_AT_START)]
    if "petsc4py.PETSc" in sys.modules or not at_start:
        return False
    # MPI first: atexit runs last-registered first, so PETSc finalizes (and prints its
    # -log_view) before mpi4py finalizes MPI.
    from mpi4py import MPI  # noqa: F401
    import petsc4py

    argv = [sys.argv[0] if sys.argv and sys.argv[0] else "pdekit"]
    for name, value in at_start:
        argv += ["-" + name] + ([] if value is None else [value])
    petsc4py.init(argv)
    STARTUP_OPTIONS.update(name for name, _ in at_start)
    return True


def remove_options(database: Any, names: Sequence[str]) -> None:
    """Take the run's options out of PETSc's database again, except those PETSc was
    started with (see :data:`STARTUP_OPTIONS`)."""
    for name in names:
        if name not in STARTUP_OPTIONS:
            database.delValue(name)


def petsc_folder(context: Any) -> str:
    """The run folder's ``petsc/`` folder as PETSc can take it in a viewer value: an
    absolute path, or one relative to the working folder where the absolute path has a
    ``:`` (PETSc splits viewer values at ``:``).

    Raises
    ------
    pdekit.errors.CaseError
        When both have a ``:``.
    """
    folder = os.path.abspath(context.dir / FOLDER)
    if ":" in folder:
        folder = os.path.join(".", os.path.relpath(folder))
    if ":" in folder:
        raise CaseError("command line", "--out", "an output folder whose path has no ':' "
                        "for PETSc's files (PETSc splits viewer values at ':')",
                        str(context.final_dir))
    return folder


def run_options(options: OptionPairs, context: Any, comm: Any) -> OptionPairs:
    """``options`` as a run sets them: the files of viewers inside the run folder's
    ``petsc/`` folder (:func:`pdekit.petsc_files.placed`).

    Every rank calls it with the same options (``comm`` an mpi4py communicator): rank 0
    makes the folder before any rank goes on, and says on the terminal (unless quiet)
    where each file ends up once the run is done.
    """
    targets = file_targets(options)
    if not targets:
        return list(options)
    folder = petsc_folder(context)
    if context.is_root:
        os.makedirs(folder, exist_ok=True)
    comm.Barrier()
    for name, file in targets.items():
        context.log(f"PETSc -{name} writes {context.final_dir / FOLDER / file}")
    return placed(options, folder)


def write_log_view(options: OptionPairs, context: Any) -> None:
    """Write the log of a ``-log_view`` to a file now, into the run folder, and take
    ``-log_view`` out of the database: PETSc would write it at exit, after the run folder
    has been renamed. Nothing happens when the log goes to the terminal (PETSc prints it
    at exit), when PETSc logs nothing (started without ``-log_view`` by an earlier run in
    this process), or where the PETSc library cannot be called directly (not Linux: then
    PETSc prints the log at exit). Collective: every rank calls it after the solve.

    Raises
    ------
    OSError
        When PETSc could not write the file.
    """
    import ctypes

    target = log_view_target(options, petsc_folder(context))
    if target is None:
        return
    from petsc4py import PETSc

    path = _libpetsc_path()
    if not PETSc.Log.isActive() or path is None:
        return
    database = PETSc.Options()
    database.setValue("log_view", target)
    try:  # PETSc's own reading of the value (formats such as ascii_flamegraph included)
        code = ctypes.CDLL(path).PetscLogViewFromOptions()
    finally:
        database.delValue("log_view")
        STARTUP_OPTIONS.discard("log_view")
    if code != 0:
        raise OSError(f"PETSc could not write the -log_view file {target} (error {code})")


def _libpetsc_path() -> str | None:
    """Path of the PETSc shared library this process loaded (via petsc4py)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if "/libpetsc" in path and ".so" in path:
                    return path
    except OSError:
        return None
    return None


def unused_options(names: Sequence[str]) -> list[str] | None:
    """Which of ``names`` no PETSc/SLEPc object has read so far (``None``: cannot tell).

    petsc4py 3.18 does not wrap ``PetscOptionsUsed``; it is called through ctypes on the
    already loaded library (Linux only; elsewhere the check is skipped).
    """
    import ctypes

    path = _libpetsc_path()
    if path is None:
        return None
    try:
        used_fn = ctypes.CDLL(path).PetscOptionsUsed
    except (OSError, AttributeError):
        return None
    unused = []
    for name in names:
        flag = ctypes.c_int(0)
        if used_fn(None, name.encode(), ctypes.byref(flag)) != 0:
            return None
        if not flag.value:
            unused.append(name)
    return unused
