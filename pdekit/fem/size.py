"""How big an eigen run gets, estimated before anything is meshed.

Element counts
--------------
Netgen's 2D mesher fills a domain of area A with about ``ELEMENTS_PER_AREA · A / maxh²``
triangles (2.3 measured on squares, rectangles, disks, the L-shape and polygons at
maxh = 0.05 … 0.2; coarse meshes have fewer). Each uniform refinement multiplies the
count by 4; hp-grading adds about ``HP_ELEMENTS_PER_LAYER`` elements per layer and
singular corner (L-shape: 22 → 86 elements from 0 to 16 layers). A Gmsh file's elements
are counted in the file.

Degrees of freedom and memory
-----------------------------
H1 of order p on T triangles has about ``T p²/2`` dofs (V + E(p−1) + T(p−1)(p−2)/2 with
V ≈ T/2, E ≈ 3T/2); a matrix row holds about ``1.25 (p+1)(p+2)/2 + 2.5`` entries. The peak
memory of a run (meshing, assembly, MUMPS LU of A − σM with nested-dissection fill
~ N log N, Krylov–Schur basis) was measured on the unit square:

==========  ========  ==============
order p     dofs      peak − 195 MiB
==========  ========  ==============
1           45 798    114 MiB
1           184 121   507 MiB
4           46 113    146 MiB
4           184 321   608 MiB
8           45 745    310 MiB
==========  ========  ==============

and fitted by ``bytes per dof = 114 log2(N) + 89 · (entries per row)`` (within 14 % on all
five); :data:`BYTES_PER_DOF_LOG` and :data:`BYTES_PER_ENTRY` round those up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ELEMENTS_PER_AREA = 2.3
"""Netgen triangles per maxh² of area."""

HP_ELEMENTS_PER_LAYER = 4
"""Elements added per hp-grading layer and singular corner."""

BYTES_PER_DOF_LOG = 120.0
BYTES_PER_ENTRY = 100.0
BASE_BYTES = 200 * 2**20
"""NGSolve, PETSc, SLEPc and MUMPS loaded, nothing meshed yet (about 195 MiB)."""

MAX_OUTPUT_POINTS = 10**8
"""Points per written mode (a .vtu of about 3 GiB, a picture nobody can draw)."""

SMALLEST_HP_LAYER = 1e-12
"""Innermost hp layer relative to its coarse element: below this the element maps lose
their digits to rounding (coordinates carry 16)."""

LENGTH_RANGE = (1e-30, 1e10)
"""Domain extents Netgen meshes reliably (its tolerances are absolute; a square of side
1e15 fails to mesh, one of 1e-100 too): λ scales as 1/L², so scale the problem instead."""

MAX_COARSE_ELEMENTS = 1e15
"""Extent/maxh beyond this many coarse elements is refused before any further arithmetic."""


@dataclass(frozen=True)
class LevelSize:
    """Estimated size of one level.

    Attributes
    ----------
    elements
        Triangles after refinement and hp-grading.
    dofs
        H1 dofs of order p (all, boundary included).
    boundary_dofs
        Dofs on the boundary (an upper bound of what Dirichlet conditions remove).
    bytes
        Peak memory of the run, in bytes.
    krylov_bytes
        The part of ``bytes`` that grows with the Krylov subspace (``solver.nev``/``ncv``).
    """

    elements: float
    dofs: float
    boundary_dofs: float
    bytes: float
    krylov_bytes: float


def matrix_row_entries(order: int) -> float:
    """Non-zeros per matrix row of H1 order p on triangles (measured: 6.3 at p = 1,
    21.8 at p = 4, 56.8 at p = 8)."""
    return 1.25 * (order + 1) * (order + 2) / 2 + 2.5


def level_size(coarse_elements: float, boundary_edges: float, order: int, refine: int,
               hp_elements: float, ncv: int) -> LevelSize:
    """Estimate one level from its coarse mesh.

    Parameters
    ----------
    coarse_elements, boundary_edges
        Elements and boundary edges of the mesh before refinement.
    order, refine
        Element order and uniform refinements.
    hp_elements
        Elements added by hp-grading (after refinement).
    ncv
        Krylov subspace size (vectors of the basis, dense projected problem ncv²).
    """
    elements = coarse_elements * 4.0 ** refine + hp_elements
    edges = boundary_edges * 2.0 ** refine
    dofs = elements * order ** 2 / 2 + edges * order / 2 + 1
    per_dof = (BYTES_PER_DOF_LOG * math.log2(max(dofs, 2.0))
               + BYTES_PER_ENTRY * matrix_row_entries(order))
    krylov = 8.0 * max(ncv - 21, 0) * dofs + 24.0 * ncv ** 2
    return LevelSize(elements, dofs, edges * order, BASE_BYTES + per_dof * dofs + krylov,
                     krylov)


def hp_layer_limit(factor: float) -> int:
    """Most hp layers of ratio ``factor`` before the innermost one is below
    :data:`SMALLEST_HP_LAYER` of its coarse element (17 for the default 0.2)."""
    return max(1, int(math.log(SMALLEST_HP_LAYER) / math.log(factor)))


def output_points(elements: float, subdivision: int) -> tuple[float, float]:
    """Points and sub-triangles written per mode (lattice points are not shared between
    elements)."""
    s = max(1, subdivision)
    return elements * (s + 1) * (s + 2) / 2, elements * s * s


def output_bytes(elements: float, subdivision: int, modes: int) -> float:
    """Memory for sampling, gathering and writing ``modes`` modes (coordinates, values,
    the triangle list and a .vtu being written)."""
    points, triangles = output_points(elements, subdivision)
    return points * 8.0 * (modes + 6) + triangles * 8.0 * 7
