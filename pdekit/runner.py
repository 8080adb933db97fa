"""One run of a loaded case, the same for the CLI and the Python API: the output folder
checked, every MPI rank agreeing on the input, the folder's lock taken, the kind run,
``summary.json`` written and the folder swapped into place.

The order matters for the contract: everything that can refuse the input happens before
anything is written, and under ``mpiexec`` the ranks agree on it (:func:`agree`) before
any rank starts work, so bad input on one rank stops all of them with one message.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from pdekit import __version__
from pdekit.core.cases import LoadedCase
from pdekit.errors import CaseError
from pdekit.launcher import mpi_rank, mpi_size
from pdekit.result import Result

__all__ = ["agree", "run_case"]


def run_case(load: Callable[[], LoadedCase], out: Path | None, *, quiet: bool,
             command: str | None,
             argv: Sequence[str] = (), keep_data: bool = False,
             in_memory: bool = False, given: dict[str, Any] | None = None,
             precheck: Callable[[], None] | None = None) -> Result:
    """Run a loaded case into its output folder.

    Parameters
    ----------
    load
        Loads the validated, prepared case (:func:`pdekit.core.cases.load_case`); called here
        so that a file one rank cannot read is agreed on like any bad input.
    out
        The run folder; ``None``: ``results/<case name>``.
    quiet
        No progress bars or messages.
    command
        The CLI command (``"solve"``/``"eig"``) that must be one the kind runs with;
        ``None`` from the Python API (any kind).
    argv
        The command line, recorded in ``summary.json``.
    keep_data
        Ask the kind for its in-memory results (arrays, NGSolve objects, the network)
        in :attr:`Result.data`.
    in_memory
        ``out`` is a private scratch folder the caller removes (differs between MPI
        ranks' calls only by design: not compared).
    given
        The raw inputs (the case file's hash, overrides, options, ``out``): under
        mpiexec the ranks compare them before any of them loads, since loading itself
        may start collective work (PETSc's start-up) that ranks given different inputs
        would wait in forever.
    precheck
        A cheap check of this rank's input before that comparison (the case file
        exists): its error is reported instead of a difference between the ranks.

    Raises
    ------
    pdekit.errors.CaseError
        Bad input on any rank, before anything is written.
    pdekit.errors.NumericalError
        The kind's numerical failure (the folder is then ``<out>.failed``).
    """
    if given is not None:
        first: CaseError | None = None
        try:
            if precheck is not None:
                precheck()
        except CaseError as error:
            first = error
        agree(first, given)
    problem: CaseError | None = None
    inputs: dict[str, Any] | None = None
    try:
        loaded = load()
        final_dir, where = _checked_destination(loaded, out, command)
        inputs = {"case": loaded.case.resolved(), "options": list(loaded.case.solver_args),
                  "out": "scratch" if in_memory else os.path.abspath(final_dir),
                  "command": command}
    except CaseError as error:
        problem = error
    agree(problem, inputs)
    if not quiet and mpi_rank() == 0:
        for notice in loaded.case.notices:
            print(notice, file=sys.stderr)
    from pdekit.output.lock import RunLock

    lock = RunLock(final_dir, *where)
    try:  # the lock only once all ranks agree: a refused run creates nothing, not even it
        if mpi_rank() == 0:
            lock.acquire()
    except CaseError as error:
        problem = error
    agree(problem, {})
    return _run_locked(loaded, final_dir, lock, quiet, argv, keep_data)


def _checked_destination(loaded: LoadedCase, out: Path | None, command: str | None
                         ) -> tuple[Path, tuple[str, str]]:
    """The run folder, checked on this rank, and who named it (for errors)."""
    case, plugin = loaded.case, loaded.plugin
    if command is not None and command not in plugin.commands:
        runs = " or ".join(f"`pdekit {c}`" for c in plugin.commands)
        raise CaseError(case.source_label, "case.kind", f"a kind that `pdekit {command}` "
                        f"runs ({case.kind!r} runs with {runs})", case.kind)
    if mpi_size() > 1 and not plugin.mpi:
        raise CaseError(case.source_label, "case.kind", f"a kind with an MPI path to run "
                        f"under mpiexec -n {mpi_size()} ({case.kind!r} runs on one "
                        "process)", case.kind)
    from pdekit.output.folders import check_destination

    final_dir = Path(out) if out is not None else Path("results") / case.name
    where = ("command line", "--out") if out is not None else (case.source_label,
                                                               "case.name")
    check_destination(final_dir, *where)
    return final_dir, where


def _run_locked(loaded: LoadedCase, final_dir: Path, lock: Any, quiet: bool,
                argv: Sequence[str], keep_data: bool) -> Result:
    from pdekit.memory import retain_freed_memory
    from pdekit.output.run import RunContext, package_versions

    case = loaded.case
    retain_freed_memory()  # time steppers allocate field-sized arrays every step
    context = RunContext(final_dir, quiet, mpi_rank(), case.name, lock)
    context.keep_data = keep_data
    context.prepare()
    try:
        with quiet_numerics(quiet):
            report = loaded.plugin.run(loaded.prepared, context)
    except BaseException as error:
        context.fail(error, getattr(error, "data", None))
        if context.is_root and context.failed_dir.is_dir():
            error.kept_in = context.failed_dir  # type: ignore[union-attr]
        raise
    summary = context.finish({
        "pdekit": __version__,
        "status": "ok",
        "case": case.resolved(),
        "source": str(case.source),
        "overrides": list(case.overrides),
        "solver_args": list(case.solver_args),
        "command": ["pdekit", *argv] if argv else None,
        "results": report.results,
        "versions": package_versions(),
    })
    return Result(case.kind, summary, context.final_dir if context.is_root else None,
                  report.lines, report.data)


QUIET_LOGGERS = ("tensorflow", "absl", "numba", "matplotlib", "h5py", "py.warnings")
"""Libraries' loggers held to errors during a quiet run (TensorFlow's retracing notes)."""


@contextmanager
def quiet_numerics(quiet: bool) -> Iterator[None]:
    """Floating-point warnings off during a run: a blow-up is detected and reported as a
    NumericalError with its numbers, not as a NumPy RuntimeWarning before the message.
    With ``quiet`` every Python warning is off (libraries' deprecation notes included)."""
    import logging

    import numpy as np

    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS] if quiet else []
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        if quiet:
            warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def agree(problem: CaseError | None, inputs: dict[str, Any] | None) -> None:
    """Under mpiexec, every rank learns whether any rank found bad input (a file one node
    cannot read, say) or was given other input than rank 0 (another case, ``--set``,
    ``--out`` or options: the ranks would wait for each other forever in different
    solves): then all of them raise, and the error reads the same on every rank.
    Serially, ``problem`` is raised if there is one.

    Raises
    ------
    pdekit.errors.CaseError
        The first rank's problem, or the first difference from rank 0's input.
    """
    if mpi_size() == 1:
        if problem is not None:
            raise problem
        return
    from mpi4py import MPI

    text = None if inputs is None else json.dumps(inputs, sort_keys=True, default=str)
    reports = MPI.COMM_WORLD.allgather((None if problem is None else str(problem), text))
    first = next((said for said, _ in reports if said is not None), None)
    if first is not None:
        raise problem if problem is not None else ReportedElsewhere(first)
    for rank, (_, other) in enumerate(reports[1:], start=1):
        if other != reports[0][1]:
            where = _first_difference(json.loads(reports[0][1]), json.loads(other))
            raise CaseError("command line", "mpiexec", "the same case, --set, --out and "
                            f"options on every rank (rank {rank} differs from rank 0 in "
                            f"{where})")


def _first_difference(mine: Any, other: Any, prefix: str = "") -> str:
    """The first dotted key where two resolved inputs differ, with both values."""
    if isinstance(mine, dict) and isinstance(other, dict):
        for key in sorted(set(mine) | set(other)):
            if mine.get(key) != other.get(key):
                return _first_difference(mine.get(key), other.get(key),
                                         f"{prefix}.{key}" if prefix else key)
    return f"{prefix}: {mine!r} on rank 0, {other!r} there"


class ReportedElsewhere(CaseError):
    """Bad input found on another rank (this rank's copy of the message)."""

    def __init__(self, message: str):
        Exception.__init__(self, message)
