"""Size checks of an ``eigen`` case before anything is meshed: the domain's extent, the
estimated elements, dofs and memory of each level (numbers from :mod:`pdekit.fem.solve.size`),
and the key to blame when a run cannot fit."""

from __future__ import annotations

import math

from pdekit.fem.solve import size
from pdekit.fem.geometry.shapes2d import Shape
from pdekit.fem.schema import EigenCase
from pdekit.fem.setup import EigenSetup
from pdekit.fem.geometry.solids import Solid
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes

EXTENT_KEYS_3D = {"box": "sizes", "ball": "radius", "cylinder": "radius", "fichera": "half",
                  "prism": "vertices", "csg": "primitives"}


def extent_key(case: EigenCase) -> tuple[str, object]:
    """The key that sets the domain's size, and its value (for messages)."""
    geometry = case.geometry
    center = geometry.center or [0.0]
    keys = {"square": "side", "lshape": "shape", "polygon": "vertices", "mesh": "file",
            "disk": "radius" if geometry.radius >= max(map(abs, center)) else "center",
            "rectangle": "width" if geometry.width >= geometry.height else "height",
            **EXTENT_KEYS_3D}
    key = keys[geometry.shape]
    return f"geometry.{key}", getattr(geometry, key)


def coarse_mesh(case: EigenCase, shape: Shape | Solid) -> tuple[float, float]:
    """Estimated elements and boundary edges of the coarse mesh (3D: no edges); refuses a
    domain outside :data:`~pdekit.fem.solve.size.LENGTH_RANGE` or absurdly large against
    ``mesh.maxh``."""
    key, value = extent_key(case)
    lower, upper = shape.bounds()
    farthest = max(map(abs, (*lower, *upper)))  # inf when it overflowed
    low, high = size.LENGTH_RANGE
    if not farthest <= high:
        raise case.error(key, f"a domain within ±{high:g} of the origin ({farthest:.3g} "
                         "here; Netgen's tolerances are absolute, λ scales as 1/L²: "
                         "rescale the problem)", value)
    extent = math.dist(lower, upper)
    if extent < low:
        raise case.error(key, f"a domain larger than {low:g} (rescale the problem)", value)
    if shape.from_file:  # counted from the file; 2D: about 4 sqrt(n) boundary edges
        elements = shape.file_elements
        return float(elements), (0.0 if isinstance(shape, Solid) else 4.0 * math.sqrt(elements))
    maxh = case.mesh.maxh
    dim = 3 if isinstance(shape, Solid) else 2
    log_ratio = math.log10(extent) - math.log10(maxh)
    if dim * log_ratio > math.log10(size.MAX_COARSE_ELEMENTS):
        raise case.error("mesh.maxh", f"a mesh size that fits the domain (extent {extent:.3g} "
                         f"/ maxh {maxh:.3g}: about 1e{dim * log_ratio:.0f} elements)", maxh)
    ratio = 10.0 ** log_ratio
    if isinstance(shape, Solid):
        fill = shape.volume / extent ** 3
        return max(size.ELEMENTS_PER_VOLUME * fill * ratio ** 3, 5.0), 0.0
    return (max(size.ELEMENTS_PER_AREA * shape.fill_ratio() * ratio ** 2, 2.0),
            shape.perimeter_ratio() * ratio)


def singular_edge_length(case: EigenCase, shape: Solid, dirichlet: frozenset[str]) -> float:
    """Length of the edges hp-grading will refine toward, guessed without Netgen by the
    solid itself (:meth:`~pdekit.fem.geometry.shapes3d.Shape3D.graded_edge_length`); none
    for mesh files or without ``mesh.hp``."""
    if not case.mesh.hp or shape.shape is None:
        return 0.0
    return shape.shape.graded_edge_length(dirichlet)


def estimate_levels(case: EigenCase, shape: Shape | Solid, dirichlet: frozenset[str],
                    levels: tuple[tuple[int, int], ...], hp_levels: dict[int, int]
                    ) -> tuple[float, list[size.LevelSize]]:
    """Coarse elements and the estimated size of each level (see :mod:`pdekit.fem.solve.size`)."""
    coarse, edges = coarse_mesh(case, shape)
    solver = case.solver
    ncv = solver.ncv or max(2 * solver.nev, solver.nev + 15)
    if isinstance(shape, Solid):
        length = singular_edge_length(case, shape, dirichlet)
        return coarse, [size.level_size_3d(
            coarse, order, refine, size.HP3_ELEMENTS_PER_LAYER * hp_levels[order]
            * length / case.mesh.maxh * 2.0 ** refine, ncv, solver.factorization)
            for order, refine in levels]
    corners = len(shape.singular_corners(dirichlet)) if case.mesh.hp else 0
    return coarse, [size.level_size(coarse, edges, order, refine,
                                    size.HP_ELEMENTS_PER_LAYER * hp_levels[order] * corners,
                                    ncv)
                    for order, refine in levels]


def check_size(case: EigenCase, shape: Shape | Solid, dirichlet: frozenset[str],
               levels: tuple[tuple[int, int], ...], hp_levels: dict[int, int]) -> None:
    """Refuse a run that cannot fit: memory per level, ``solver.nev`` against the dofs,
    points written per mode; each message names the key that drives the size."""
    coarse, sizes = estimate_levels(case, shape, dirichlet, levels, hp_levels)
    solver = case.solver
    budget = gib(0.8 * physical_memory_bytes())
    smallest = min(estimate.dofs for estimate in sizes)
    if solver.nev > 2 * smallest:  # the estimate is good to a factor 2; the run checks
        raise case.error("solver.nev", f"fewer pairs than the dofs (about {smallest:.3g} "
                         "on the coarsest level; refine the mesh)", solver.nev)
    for (order, refine), estimate in zip(levels, sizes):
        if not fits_in_memory(estimate.bytes):
            key, value = size_driver(case, coarse, order, refine, estimate)
            raise case.error(key, f"a problem that fits in memory (p = {order}, {refine} "
                             f"refinements: about {estimate.dofs:.3g} dofs, "
                             f"{gib(estimate.bytes)} needed, {budget} here)", value)
    output = case.output
    modes = min(max(output.modes, output.plot), solver.nev)
    order, refine = levels[-1]
    if modes:
        dim = 3 if isinstance(shape, Solid) else 2
        subdivision = output.subdivision or auto_subdivision(dim, order, case.mesh.curve)
        points, _ = size.output_points(sizes[-1].elements, subdivision, dim)
        needed = size.output_bytes(sizes[-1].elements, subdivision, modes, dim)
        if points > size.MAX_OUTPUT_POINTS or not fits_in_memory(needed + sizes[-1].bytes):
            key, value = ("output.subdivision", output.subdivision) if output.subdivision \
                else size_driver(case, coarse, order, refine, sizes[-1])
            raise case.error(key, f"output of at most {size.MAX_OUTPUT_POINTS:.0e} points "
                             f"per mode (about {points:.3g} points at subdivision "
                             f"{subdivision}, {gib(needed)} to write {modes} modes)", value)


def size_driver(case: EigenCase, coarse: float, order: int, refine: int,
                estimate: size.LevelSize) -> tuple[str, object]:
    """The key whose factor contributes most to a level's size, and its value."""
    study = case.convergence
    factors = {
        "mesh.maxh" if case.geometry.shape != "mesh" else "geometry.file": math.log(coarse),
        "convergence.refine" if study.refine else "mesh.refine": refine * math.log(
            8.0 if estimate.dim == 3 else 4.0),
        "convergence.orders" if study.orders else "fem.order":
            math.log(order ** 2 * size.matrix_row_entries(order) / size.matrix_row_entries(1)),
    }
    if estimate.krylov_bytes > estimate.bytes / 2:
        return ("solver.ncv", case.solver.ncv) if case.solver.ncv \
            else ("solver.nev", case.solver.nev)
    key = max(factors, key=lambda name: factors[name])
    values = {"mesh.maxh": case.mesh.maxh, "geometry.file": case.geometry.file,
              "mesh.refine": case.mesh.refine, "convergence.refine": study.refine,
              "fem.order": case.fem.order, "convergence.orders": study.orders}
    return key, values[key]


def auto_subdivision(dim: int, order: int, curve: int) -> int:
    """Output subdivision when ``output.subdivision`` is 0: ``max(p, curve)`` in 2D; in 3D
    capped at 3 (``s³`` sub-tetrahedra per element: p = 6 would write 216 per tet)."""
    auto = max(order, curve or order, 1)
    return min(auto, 3) if dim == 3 else auto


def level_fits(setup: EigenSetup, order: int, refine: int) -> tuple[bool, size.LevelSize]:
    """Whether one more level of an accuracy target fits in memory, and its estimate."""
    _, (estimate,) = estimate_levels(setup.case, setup.shape, setup.dirichlet,
                                     ((order, refine),), setup.hp_levels)
    return fits_in_memory(estimate.bytes), estimate


