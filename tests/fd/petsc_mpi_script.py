"""Run under ``mpiexec -n N`` by test_petsc_ts.py: solve the shared cases, gather, write restarts.

Usage: ``python petsc_mpi_script.py OUTDIR``.  Rank 0 writes ``OUTDIR/<case>.npz`` (the
gathered final fields and statistics) and every rank takes part in writing the restart
``OUTDIR/<case>_restart.npz``.
"""

import sys
from pathlib import Path

import numpy as np
from petsc4py import PETSc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from petsc_cases import CASES, run_case  # noqa: E402

from pdekit.fd.petsc_grid import gather_to_root, write_restart  # noqa: E402


def main(out: Path) -> None:
    comm = PETSc.COMM_WORLD
    for name in CASES:
        result = run_case(name)
        shape = CASES[name][0]
        fields = gather_to_root([result.u, result.v], result.ranges, shape)
        write_restart(out / f"{name}_restart.npz", result.u, result.v, result.ranges, shape,
                      result.t_final)
        ranges = comm.tompi4py().gather(result.ranges, root=0)
        if comm.rank == 0:
            np.savez(out / f"{name}.npz", u=fields[0], v=fields[1], steps=result.steps,
                     ranks=comm.size, ranges=repr(ranges))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
