"""Checks across sections of an ``eigen`` case, and what the run needs, built once.

Everything here runs before a byte is written (``pdekit check`` too) and imports no
NGSolve/MPI: the Gmsh file is read and checked in full, boundary names are checked against
the geometry, the shift against the boundary conditions, the domain's extent and the
run's size (dofs, memory, written points, hp layers) against what this machine holds
(:mod:`pdekit.fem.size`), and the PETSc options of ``[solver.petsc]`` and the command line
are tried on a tiny probe problem — which imports PETSc/SLEPc, only when there are
options. The result is one :class:`EigenSetup` handed to :func:`pdekit.fem.run.run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from pdekit.errors import CaseError
from pdekit.fem import size
from pdekit.fem.geometry import (Shape, disk, gmsh_mesh, lshape, polygon, rectangle,
                                 singular_corners)
from pdekit.fem.option_probe import OptionProblem, check_options
from pdekit.fem.schema import BoundarySection, EigenCase, GeometrySection
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes
from pdekit.petsc_options import OptionPairs, parse_option_tokens, table_options
from pdekit.registry import did_you_mean

OPTIONS_SOURCE = "[solver.petsc] / options after --"
"""Where PETSc options come from, as named in error messages found at run time."""

MESH_BOUNDARY = "default"
"""Netgen's name for the boundary of a Gmsh mesh that declares no physical names."""


@dataclass(frozen=True)
class EigenSetup:
    """A validated eigen case and the objects built from it.

    Attributes
    ----------
    case
        The typed case (unchanged: a relative ``geometry.file`` stays as written).
    shape
        The geometry, with a Gmsh file resolved against the case file's folder.
    dirichlet
        Names of the Dirichlet boundaries.
    target
        The shift σ: ``solver.target``, or 0 (−1 without Dirichlet boundaries).
    options
        PETSc options database entries: ``[solver.petsc]`` then the command line.
    levels
        ``(order, refinements)`` per level: one, or a convergence study's grid.
    hp_levels
        Element order -> hp-grading layers (``mesh.hp_levels``, or the order capped by
        :func:`pdekit.fem.size.hp_layer_limit`).
    """

    case: EigenCase
    shape: Shape
    dirichlet: frozenset[str]
    target: float
    options: OptionPairs
    levels: tuple[tuple[int, int], ...]
    hp_levels: dict[int, int]


def gmsh_file(case: EigenCase) -> Path:
    """``geometry.file`` as an existing path, relative names taken beside the case file."""
    given = Path(case.geometry.file or "")
    path = given
    if not given.is_absolute():
        beside = case.source.parent / given
        path = beside if beside.exists() or not given.exists() else given
    if not path.is_file():
        raise case.error("geometry.file", "an existing Gmsh .msh file", case.geometry.file)
    return path.resolve()


def build_shape(case: EigenCase) -> Shape:
    """The :class:`~pdekit.fem.geometry.Shape` of ``[geometry]`` (reads a Gmsh file's
    boundary names; a mesh without names gets Netgen's one boundary name)."""
    geometry: GeometrySection = case.geometry
    if geometry.shape == "square":
        return rectangle(geometry.side, geometry.side)
    if geometry.shape == "rectangle":
        return rectangle(geometry.width, geometry.height)
    if geometry.shape == "lshape":
        return lshape()
    if geometry.shape == "disk":
        return disk(geometry.radius, geometry.center)
    if geometry.shape == "polygon":
        assert geometry.vertices is not None  # the section's validator saw to it
        return polygon(geometry.vertices, geometry.edge_names)
    try:
        return gmsh_mesh(gmsh_file(case))
    except (OSError, ValueError) as error:
        raise case.error("geometry.file", f"a Gmsh text mesh ({error})",
                         geometry.file) from None


def dirichlet_set(boundary: BoundarySection, boundaries: list[str]) -> frozenset[str]:
    """Names of the Dirichlet boundaries after applying ``[boundary]``."""
    if boundary.default == "dirichlet":
        return frozenset(boundaries) - set(boundary.neumann)
    return frozenset(boundary.dirichlet)


def check_boundary_names(case: EigenCase, boundaries: list[str]) -> None:
    """Every name in ``[boundary]`` is a boundary of the geometry."""
    for key, names in (("dirichlet", case.boundary.dirichlet),
                       ("neumann", case.boundary.neumann)):
        for name in names:
            if name not in boundaries:
                raise case.error(f"boundary.{key}", f"a boundary of this geometry "
                                 f"{did_you_mean(name, boundaries)}", name)


def solver_options(case: EigenCase) -> OptionPairs:
    """``[solver.petsc]`` and the options after ``--``, parsed once, table first, and
    tried on a probe problem (see :func:`pdekit.fem.option_probe.check_options`)."""
    try:
        table = table_options(case.solver.petsc)
    except ValueError as error:
        raise case.error("solver.petsc", str(error)) from None
    try:
        command_line = parse_option_tokens(case.solver_args)
    except ValueError as error:
        raise CaseError("command line", "--", str(error)) from None
    options = table + command_line
    if options:
        try:
            check_options(options, case.solver)
        except OptionProblem as problem:
            if any(name == problem.name for name, _ in command_line):
                raise CaseError("command line", f"-- -{problem.name}", problem.expected,
                                dict(command_line)[problem.name]) from None
            raise case.error(f"solver.petsc.{problem.name}", problem.expected,
                             dict(table)[problem.name]) from None
    return options


def prepare(case: EigenCase) -> EigenSetup:
    """Check what one section cannot check alone and build the run's inputs.

    Raises
    ------
    pdekit.errors.CaseError
        Naming the key at fault.
    """
    shape = build_shape(case)
    named = bool(shape.boundaries)  # a Gmsh file may name no boundaries at all
    if named:
        check_boundary_names(case, shape.boundaries)
        pure_neumann = not dirichlet_set(case.boundary, shape.boundaries)
    else:
        shape = replace(shape, boundaries=[MESH_BOUNDARY])
        pure_neumann = case.boundary.default == "neumann" and not case.boundary.dirichlet
    solver = case.solver
    if pure_neumann and solver.target == 0:
        raise case.error("solver.target", "a shift below 0 without Dirichlet boundaries "
                         "(the stiffness matrix is singular)", solver.target)
    dirichlet = dirichlet_set(case.boundary, shape.boundaries)
    target = solver.target if solver.target is not None else (0.0 if dirichlet else -1.0)
    orders = case.convergence.orders or [case.fem.order]
    refines = case.convergence.refine or [case.mesh.refine]
    levels = tuple((order, refine) for order in orders for refine in refines)
    hp_levels = {order: hp_layers(case, order) for order in orders}
    check_size(case, shape, dirichlet, levels, hp_levels)
    return EigenSetup(case=case, shape=shape, dirichlet=dirichlet, target=target,
                      options=solver_options(case), levels=levels, hp_levels=hp_levels)


def hp_layers(case: EigenCase, order: int) -> int:
    """hp-grading layers at element order ``order``: ``mesh.hp_levels`` (refused beyond
    :func:`~pdekit.fem.size.hp_layer_limit`), or the order capped at that limit."""
    limit = size.hp_layer_limit(case.mesh.hp_factor)
    if case.mesh.hp_levels > limit:
        raise case.error("mesh.hp_levels", f"at most {limit} layers at hp_factor "
                         f"{case.mesh.hp_factor:g} (the innermost element would be "
                         f"{case.mesh.hp_factor:g}^{case.mesh.hp_levels} of its coarse size; "
                         f"below {size.SMALLEST_HP_LAYER:g} rounding swamps it)",
                         case.mesh.hp_levels)
    return min(case.mesh.hp_levels or order, limit)


def extent_key(case: EigenCase) -> tuple[str, object]:
    """The key that sets the domain's size, and its value (for messages)."""
    geometry = case.geometry
    keys = {"square": "side", "lshape": "shape", "polygon": "vertices", "mesh": "file",
            "disk": "radius" if geometry.radius >= max(map(abs, geometry.center))
            else "center",
            "rectangle": "width" if geometry.width >= geometry.height else "height"}
    key = keys[geometry.shape]
    return f"geometry.{key}", getattr(geometry, key)


def coarse_mesh(case: EigenCase, shape: Shape) -> tuple[float, float]:
    """Estimated elements and boundary edges of the coarse mesh; refuses a domain outside
    :data:`~pdekit.fem.size.LENGTH_RANGE` or absurdly large against ``mesh.maxh``."""
    key, value = extent_key(case)
    (x0, y0), (x1, y1) = shape.bounds()
    farthest = max(abs(x0), abs(y0), abs(x1), abs(y1))  # inf when it overflowed
    low, high = size.LENGTH_RANGE
    if not farthest <= high:
        raise case.error(key, f"a domain within ±{high:g} of the origin ({farthest:.3g} "
                         "here; Netgen's tolerances are absolute, λ scales as 1/L²: "
                         "rescale the problem)", value)
    extent = math.hypot(x1 - x0, y1 - y0)
    if extent < low:
        raise case.error(key, f"a domain larger than {low:g} (rescale the problem)", value)
    if shape.mesh_file is not None:
        elements = shape.mesh_file.elements
        return float(elements), 4.0 * math.sqrt(elements)
    maxh = case.mesh.maxh
    log_ratio = math.log10(extent) - math.log10(maxh)
    if 2 * log_ratio > math.log10(size.MAX_COARSE_ELEMENTS):
        raise case.error("mesh.maxh", f"a mesh size that fits the domain (extent {extent:.3g} "
                         f"/ maxh {maxh:.3g}: about 1e{2 * log_ratio:.0f} elements)", maxh)
    ratio = 10.0 ** log_ratio
    return (max(size.ELEMENTS_PER_AREA * shape.fill_ratio() * ratio ** 2, 2.0),
            shape.perimeter_ratio() * ratio)


def estimate_levels(case: EigenCase, shape: Shape, dirichlet: frozenset[str],
                    levels: tuple[tuple[int, int], ...], hp_levels: dict[int, int]
                    ) -> tuple[float, list[size.LevelSize]]:
    """Coarse elements and the estimated size of each level (see :mod:`pdekit.fem.size`)."""
    coarse, edges = coarse_mesh(case, shape)
    corners = 0
    if shape.kind == "polygon" and case.mesh.hp:
        corners = len(singular_corners(shape.vertices,
                                       [name in dirichlet for name in shape.edge_names]))
    solver = case.solver
    ncv = solver.ncv or max(2 * solver.nev, solver.nev + 15)
    return coarse, [size.level_size(coarse, edges, order, refine,
                                    size.HP_ELEMENTS_PER_LAYER * hp_levels[order] * corners,
                                    ncv)
                    for order, refine in levels]


def check_size(case: EigenCase, shape: Shape, dirichlet: frozenset[str],
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
        subdivision = output.subdivision or max(order, case.mesh.curve or order, 1)
        points, _ = size.output_points(sizes[-1].elements, subdivision)
        needed = size.output_bytes(sizes[-1].elements, subdivision, modes)
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
        "convergence.refine" if study.refine else "mesh.refine": refine * math.log(4.0),
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
