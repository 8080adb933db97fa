#!/usr/bin/env bash
# Run the whole test suite in the project venv (MPI tests launch `mpiexec -n 2` themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
# OpenMPI refuses to start as root without these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest -q "$@"
