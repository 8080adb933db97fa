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

from pdekit.fem.solve.factorization import AMG_MAX_ROW_NNZ, DIRECT_3D_MAX_DOFS

ELEMENTS_PER_AREA = 2.3
"""Netgen triangles per maxh² of area."""

HP_ELEMENTS_PER_LAYER = 4
"""Elements added per hp-grading layer and singular corner."""

ELEMENTS_PER_VOLUME = 6.5
"""Netgen tetrahedra per maxh³ of volume (measured at maxh = 0.5, 0.25, 0.15: box 3.5,
6.2, 6.9; ball 3.2, 3.7, 3.9; Fichera corner 5.2, 6.4, 6.2; cylinder 4.3, 4.7, 5.4)."""

HP3_ELEMENTS_PER_LAYER = 16
"""Elements added per hp layer and stretch of singular edge as long as the mesh size
(the Fichera corner at maxh 0.5, three edges of length 1: 289 tetrahedra, +95 per layer)."""

ROW_ENTRIES_3D = (3.5, 6.0)
"""Entries per matrix row on tetrahedra ≈ a (p+1)(p+2)(p+3)/6 + b (see
:func:`matrix_row_entries_3d`)."""

FILL_BYTES_3D = 18.0
"""Bytes per dof per N^(1/3) and √(entries per row) of the 3D factorization and run.
Calibrated on three runs of ``cases/eigen_cube.toml`` (maxh 0.5, output off, peak RSS
minus the 195 MiB base; estimate with these constants):

=======  ======  ===========  ===========  ==========
refine   p       free dofs    measured     estimated
=======  ======  ===========  ===========  ==========
2        2       1 863        17 MiB       16 MiB
2        3       6 843        62 MiB       96 MiB
3        2       16 911       141 MiB      167 MiB
=======  ======  ===========  ===========  ==========

(the estimate counts all dofs, Dirichlet ones too, so it errs high). Three small runs
cannot pin the N^(1/3) growth of a nested-dissection factor; it is assumed from theory
(George 1973), not measured here."""

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
    dim: int = 2


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


def output_points(elements: float, subdivision: int, dim: int = 2) -> tuple[float, float]:
    """Points and sub-cells (triangles, tetrahedra) written per mode (lattice points are
    not shared between elements)."""
    s = max(1, subdivision)
    if dim == 3:
        return elements * (s + 1) * (s + 2) * (s + 3) / 6, elements * s ** 3
    return elements * (s + 1) * (s + 2) / 2, elements * s * s


def output_bytes(elements: float, subdivision: int, modes: int, dim: int = 2) -> float:
    """Memory for sampling, gathering and writing ``modes`` modes (coordinates, values,
    the cell list and a .vtu being written)."""
    points, cells = output_points(elements, subdivision, dim)
    return points * 8.0 * (modes + 6) + cells * 8.0 * (dim + 4)


def dofs_per_tetrahedron(order: int) -> float:
    """H1 dofs of order p per tetrahedron: ``V + E(p−1) + F(p−1)(p−2)/2 +
    T(p−1)(p−2)(p−3)/6`` with the ratios V/T ≈ 0.25, E/T ≈ 1.4, F/T ≈ 2.1 of small
    Netgen meshes (measured on the unit cube: 0.34, 1.95, 5.84, 13.0 dofs per
    tetrahedron at p = 1…4; large meshes tend to 1/6, 7/6, 2)."""
    p = order
    return 0.25 + 1.4 * (p - 1) + 1.05 * (p - 1) * (p - 2) + (p - 1) * (p - 2) * (p - 3) / 6


def matrix_row_entries_3d(order: int) -> float:
    """Non-zeros per matrix row of H1 order p on tetrahedra (measured: see
    :data:`FILL_BYTES_3D`)."""
    return ROW_ENTRIES_3D[0] * (order + 1) * (order + 2) * (order + 3) / 6 + ROW_ENTRIES_3D[1]


ITERATIVE_BYTES_PER_ENTRY = 60.0
ITERATIVE_BYTES_PER_TETRAHEDRON = 400.0
"""Peak memory on the iterative path (no factor): per matrix entry (NGSolve's and PETSc's A
and M, A − σM, the AMG hierarchy) and per tetrahedron (Netgen's and NGSolve's mesh). Fitted
to two unit-cube runs: P1, 1.12e6 dofs, 6.4e6 tetrahedra, 3.3 GiB peak; P2, 1.25e6 dofs,
0.9e6 tetrahedra, at least 2.9 GiB (≈ 52 B per entry, 350 B per tetrahedron; rounded up)."""


def level_size_3d(coarse_elements: float, order: int, refine: int, hp_elements: float,
                  ncv: int, factorization: str = "auto") -> LevelSize:
    """Estimate one 3D level: ``8^refine`` times the coarse tetrahedra plus the hp layers;
    memory per dof ``FILL_BYTES_3D · N^(1/3) + BYTES_PER_ENTRY · entries per row`` (a
    nested-dissection factor of a 3D mesh holds ~N^(4/3) entries), or, where
    ``factorization`` is or would be (``"auto"``, :func:`pdekit.fem.solve.factorization.choose`)
    CG + AMG, ``ITERATIVE_BYTES_PER_ENTRY · entries per row``."""
    elements = coarse_elements * 8.0 ** refine + hp_elements
    dofs = elements * dofs_per_tetrahedron(order) + 1
    entries = matrix_row_entries_3d(order)
    iterative = factorization.startswith("iterative") or (
        factorization == "auto" and dofs > DIRECT_3D_MAX_DOFS and entries <= AMG_MAX_ROW_NNZ)
    per_dof = (ITERATIVE_BYTES_PER_ENTRY * entries
               + ITERATIVE_BYTES_PER_TETRAHEDRON * elements / dofs if iterative else
               FILL_BYTES_3D * dofs ** (1 / 3) * math.sqrt(entries) + BYTES_PER_ENTRY * entries)
    krylov = 8.0 * max(ncv - 21, 0) * dofs + 24.0 * ncv ** 2
    boundary = 4.0 * elements ** (2 / 3) * order ** 2
    return LevelSize(elements, dofs, boundary, BASE_BYTES + per_dof * dofs + krylov, krylov,
                     dim=3)
