"""Checks across sections of an ``eigen`` case, and what the run needs, built once.

Everything here runs before a byte is written (``pdekit check`` too) and imports no
NGSolve/PETSc/SLEPc/MPI: the Gmsh file is found and its boundary names read, boundary names
are checked against the geometry, the shift against the boundary conditions, and the
PETSc options of ``[solver.petsc]`` and the command line are parsed. The result is one
:class:`EigenSetup` handed to :func:`pdekit.fem.run.run`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from pdekit.fem.geometry import Shape, disk, gmsh_mesh, lshape, polygon, rectangle
from pdekit.fem.schema import BoundarySection, EigenCase, GeometrySection
from pdekit.petsc_options import OptionPairs, case_options
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
    """

    case: EigenCase
    shape: Shape
    dirichlet: frozenset[str]
    target: float
    options: OptionPairs
    levels: tuple[tuple[int, int], ...]


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
    """``[solver.petsc]`` and the options after ``--``, parsed once, table first."""
    return case_options(case, "solver.petsc", case.solver.petsc)


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
    return EigenSetup(case=case, shape=shape, dirichlet=dirichlet, target=target,
                      options=solver_options(case),
                      levels=tuple((order, refine) for order in orders for refine in refines))
