"""The ``poisson-pinn`` kind: ``Laplacian u = f`` on an interval or a rectangle by a PINN.

Model :mod:`~pdekit.pinn.schema`, checks :mod:`~pdekit.pinn.prepare` (both without
TensorFlow, so ``pdekit list`` and ``pdekit check`` stay light), run :mod:`~pdekit.pinn.run`
and results :mod:`~pdekit.pinn.report`.
"""

from __future__ import annotations

from pdekit.output import RunContext, RunReport
from pdekit.pinn.prepare import PreparedPinn, prepare
from pdekit.pinn.schema import PinnCase


class PinnPlugin:
    """The ``poisson-pinn`` kind (see :class:`pdekit.plugin.KindPlugin`)."""

    name = "poisson-pinn"
    description = ("Poisson equation Laplacian(u) = f on an interval or rectangle, Dirichlet "
                   "data; physics-informed network (TensorFlow) trained in stages: "
                   "Adam/Adamax, then Gauss-Newton / Levenberg-Marquardt / Newton-CG / trust "
                   "region / L-BFGS.")
    case_model = PinnCase
    commands = ("solve",)
    mpi = False
    solver_options = False

    def prepare(self, case: PinnCase) -> PreparedPinn:
        """Cross-key checks; parses the expressions and draws the points once."""
        return prepare(case)

    def run(self, prepared: PreparedPinn, context: RunContext) -> RunReport:
        """Train, evaluate and write the outputs (imports TensorFlow)."""
        from pdekit.pinn.run import run

        return run(prepared, context)


plugin = PinnPlugin()
