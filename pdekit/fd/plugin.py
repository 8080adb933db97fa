"""The ``turing`` kind: two-species reaction–diffusion on a line, rectangle or box.

The case model is :class:`pdekit.fd.schema.TuringCase`; :func:`pdekit.fd.prepare.prepare`
builds model, grid and initial state once; :func:`pdekit.fd.run.run` (``grid.backend =
"fft"``, one process), :func:`pdekit.fd.run_fft_mpi.run` (``"fft"`` under mpiexec, the
grid split for distributed FFTs) or :func:`pdekit.fd.run_petsc.run` (``"petsc"``, a DMDA
split over the ranks of mpiexec) integrates and writes; :mod:`pdekit.fd.report` says
what happened. The numerics live in :mod:`pdekit.fd` (grids, Laplacians, models,
stability, problem assembly) and :mod:`pdekit.time`.
"""

from __future__ import annotations

from pdekit.fd.prepare import TuringSetup, prepare
from pdekit.fd.schema import TuringCase
from pdekit.output import RunContext, RunReport


class TuringPlugin:
    """The ``turing`` kind (see :class:`pdekit.plugin.KindPlugin`)."""

    name = "turing"
    description = ("Two-species reaction-diffusion (BVAM, Gray-Scott, Schnakenberg, "
                   "Brusselator, FitzHugh-Nagumo or your own f(u, v), g(u, v)) on a periodic "
                   "or no-flux line, rectangle or box (1D, 2D, 3D); (2d+1)-point FD Laplacian by "
                   "FFT/DCT or sparse; ETDRK4, IMEX-RK, splitting, RK4 (under mpiexec on "
                   "distributed FFTs/DCTs); or, with grid.backend = 'petsc', PETSc TS "
                   "(ARKIMEX, ROSW) on a DMDA split over the ranks of mpiexec.")
    case_model = TuringCase
    commands = ("solve",)
    mpi = True
    solver_options = True

    def prepare(self, case: TuringCase) -> TuringSetup:
        """Build model, grid and initial state; every check that needs several keys."""
        return prepare(case)

    def run(self, prepared: TuringSetup, context: RunContext) -> RunReport:
        """Integrate the prepared case into ``context.dir``."""
        if prepared.case.grid.backend == "petsc":
            from pdekit.fd.run_petsc import run  # PETSc and MPI
        elif prepared.decomposition is not None:
            from pdekit.fd.run_fft_mpi import run  # the fft backend under mpiexec
        else:
            from pdekit.fd.run import run  # the FFT, sparse and plotting libraries
        report = run(prepared, context)
        report.results.setdefault("ranks", 1)
        return report


plugin = TuringPlugin()
