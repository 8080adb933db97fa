"""What the integration of a ``turing`` case produced, handed from the run (serial,
PETSc or distributed FFT) to :mod:`pdekit.fd.report`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pdekit.time import AdaptiveStats

__all__ = ["TuringOutcome"]


@dataclass(frozen=True)
class TuringOutcome:
    """What an integration produced.

    Attributes
    ----------
    u, v
        Final fields, of the grid's shape (None when they stay split over MPI ranks:
        ``statistics`` and ``measured_k`` are then given).
    state_bytes
        Size of the stacked state vector.
    steps, t_final
        Accepted steps and the time reached.
    adaptive
        The step controller's statistics (None for fixed steps).
    files
        Files written into the run folder.
    memory_after_setup
        Peak resident memory (MiB) once the problem and stepper were built.
    statistics
        min, max and mean of "u" and "v" (None: computed from ``u`` and ``v``).
    measured_k
        The final u's dominant wavenumber (None: measured from ``u``).
    """

    u: np.ndarray | None
    v: np.ndarray | None
    state_bytes: int
    steps: int
    t_final: float
    adaptive: AdaptiveStats | None
    files: list[str]
    memory_after_setup: float
    statistics: dict[str, dict[str, float]] | None = None
    measured_k: float | None = None
