"""The ``turing`` kind: two-species reaction–diffusion on a line, rectangle or box.

The case model is :class:`pdekit.fd.schema.TuringCase`; :func:`pdekit.fd.prepare.prepare`
builds model, grid and initial state once; :func:`pdekit.fd.run.run` (``grid.backend =
"fft"``, one process), :func:`pdekit.fd.run_fft_mpi.run` (``"fft"`` under mpiexec, the
grid split for distributed FFTs) or :func:`pdekit.fd.run_petsc.run` (``"petsc"``, a DMDA
split over the ranks of mpiexec) integrates and writes; :mod:`pdekit.fd.report` says
what happened. The numerics live in :mod:`pdekit.fd` (grids, Laplacians, models,
stability, problem assembly) and :mod:`pdekit.time`. A case with a ``[domain]`` instead
of a ``[grid]`` goes to the finite-element path, :mod:`pdekit.fe` (prepare and run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pdekit.fd.prepare import TuringSetup, prepare
from pdekit.fd.schema import TuringCase
from pdekit.launcher import mpi_size
from pdekit.output import RunContext, RunReport

if TYPE_CHECKING:
    from pdekit.fe.prepare import FESetup


class TuringPlugin:
    """The ``turing`` kind (see :class:`pdekit.core.plugin.KindPlugin`)."""

    name = "turing"
    description = ("Two-species reaction-diffusion (BVAM, Gray-Scott, Schnakenberg, "
                   "Brusselator, FitzHugh-Nagumo or your own f(u, v), g(u, v)) on a periodic "
                   "or no-flux line, rectangle or box (1D, 2D, 3D); (2d+1)-point FD Laplacian by "
                   "FFT/DCT or sparse; ETDRK4, IMEX-RK, splitting, RK4 (under mpiexec on "
                   "distributed FFTs/DCTs); or, with grid.backend = 'petsc', PETSc TS "
                   "(ARKIMEX, ROSW) on a DMDA split over the ranks of mpiexec; or, with a "
                   "[domain], finite elements (NGSolve P1/P2) on the eigen kind's shapes "
                   "and on closed surfaces (sphere, ellipsoid, torus, mesh files) with "
                   "IMEX-RK, SBDF2 or Strang and the domain's own unstable modes.")
    case_model = TuringCase
    commands = ("solve",)
    mpi = True
    solver_options = True

    def prepare(self, case: TuringCase) -> TuringSetup | FESetup:
        """Build model, grid and initial state; every check that needs several keys (a
        case with a ``[domain]``: :func:`pdekit.fe.prepare.prepare`)."""
        if case.domain is not None:
            from pdekit.fe.prepare import prepare as prepare_domain

            return prepare_domain(case)
        return prepare(case)

    def run(self, prepared: TuringSetup, context: RunContext) -> RunReport:
        """Integrate the prepared case into ``context.dir``."""
        if prepared.case.domain is not None and mpi_size() > 1:
            from pdekit.fe.run_mpi import run  # rank 0 meshes; PETSc/MUMPS on every rank
        elif prepared.case.domain is not None:
            from pdekit.fe.run import run  # NGSolve, finite elements on the domain
        elif prepared.case.grid.backend == "petsc":
            from pdekit.fd.run_petsc import run  # PETSc and MPI
        elif prepared.decomposition is not None:
            from pdekit.fd.run_fft_mpi import run  # the fft backend under mpiexec
        else:
            from pdekit.fd.run import run  # the FFT, sparse and plotting libraries
        report = run(prepared, context)
        report.results.setdefault("ranks", 1)
        return report


plugin = TuringPlugin()
