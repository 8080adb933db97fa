"""Where ``solver.bounds = "guaranteed"`` applies, checked before anything runs.

The bounds of :mod:`pdekit.fem.solve.bounds` need: a 2D polygon meshed exactly by straight
triangles (the Crouzeix–Raviart constant is per longest edge of the actual triangles; a
curved boundary or a mesh file's domain would need more), the Dirichlet condition on the
whole boundary (the CR bound and the Lehmann–Goerisch set-up are for H¹₀), and one
process (the bounds are computed serially). Imports no NGSolve or MPI.
"""

from __future__ import annotations

from pdekit.fem.geometry.shapes2d import Polygon, Shape
from pdekit.fem.schema import EigenCase
from pdekit.fem.geometry.solids import Solid
from pdekit.launcher import mpi_size


def check_bounds(case: EigenCase, shape: Shape | Solid, dirichlet: frozenset[str]) -> None:
    """Refuse ``solver.bounds = "guaranteed"`` where it does not apply.

    Raises
    ------
    pdekit.errors.CaseError
        Naming ``solver.bounds`` and why.
    """
    if case.solver.bounds == "off":
        return
    given = case.solver.bounds
    if isinstance(shape, Solid):
        raise case.error("solver.bounds", "'off' for 3D domains (guaranteed bounds are "
                         "implemented for 2D polygons)", given)
    if not isinstance(shape, Polygon):
        raise case.error("solver.bounds", f"'off' for {shape.described} (guaranteed "
                         "bounds need a polygon meshed exactly: square, rectangle, lshape, "
                         "polygon)", given)
    neumann = sorted(set(shape.boundaries) - set(dirichlet))
    if neumann:
        raise case.error("solver.bounds", "'off' with Neumann boundaries (guaranteed "
                         f"bounds are for Dirichlet everywhere; Neumann: {', '.join(neumann)})",
                         given)
    if mpi_size() > 1:
        raise case.error("solver.bounds", f"'off' under mpiexec -n {mpi_size()} "
                         "(guaranteed bounds run on one process)", given)
    if case.solver.max_order < case.fem.order:
        raise case.error("solver.max_order", f"at least fem.order = {case.fem.order} "
                         "(the order guaranteed bounds climb to)", case.solver.max_order)
