"""The Python API: load a case, solve it, get the numbers and arrays back.

The CLI is a thin shell over the same functions (:mod:`pdekit.runner`), so a case behaves
the same from ``pdekit solve`` and from :func:`solve`: the same checks, the same folder,
the same ``summary.json``. Errors are raised instead of turned into exit codes:
:class:`~pdekit.errors.CaseError` for bad input (before anything is written),
:class:`~pdekit.errors.NumericalError` for a failed solve.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from pdekit.core.cases import LoadedCase, check_case_file
from pdekit.core.cases import load_case as _load
from pdekit.core.casemodel import KindCase
from pdekit.errors import CaseError
from pdekit.launcher import mpi_size
from pdekit.result import Result

__all__ = ["load_case", "solve"]

CaseSource = str | Path | Mapping[str, Any]


def load_case(source: CaseSource, set: Sequence[str] = (),  # noqa: A002 (the CLI's name)
              options: Sequence[str] = ()) -> KindCase:
    """Read, override and validate a case.

    Parameters
    ----------
    source
        A case file (TOML), or the same tables as a mapping
        (``{"case": {"kind": "turing"}, "grid": {"n": 64}}``).
    set
        Overrides as on the command line: ``["grid.n=256", "time.method=rk4"]``.
    options
        PETSc/SLEPc options as after ``--`` (``["-eps_view"]``), for kinds that take them.

    Returns
    -------
    KindCase
        The typed case: sections as attributes (``case.grid.n``), ``case.resolved()`` for
        everything with defaults filled in.

    Raises
    ------
    pdekit.errors.CaseError
        Bad input, naming the file, the key, what was expected and what was given.

    Examples
    --------
    >>> case = pdekit.load_case("cases/turing.toml", set=["grid.n=64"])
    >>> case.grid.n
    64
    """
    return _loaded(source, set, options).case


def solve(case: CaseSource | KindCase, set: Sequence[str] = (),  # noqa: A002
          out: str | Path | bool | None = None, quiet: bool = True,
          options: Sequence[str] = ()) -> Result:
    """Run a case and return its results.

    Parameters
    ----------
    case
        A case file, a mapping of its tables, or a case from :func:`load_case`.
    set
        Overrides, as for :func:`load_case` (applied on top of a loaded case's own).
    out
        The run folder, as ``--out`` (``None``: ``results/<case name>``). ``False``
        keeps nothing on disk: the run writes into a private temporary folder that is
        removed before :func:`solve` returns, and the results are in the returned
        :class:`Result` only.
    quiet
        No progress bars or messages (the default here; the CLI shows them).
    options
        PETSc/SLEPc options as after ``--``.

    Returns
    -------
    Result
        ``.summary`` (what ``summary.json`` holds), ``.folder`` and the kind's arrays
        (``.u``/``.v`` for turing, ``.eigenvalues``/``.modes`` for eigen, ``.model`` for
        poisson-pinn; see :class:`Result`).

    Raises
    ------
    pdekit.errors.CaseError
        Bad input, before anything is written.
    pdekit.errors.NumericalError
        Numerical failure (the run folder is then ``<out>.failed`` with ``error.json``).

    Notes
    -----
    Under ``mpiexec`` every rank calls :func:`solve` with the same arguments; rank 0's
    result holds the summary and the gathered arrays.

    Examples
    --------
    >>> result = pdekit.solve("cases/eigen_lshape.toml", out=False)
    >>> result.eigenvalues[0]
    9.6397238...
    """
    from pdekit.runner import run_case

    def load() -> LoadedCase:
        if isinstance(case, KindCase):  # as written, its overrides, then the new ones
            return _loaded(case.written, [*case.overrides, *set],
                           [*case.solver_args, *options], origin=case.source)
        return _loaded(case, set, options)

    if out is True or not isinstance(out, (str, Path, bool, type(None))):
        raise CaseError("pdekit API", "out", "a folder, None (results/<name>) or False "
                        "(nothing on disk)", out)
    given = {"case": case if isinstance(case, (str, Path)) else repr(case), "set": list(set),
             "options": list(options), "out": out if isinstance(out, bool) else
             None if out is None else os.path.abspath(out)}
    precheck = (lambda: check_case_file(case)) if isinstance(case, (str, Path)) else None
    if out is not False:
        return run_case(load, None if out is None else Path(out), quiet=quiet,
                        command=None, keep_data=True, given=given, precheck=precheck)
    scratch = _scratch_folder()
    try:
        result = run_case(load, scratch / "run", quiet=quiet, command=None,
                          keep_data=True, in_memory=True, given=given, precheck=precheck)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result.folder = None
    result.lines = [line for line in result.lines if str(scratch) not in line]  # gone
    return result


def _loaded(source: CaseSource, overrides: Sequence[str], options: Sequence[str],
            origin: Path | None = None) -> LoadedCase:
    for name, given in (("set", overrides), ("options", options)):
        if isinstance(given, str) or not all(isinstance(item, str) for item in given):
            raise CaseError("pdekit API", name, "a list of strings such as "
                            "['grid.n=64']" if name == "set" else "['-eps_view']", given)
    return _load(source, list(overrides), list(options), origin=origin)


def _scratch_folder() -> Path:
    """A private temporary folder, the same path on every MPI rank (rank 0 makes it)."""
    if mpi_size() == 1:
        return Path(tempfile.mkdtemp(prefix="pdekit-"))
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    path = tempfile.mkdtemp(prefix="pdekit-") if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))
