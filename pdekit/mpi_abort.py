"""A failure on one MPI rank ends every rank.

Under ``mpiexec -n N`` a rank that raises while the others wait in a collective (rank 0
failing to read a mesh that rank 1 waits to receive, rank 1 rejecting an option inside a
solve) would leave them hanging. :func:`on_every_rank` lets an error that every rank
raises together pass (the CLI reports it as usual); any other error is printed by the rank
that had it, the run folder is marked failed, and ``MPI_Abort`` ends all ranks with the
CLI's exit code for that error.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, NoReturn, TypeVar

from pdekit.errors import (EXIT_BAD_INPUT, EXIT_NUMERICAL, CaseError, NumericalError,
                           interrupt_signal)

T = TypeVar("T")


def on_every_rank(comm: Any, context: Any, body: Callable[[], T]) -> T:
    """Run ``body()``; if it raises on some ranks only, abort all of them.

    Parameters
    ----------
    comm
        The mpi4py communicator of the run.
    context
        The run's :class:`~pdekit.output.RunContext` (its folder is marked failed).
    body
        The work of this rank.
    """
    try:
        return body()
    except BaseException as error:
        if comm.size == 1 or getattr(error, "collective", False):
            raise  # serial, or raised by every rank alike: the usual error path
        abort(comm, context, error)


def abort(comm: Any, context: Any, error: BaseException) -> NoReturn:
    """Report ``error`` from this rank and end every rank (no hang in collectives)."""
    alone = f" (rank {comm.rank} of {comm.size} alone)"  # a file one node cannot read, say
    if isinstance(error, CaseError):
        line = f"pdekit: {error}{alone}"
    elif isinstance(error, NumericalError):
        line = f"pdekit: numerical failure: {error}{alone}"
    elif isinstance(error, KeyboardInterrupt):  # every rank got the signal: say it once
        line = "pdekit: interrupted" if comm.rank == 0 else ""
    else:  # an internal error: everything, and which rank had it
        traceback.print_exc()
        line = f"pdekit: rank {comm.rank} of {comm.size}: {type(error).__name__}: {error}"
    if line:
        print(line, file=sys.stderr, flush=True)
    try:
        context.fail(error, getattr(error, "data", None))
    except Exception:  # the folder may be half gone; aborting matters more
        pass
    comm.Abort(exit_code(error))
    raise AssertionError("MPI_Abort returned")  # pragma: no cover


def exit_code(error: BaseException) -> int:
    """The CLI's exit code for ``error``: 2 bad input, 128 + signal for an interrupt,
    1 otherwise."""
    if isinstance(error, CaseError):
        return EXIT_BAD_INPUT
    if isinstance(error, KeyboardInterrupt):
        return 128 + interrupt_signal(error)
    return EXIT_NUMERICAL

