"""What a kind hands back from a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunReport:
    """Results for ``summary.json`` and the lines printed on the terminal.

    Attributes
    ----------
    results
        Machine-readable results of the kind (eigenvalues, errors, steps, ...).
    lines
        Human-readable summary, printed unless ``--quiet``.
    data
        In-memory results for the Python API (:class:`pdekit.Result`), filled when the
        run context asks for them (``context.keep_data``): fields, eigenvalues, modes,
        the trained network.
    """

    results: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
