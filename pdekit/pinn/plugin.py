"""The ``poisson-pinn`` kind: ``Laplacian u = f`` on a box, disk, ball, polygon or CSG domain
by a PINN.

Model :mod:`~pdekit.pinn.schema`, checks :mod:`~pdekit.pinn.prepare` (both without
TensorFlow, so ``pdekit list`` and ``pdekit check`` stay light), run :mod:`~pdekit.pinn.run`
and results :mod:`~pdekit.pinn.report`.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

from pdekit.output import RunContext, RunReport
from pdekit.pinn.prepare import PreparedPinn, prepare
from pdekit.pinn.schema import PinnCase


class PinnPlugin:
    """The ``poisson-pinn`` kind (see :class:`pdekit.core.plugin.KindPlugin`)."""

    name = "poisson-pinn"
    description = ("Poisson equation Laplacian(u) = f on an interval, rectangle, 3D box, disk, "
                   "ball, L-shape, polygon or 2D CSG domain, Dirichlet/Neumann/Robin data by "
                   "boundary part ([boundary.<part>] tables: type, value, coefficient); "
                   "physics-informed network (TensorFlow) trained in stages: "
                   "Adam/Adamax, then Gauss-Newton / Levenberg-Marquardt / Newton-CG / trust "
                   "region / L-BFGS / FedNL; data-parallel under mpiexec (points split over "
                   "ranks).")
    case_model = PinnCase
    commands = ("solve",)
    mpi = True
    solver_options = False

    def prepare(self, case: PinnCase) -> PreparedPinn:
        """Cross-key checks; parses the expressions once (points are drawn in the run)."""
        return prepare(case)

    def run(self, prepared: PreparedPinn, context: RunContext) -> RunReport:
        """Train, evaluate and write the outputs (imports TensorFlow)."""
        _quiet_tensorflow()
        from pdekit.pinn.run import run

        return run(prepared, context)


_TENSORFLOW_NOISE = re.compile(r"^(I\d{4} |WARNING: All log messages before absl::InitializeLog)")
"""Lines TensorFlow's C++ libraries print on import however the log level is set: absl's
pre-initialization notice and info lines (oneDNN, CPU features)."""


def _quiet_tensorflow() -> None:
    """Import TensorFlow without its start-up chatter on the terminal.

    The chatter would break into progress bars and into ``--quiet`` runs. The C++ lines
    ignore ``TF_CPP_MIN_LOG_LEVEL`` (they come before absl's logging is initialized), so the
    import runs with file descriptor 2 captured; whatever is not known noise (errors,
    warnings) is passed on to stderr afterwards.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        for line in captured.read().decode(errors="replace").splitlines():
            if line.strip() and not _TENSORFLOW_NOISE.match(line):
                print(line, file=sys.stderr)
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)


plugin = PinnPlugin()
