"""What :mod:`pdekit.fem.prepare` builds from an ``eigen`` case and hands to the run."""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.schema import EigenCase
from pdekit.fem.geometry.solids import Solid
from pdekit.petsc_options import OptionPairs

__all__ = ["EigenSetup"]


@dataclass(frozen=True)
class EigenSetup:
    """A validated eigen case and the objects built from it.

    Attributes
    ----------
    case
        The typed case (unchanged: a relative ``geometry.file`` stays as written).
    shape
        The 2D geometry or the 3D :class:`~pdekit.fem.geometry.solids.Solid`, a mesh file resolved
        against the case file's folder.
    dirichlet
        Names of the Dirichlet boundaries.
    target
        The shift σ: ``solver.target``, or 0 (−1 without Dirichlet boundaries).
    options
        PETSc options database entries: ``[solver.petsc]`` then the command line.
    levels
        ``(order, refinements)`` per level: one, a convergence study's grid, or the orders
        an accuracy target may climb (``fem.order`` … ``solver.max_order``; the run stops
        at the first that meets ``solver.accuracy``).
    hp_levels
        Element order -> hp-grading layers (``mesh.hp_levels``, or the order capped by
        :func:`pdekit.fem.solve.size.hp_layer_limit`).
    """

    case: EigenCase
    shape: Shape | Solid
    dirichlet: frozenset[str]
    target: float
    options: OptionPairs
    levels: tuple[tuple[int, int], ...]
    hp_levels: dict[int, int]

    @property
    def dim(self) -> int:
        """2 or 3."""
        return 3 if isinstance(self.shape, Solid) else 2
