"""This process's place under ``mpiexec``, read from the launcher's environment.

No MPI import: the CLI and ``prepare`` know the rank and the rank count before anything
heavy loads (Open MPI, MPICH/Hydra and PMIx launchers set these variables).
"""

from __future__ import annotations

import os

_RANK = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")
_SIZE = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE")


def _first(variables: tuple[str, ...], default: int) -> int:
    for variable in variables:
        if variable in os.environ:
            return int(os.environ[variable])
    return default


def mpi_rank() -> int:
    """This process's MPI rank (0 outside mpiexec)."""
    return _first(_RANK, 0)


def mpi_size() -> int:
    """The number of MPI ranks started by the launcher (1 outside mpiexec)."""
    return _first(_SIZE, 1)
