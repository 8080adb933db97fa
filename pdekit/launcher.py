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


def under_mpiexec() -> bool:
    """Whether a launcher started this process (also ``mpiexec -n 1``)."""
    return any(variable in os.environ for variable in _SIZE)


def mpi_size() -> int:
    """The number of MPI ranks started by the launcher (1 outside mpiexec)."""
    return _first(_SIZE, 1)


_LOCAL_SIZE = ("OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "PMI_LOCAL_SIZE")


def cores_per_rank() -> int:
    """This node's cores divided among the ranks the launcher started on it (at least 1)."""
    return max(1, (os.cpu_count() or 1) // max(1, _first(_LOCAL_SIZE, mpi_size())))


def share_blas_threads() -> None:
    """Under mpiexec, give each rank's threaded BLAS (the system OpenBLAS under PETSc's
    CHOLMOD/MUMPS) its share of the node's cores, unless the user chose.

    OpenBLAS reads ``OPENBLAS_NUM_THREADS`` when it loads, which is when PETSc loads: this
    must run before the first PETSc import. Without it N ranks on a node would each start
    as many BLAS threads as there are cores.
    """
    if mpi_size() > 1:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", str(cores_per_rank()))
