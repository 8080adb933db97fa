"""The two kinds of failure a run can end in, and the exit codes they map to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_NUMERICAL = 1
EXIT_BAD_INPUT = 2

MAX_GIVEN = 200
"""Characters of a bad value quoted in an error line (the rest is counted, not shown)."""


class CaseError(Exception):
    """Bad input: a case file, a ``--set`` override or a command-line value.

    The CLI prints ``str(error)`` as one line and exits with code 2.

    Parameters
    ----------
    source
        The case file (or ``"--set"``/``"command line"``) the bad value came from.
    key
        Dotted key such as ``"grid.n"``; empty when the whole file is at fault.
    expected
        What was expected, in words.
    given
        What was given; omitted from the message when ``None``.
    """

    def __init__(self, source: str | Path, key: str, expected: str, given: Any = None):
        self.source, self.key, self.expected, self.given = str(source), key, expected, given
        where = f"{self.source}: {key}" if key else self.source
        message = f"{where}: expected {expected}"
        if given is not None:
            shown = repr(given)
            if len(shown) > MAX_GIVEN:  # a 5,000-level list or a 4,400-digit number
                shown = f"{shown[:MAX_GIVEN]}... ({len(shown)} characters)"
            message += f", got {shown}"
        super().__init__(message)


class NumericalError(Exception):
    """Numerical or solver failure (blow-up, non-convergence): exit code 1.

    Parameters
    ----------
    message
        One sentence saying what failed, with the numbers that show it.
    data
        The same numbers, machine-readable, for the failed run's ``error.json``.
    collective
        True when every MPI rank raises it together (rank 0 alone reports it).
    """

    def __init__(self, message: str, data: dict[str, Any] | None = None,
                 collective: bool = False):
        super().__init__(message)
        self.data = data or {}
        self.collective = collective


class HelpShown(Exception):
    """The solver's options were printed on request (``-- -help``): nothing runs, and
    the CLI exits with 0."""


def interrupt_signal(interrupt: KeyboardInterrupt) -> int:
    """The signal behind an interrupt: the number the CLI's SIGTERM handler passes as
    its argument, else SIGINT (Ctrl-C)."""
    import signal

    given = interrupt.args[0] if interrupt.args else None
    return given if isinstance(given, int) else int(signal.SIGINT)

