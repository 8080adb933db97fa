"""How big a finite-element ``turing`` run gets, estimated before anything is meshed.

Elements come from the eigen kind's measured Netgen densities
(:data:`pdekit.fem.solve.size.ELEMENTS_PER_AREA` triangles per maxh² of area, also on curved
surfaces; :data:`pdekit.fem.solve.size.ELEMENTS_PER_VOLUME` tetrahedra per maxh³), times 4 (2D,
surfaces) or 8 (3D) per uniform refinement; mesh files count their own elements. Dofs and
peak memory use the eigen kind's fitted model (:func:`pdekit.fem.solve.size.level_size`,
:func:`~pdekit.fem.solve.size.level_size_3d`: matrices and a direct factorization, which covers
the integrator's factorizations per step size too) plus the Lanczos basis of the mode
analysis (at most :data:`pdekit.fe.modes.MODE_VALUES` numbers).
"""

from __future__ import annotations

import math

from pdekit.fe.modes import MAX_MODES, MODE_VALUES
from pdekit.fe.surfaces import Surface
from pdekit.fem.solve import size
from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.geometry.solids import Solid

class TooLarge(ValueError):
    """The mesh size cannot fit the domain: the message says by how much."""


def coarse_elements(shape: Shape | Solid | Surface, maxh: float) -> float:
    """Elements of the mesh before refinement (counted in mesh files).

    Raises
    ------
    TooLarge
        When extent / maxh would give more than
        :data:`pdekit.fem.solve.size.MAX_COARSE_ELEMENTS` elements.
    """
    if isinstance(shape, Surface):
        if shape.file_triangles():
            return float(shape.file_triangles())
    elif shape.from_file:
        return float(shape.file_elements)
    lower, upper = shape.bounds()
    extent = math.dist(tuple(lower), tuple(upper))
    dim = 3 if isinstance(shape, Solid) else 2
    log_ratio = math.log10(extent) - math.log10(maxh)
    if dim * log_ratio > math.log10(size.MAX_COARSE_ELEMENTS):
        raise TooLarge(f"extent {extent:.3g} / maxh {maxh:.3g}: about "
                       f"1e{dim * log_ratio:.0f} elements")
    if isinstance(shape, Solid):
        return max(size.ELEMENTS_PER_VOLUME * shape.volume / maxh ** 3, 5.0)
    area = shape.area() if isinstance(shape, Surface) else \
        shape.fill_ratio() * extent ** 2
    return max(size.ELEMENTS_PER_AREA * area / maxh ** 2, 2.0)


def run_size(shape: Shape | Solid | Surface, maxh: float, refine: int, order: int
             ) -> tuple[float, float]:
    """Estimated dofs and peak memory (bytes) of the run."""
    coarse = coarse_elements(shape, maxh)
    if isinstance(shape, Solid):
        level = size.level_size_3d(coarse, order, refine, 0.0, 0, "direct")
    else:
        level = size.level_size(coarse, 0.0, order, refine, 0.0, 0)
    lanczos = 8.0 * min(MODE_VALUES, 2 * MAX_MODES * level.dofs)
    return level.dofs, level.bytes + lanczos
