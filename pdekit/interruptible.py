"""Long calls into C++ that a signal can still end.

Python runs a signal handler (Ctrl-C, the CLI's SIGTERM handler) only between bytecodes
of the main thread, so a long C++ call there (Netgen meshing a CSG with 200 holes:
minutes) ignores SIGTERM until it returns. Netgen and NGSolve release the GIL while they
work, so :func:`call` runs such a call in a worker thread and waits for it in short,
interruptible slices: the signal ends the wait at once and propagates as usual (the run
folder is marked failed, the exit code is 128 + signal). The abandoned worker cannot be
stopped from Python; :func:`abandoned` tells the CLI to leave with ``os._exit`` instead of
tearing down the interpreter under a thread still inside C++.
"""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

__all__ = ["abandoned", "call"]

T = TypeVar("T")

_workers: list[threading.Thread] = []


def call(function: Callable[[], T]) -> T:
    """``function()``, run in a worker thread while this thread waits interruptibly.

    Parameters
    ----------
    function
        The work; it must release the GIL for long stretches (Netgen's meshing and
        refinement do) and must not need the main thread.

    Returns
    -------
    The work's result; an exception it raised is re-raised here.
    """
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the waiting thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name="pdekit-interruptible", daemon=True)
    _workers.append(worker)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)  # a signal handler runs between these slices
    _workers.remove(worker)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def abandoned() -> bool:
    """Whether a worker left behind by a signal is still running."""
    return any(worker.is_alive() for worker in _workers)
