"""What a kind of problem provides, and the registry that finds it by name.

A kind is an object satisfying :class:`KindPlugin`. Built-in kinds are registered lazily
(their modules import NGSolve, TensorFlow or numba only when a case of that kind is used);
third-party kinds register in the entry-point group ``pdekit.plugins`` with a value
``"module:attribute"`` pointing at such an object.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from pdekit.core.casemodel import KindCase
from pdekit.output.report import RunReport
from pdekit.core.registry import NoTraits, Registry

__all__ = ["KINDS", "KindPlugin", "kinds"]


@runtime_checkable
class KindPlugin(Protocol):
    """A kind of problem: its case model, validation and run.

    Attributes
    ----------
    name
        The ``[case] kind`` value.
    description
        One paragraph for ``pdekit list``.
    case_model
        The typed model of its case files (a :class:`~pdekit.core.casemodel.KindCase`).
    commands
        CLI commands that run it (``("solve",)``, ``("eig",)`` or both).
    mpi
        True when it has a real MPI path (work split across ranks); kinds without one
        refuse to run under ``mpiexec -n N`` with N > 1.
    solver_options
        True when it takes PETSc/SLEPc options after ``--``.
    """

    name: str
    description: str
    case_model: type[KindCase]
    commands: tuple[str, ...]
    mpi: bool
    solver_options: bool

    def prepare(self, case: Any) -> Any:
        """Every check that needs more than one key, building what the run needs (model,
        grid, initial data, shape, options) once; raises
        :class:`~pdekit.errors.CaseError`. Must not write anything or import heavy
        numerics (``pdekit check`` calls it)."""

    def run(self, prepared: Any, context: Any) -> RunReport:
        """Run the prepared case, writing into ``context.dir``."""


KINDS: Registry[KindPlugin, NoTraits] = Registry("kind")
KINDS.add_lazy("turing", "pdekit.fd.plugin:plugin")
KINDS.add_lazy("poisson-pinn", "pdekit.pinn.plugin:plugin")
KINDS.add_lazy("eigen", "pdekit.fem.plugin:plugin")

_third_party_loaded = False


def kinds() -> Registry[KindPlugin, NoTraits]:
    """The kind registry, with third-party entry points added on first call."""
    global _third_party_loaded
    if not _third_party_loaded:
        _third_party_loaded = True
        for entry in entry_points(group="pdekit.plugins"):
            if entry.name not in KINDS:
                KINDS.add_lazy(entry.name, entry)
    return KINDS
