"""PETSc options of a turing case on the PETSc path (``[time.petsc]``, options after
``--``) tried on a tiny problem before anything runs, as the eigen kind does
(:mod:`pdekit.fem.solve.option_probe`): one step of the case's system on a 4-point-per-axis
grid of this process. An option no PETSc object reads (``ts_tpye``) or a value PETSc
refuses (``ts_type = "nonsense"``) is bad input; ``-help`` prints the options of the
integrator that would run. Imports PETSc.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import numpy as np

from pdekit.petsc_options import PROBE_PREFIX, OptionPairs, OptionProblem, unused_options

__all__ = ["check_ts_options", "show_ts_help"]

PROBE_POINTS = 4
"""Points per axis of the probe's grid (the multigrid hierarchy needs a few)."""


def _one_step(options: OptionPairs, method: str, boundary: str, dim: int,
              adaptive: bool, prefix: str) -> tuple[str | None, list[str]]:
    """Set ``options`` under ``prefix``, take one step of zero reaction–diffusion on a
    tiny grid with them (``COMM_SELF``); return PETSc's reason if it refused (``None``:
    accepted) and the names no PETSc object read."""
    from petsc4py import PETSc

    from pdekit.fem.solve.petsc_reason import petsc_reason
    from pdekit.fd.petsc_ts import PetscTSError, solve_petsc

    database = PETSc.Options()
    for name, value in options:
        database.setValue(prefix + name, "" if value is None else value)
    refusal = None
    try:
        solve_petsc((PROBE_POINTS,) * dim, (1.0,) * dim, boundary, (1.0, 1.0),
                    lambda u, v: (np.zeros_like(u), np.zeros_like(v)),
                    lambda u, v: (0.0, 0.0, 0.0, 0.0),
                    lambda index: (np.zeros(index[0].shape), np.zeros(index[0].shape)),
                    0.0, 1e-3, 1e-3, 1e-3 if adaptive else None, method=method,
                    comm=PETSc.COMM_SELF, options_prefix=prefix)
    except PETSc.Error as error:
        refusal = petsc_reason(error).replace(PROBE_PREFIX, "")
    except PetscTSError as error:
        refusal = str(error).replace(PROBE_PREFIX, "")
    unread = unused_options([prefix + name for name, _ in options]) or []
    for name, _ in options:
        database.delValue(prefix + name)
    return refusal, [name[len(prefix):] for name in unread]


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Standard output (file descriptor 1, where PETSc prints) to /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def check_ts_options(options: OptionPairs, method: str, boundary: str, dim: int,
                     adaptive: bool) -> None:
    """Refuse, before the run, options PETSc never reads or whose values it refuses.

    Raises
    ------
    OptionProblem
        Naming the first option at fault, with PETSc's reason where it gave one.
    """
    with _quiet_stdout():  # the probe's monitors (-ts_monitor) print its one step
        refusal, unread = _one_step(options, method, boundary, dim, adaptive, PROBE_PREFIX)
    if refusal is not None:  # a value PETSc refused (options after it may be unread)
        for name, value in options:  # which one: each alone
            with _quiet_stdout():
                alone, _ = _one_step([(name, value)], method, boundary, dim, adaptive,
                                     PROBE_PREFIX)
            if alone is not None:
                raise OptionProblem(name, f"a value PETSc accepts for -{name} ({alone})")
        raise OptionProblem(options[-1][0], f"options PETSc accepts together ({refusal})")
    unknown = [name for name in unread if "view" not in name]  # read after a full solve
    if unknown:
        raise OptionProblem(unknown[0], "an option PETSc reads (misspelled, or not "
                            "applicable to this integrator)")


def show_ts_help(options: Sequence[tuple[str, Any]], method: str, boundary: str, dim: int,
                 adaptive: bool) -> None:
    """Print PETSc's ``-help`` for the integrator the run would use (the run's option
    names, no prefix), on MPI rank 0 only; one step of a tiny problem, nothing else."""
    from petsc4py import PETSc

    if PETSc.COMM_WORLD.getRank() != 0:
        return
    print(f"# PETSc options of time.method = {method!r} (PETSc TS on a DMDA)", flush=True)
    chosen = [(name, value) for name, value in options if name != "help"] + [("help", None)]
    _one_step(chosen, method, boundary, dim, adaptive, "")
