"""The ``eigen`` kind: Laplacian eigenproblems −Δu = λu with NGSolve + SLEPc.

Ties together the case model (:mod:`~pdekit.fem.schema`), the checks and set-up done once
before anything is written (:mod:`~pdekit.fem.prepare`) and the run
(:mod:`~pdekit.fem.run`, imported when a case runs: NGSolve, PETSc and MPI load only then).
"""

from __future__ import annotations

from typing import Any

from pdekit.fem.prepare import EigenSetup, prepare
from pdekit.fem.schema import EigenCase
from pdekit.output import RunReport


class EigenPlugin:
    """The ``eigen`` kind (see :class:`pdekit.core.plugin.KindPlugin`)."""

    name = "eigen"
    description = ("Laplace eigenproblems -Δu = λu (H1 FEM, NGSolve) in 2D and 3D, solved by "
                   "SLEPc Krylov–Schur with shift-and-invert (CHOLMOD, MUMPS or CG + GAMG, "
                   "chosen per problem), LOBPCG + AMG, or spectrum slicing (all "
                   "eigenvalues in an interval, Weyl-law check); squares, L-shapes, "
                   "disks, polygons, boxes, balls, "
                   "cylinders, Fichera corners, prisms, CSG, mesh files; hp-grading at "
                   "singular corners and edges; convergence studies; runs under mpiexec.")
    case_model = EigenCase
    commands = ("solve", "eig")
    mpi = True
    solver_options = True

    def prepare(self, case: EigenCase) -> EigenSetup:
        """Cross-section checks; the shape, boundary conditions and options, built once."""
        return prepare(case)

    def run(self, prepared: EigenSetup, context: Any) -> RunReport:
        """Mesh, assemble and solve each level; write modes and plots on rank 0."""
        from pdekit.fem.run import run

        return run(prepared, context)


plugin = EigenPlugin()
