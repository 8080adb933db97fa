"""Checks across sections of an ``eigen`` case, and what the run needs, built once.

Everything here runs before a byte is written (``pdekit check`` too) and imports no
NGSolve/MPI, with two exceptions named below: the Gmsh file is read and checked in full,
boundary names are checked against the geometry (a CSG solid is built with
``netgen.occ`` to learn which faces its operations keep), the shift against the boundary
conditions, the domain's extent and the run's size (dofs, memory, written points, hp
layers) against what this machine holds (:mod:`pdekit.fem.solve.size`; a small level whose
estimate comes near ``solver.nev`` is meshed with NGSolve to count its free dofs,
:mod:`pdekit.fem.solve.dof_count`), and the PETSc options of ``[solver.petsc]`` and the command
line are tried on a tiny probe problem — which imports PETSc/SLEPc, only when there are
options. The result is one :class:`EigenSetup` handed to :func:`pdekit.fem.run.run`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

from pdekit.errors import HelpShown
from pdekit.fem.solve import size
from pdekit.fem.solve.bounds_check import check_bounds
from pdekit.fem.geometry.feature_size import SolidKeyError
from pdekit.fem.geometry.shapes2d import PLANE_SHAPES, Shape, gmsh_mesh
from pdekit.fem.solve.method import method_from_options
from pdekit.fem.solve.option_probe import check_options, show_help
from pdekit.fem.schema import SOLIDS, BoundarySection, EigenCase, GeometrySection
from pdekit.fem.setup import EigenSetup
from pdekit.fem.solve.dof_count import free_dofs, needs_count
from pdekit.fem.geometry.mesh_text import MeshFileError
from pdekit.fem.solve.size_check import check_size, estimate_levels
from pdekit.fem.geometry.solids import Solid, build_solid, mesh_file_solid
from pdekit.petsc_files import placed
from pdekit.petsc_options import (OptionPairs, OptionProblem, checked_command_line,
                                  checked_table, initialize_petsc, refuse_case_keys, refused,
                                  wants_help)
from pdekit.core.registry import did_you_mean

OPTIONS_SOURCE = "[solver.petsc] / options after --"
"""Where PETSc options come from, as named in error messages found at run time."""

CASE_KEY_OPTIONS = {
    "eps_nev": "solver.nev", "eps_ncv": "solver.ncv", "eps_tol": "solver.tol",
    "eps_max_it": "solver.max_it", "eps_target": "solver.target",
    "eps_interval": "solver.interval", "eps_lobpcg_blocksize": "solver.block_size",
    "eps_lobpcg_restart": "solver.restart", "eps_krylovschur_partitions": "solver.partitions",
    **{f"eps_{kind}": "solver.problem_type" for kind in (
        "hermitian", "gen_hermitian", "non_hermitian", "gen_non_hermitian",
        "pos_gen_non_hermitian", "gen_indefinite")}}
"""SLEPc options that set what a ``[solver]`` key sets (refused, naming the key)."""

MESH_BOUNDARY = "default"
"""Netgen's name for the boundary of a Gmsh mesh that declares no physical names."""


def gmsh_file(case: EigenCase) -> Path:
    """``geometry.file`` as an existing path, relative names taken beside the case file."""
    given = Path(case.geometry.file or "")
    path = given
    if not given.is_absolute():
        beside = case.source.parent / given
        path = beside if beside.exists() or not given.exists() else given
    if not path.is_file():
        raise case.error("geometry.file", "an existing Gmsh .msh or Netgen .vol file",
                         case.geometry.file)
    return path.resolve()


def mesh_shape(case: EigenCase) -> Shape | Solid:
    """The domain of a mesh file: a 3D :class:`Solid` (``.vol``, or a ``.msh`` with
    tetrahedra) or a checked 2D Gmsh mesh."""
    path = gmsh_file(case)
    try:
        return gmsh_mesh(path)
    except (OSError, ValueError) as error:
        try:
            solid = mesh_file_solid(path)
        except (OSError, ValueError) as error3d:
            raise case.error("geometry.file", str(error3d), case.geometry.file) from None
        if solid is None:
            raise case.error("geometry.file", f"a Gmsh text mesh ({error})",
                             case.geometry.file) from None
        return solid


def build_shape(case: EigenCase) -> Shape | Solid:
    """The 2D :class:`~pdekit.fem.geometry.shapes2d.Shape` or 3D :class:`Solid` of ``[geometry]``
    (reads a mesh file's boundary names; a mesh without names gets Netgen's one boundary
    name)."""
    geometry: GeometrySection = case.geometry
    if geometry.shape in SOLIDS:
        try:
            solid = build_solid(geometry)
        except SolidKeyError as error:
            raise case.error(f"geometry.{error.key}", error.expected, error.given) from None
        except ValueError as error:
            raise case.error("geometry", str(error).partition(": expected ")[2] or str(error),
                             geometry.shape) from None
        return kept_faces(case, solid) if geometry.shape == "csg" else solid
    if geometry.shape in PLANE_SHAPES:
        return PLANE_SHAPES[geometry.shape](geometry)
    return mesh_shape(case)


def kept_faces(case: EigenCase, solid: Solid) -> Solid:
    """A CSG solid with only the face names its operations leave (builds the OpenCascade
    solid: imports ``netgen.occ``; reads only ``case.geometry`` and ``case.error``).

    Raises
    ------
    pdekit.errors.CaseError
        For an empty result (``geometry.combine``).
    """
    assert solid.shape is not None
    try:
        kept = solid.shape.boundaries
    except ValueError as error:
        raise case.error("geometry.combine", str(error).partition(": expected ")[2],
                         case.geometry.combine) from None
    return replace(solid, boundaries=kept)


def dirichlet_set(boundary: BoundarySection, boundaries: list[str]) -> frozenset[str]:
    """Names of the Dirichlet boundaries after applying ``[boundary]``."""
    if boundary.default == "dirichlet":
        return frozenset(boundaries) - set(boundary.neumann)
    return frozenset(boundary.dirichlet)


def check_boundary_names(case: EigenCase, shape: Shape | Solid) -> None:
    """Every name in ``[boundary]`` is a boundary of the geometry (a CSG face its
    operations removed is named as such)."""
    boundaries = shape.boundaries
    removed = set(shape.shape.face_names()) - set(boundaries) \
        if isinstance(shape, Solid) and shape.shape is not None else set()
    for key, names in (("dirichlet", case.boundary.dirichlet),
                       ("neumann", case.boundary.neumann)):
        for name in names:
            if name in removed:
                raise case.error(f"boundary.{key}", f"a face the CSG result keeps (combine = "
                                 f"{case.geometry.combine!r} removes all of {name!r}; kept: "
                                 f"{', '.join(boundaries)})", name)
            if name not in boundaries:
                raise case.error(f"boundary.{key}", f"a boundary of this geometry "
                                 f"{did_you_mean(name, boundaries)}", name)


def solver_options(case: EigenCase) -> OptionPairs:
    """``[solver.petsc]`` and the options after ``--``, parsed once, table first, files
    only into the run folder (:mod:`pdekit.petsc_files`), and tried on a probe problem
    (see :func:`pdekit.fem.solve.option_probe.check_options`; its files go to a scratch folder)."""
    table = checked_table(case, "solver.petsc", case.solver.petsc)
    command_line = checked_command_line(case.solver_args)
    refuse_case_keys(case, "solver.petsc", table, command_line, CASE_KEY_OPTIONS)
    options = table + command_line
    check_multigrid(case)
    if case.solver.restart is not None and method_from_options(options) != "lobpcg":
        raise case.error("solver.restart", "no restart threshold unless SLEPc's LOBPCG runs "
                         "([solver.petsc] eps_type = 'lobpcg'): pdekit's own LOBPCG does "
                         "not restart", case.solver.restart)
    initialize_petsc(options)
    check_partitioner(case)
    if wants_help(options):
        with TemporaryDirectory(prefix="pdekit-help-") as scratch:
            show_help(placed(options, scratch), case.solver)
        raise HelpShown()
    if options:
        try:
            with TemporaryDirectory(prefix="pdekit-probe-") as scratch:
                check_options(placed(options, scratch), case.solver)
        except OptionProblem as problem:
            raise refused(problem, case, "solver.petsc", table, command_line) from None
    return options


def check_multigrid(case: EigenCase) -> None:
    """``solver.preconditioner = "multigrid"`` needs refinement levels on every level of
    the run and one rank (:mod:`pdekit.fem.solve.geometric_mg`)."""
    if case.solver.preconditioner != "multigrid":
        return
    refines = case.convergence.refine or [case.mesh.refine]
    if min(refines) < 1:
        key = "convergence.refine" if case.convergence.refine else "mesh.refine"
        raise case.error(key, "at least one uniform refinement for solver.preconditioner = "
                         "'multigrid' (it runs on the levels of the refinement hierarchy)",
                         case.convergence.refine or case.mesh.refine)
    from pdekit.launcher import mpi_size

    if mpi_size() > 1:
        raise case.error("solver.preconditioner", "'auto', 'gamg' or 'hypre' under mpiexec "
                         "(geometric multigrid runs on one rank)", "multigrid")


def check_partitioner(case: EigenCase) -> None:
    """``solver.partitioner = "graph"`` under mpiexec needs PT-Scotch or ParMETIS in PETSc."""
    if case.solver.partitioner != "graph":
        return
    from pdekit.fem.solve.partition import PARTITIONERS, available_partitioner
    from pdekit.launcher import mpi_size

    if mpi_size() > 1 and available_partitioner() is None:
        raise case.error("solver.partitioner", f"'auto' or 'rcb' (this PETSc has none of "
                         f"{', '.join(PARTITIONERS)})", "graph")


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
        check_boundary_names(case, shape)
        pure_neumann = not dirichlet_set(case.boundary, shape.boundaries)
    else:
        shape = replace(shape, boundaries=[MESH_BOUNDARY])
        pure_neumann = case.boundary.default == "neumann" and not case.boundary.dirichlet
    solver = case.solver
    if pure_neumann and solver.target == 0:
        raise case.error("solver.target", "a shift below 0 without Dirichlet boundaries "
                         "(the stiffness matrix is singular)", solver.target)
    dirichlet = dirichlet_set(case.boundary, shape.boundaries)
    check_bounds(case, shape, dirichlet)
    target = solver.target if solver.target is not None else (0.0 if dirichlet else -1.0)
    orders = case.convergence.orders or [case.fem.order]
    if solver.accuracy is not None:
        orders = accuracy_orders(case)
    refines = case.convergence.refine or [case.mesh.refine]
    levels = tuple((order, refine) for order in orders for refine in refines)
    hp_levels = {order: hp_layers(case, order) for order in orders}
    # An accuracy target climbs the orders only while they fit: the run checks each next
    # one (and stops with the numbers reached); here the first must fit.
    check_size(case, shape, dirichlet, levels[:1] if solver.accuracy else levels, hp_levels)
    options = solver_options(case)  # starts PETSc, before NGSolve may be imported
    check_nev(case, shape, dirichlet, levels, hp_levels)
    return EigenSetup(case=case, shape=shape, dirichlet=dirichlet, target=target,
                      options=options, levels=levels, hp_levels=hp_levels)


def check_nev(case: EigenCase, shape: Shape | Solid, dirichlet: frozenset[str],
              levels: tuple[tuple[int, int], ...], hp_levels: dict[int, int]) -> None:
    """``solver.nev`` against the exact free dofs of the smallest level, when that level is
    small and ``nev`` near its estimate (:mod:`pdekit.fem.solve.dof_count`)."""
    if case.solver.interval is not None:
        return  # nev is not used
    _, sizes = estimate_levels(case, shape, dirichlet, levels, hp_levels)
    estimate, (order, refine) = min(zip(sizes, levels), key=lambda pair: pair[0].dofs)
    if not needs_count(case.solver.nev, estimate.dofs):
        return
    mesh = case.mesh
    try:
        ndof = free_dofs(shape, dirichlet, order, maxh=mesh.maxh, refine=refine, hp=mesh.hp,
                         hp_levels=hp_levels[order], hp_factor=mesh.hp_factor,
                         curve_order=mesh.curve or order)
    except MeshFileError as error:
        raise case.error("geometry.file", str(error), case.geometry.file) from None
    if ndof <= case.solver.nev:
        raise case.error("solver.nev", f"fewer pairs than the {ndof} free dofs (p = {order}, "
                         f"{refine} refinements; refine the mesh)", case.solver.nev)


ACCURACY_FLOOR = 1e-14
"""Smallest ``solver.accuracy`` accepted: about 50 ε of double precision. Assembled
stiffness and mass matrices carry relative rounding errors of a few ε per entry, and the
eigenvalues of successive orders wander by some 1e-15…1e-14 relatively even when fully
converged (the L-shape's λ1 settles at 13 digits), so a smaller target would climb every
order to ``solver.max_order`` and fail."""


def accuracy_orders(case: EigenCase) -> list[int]:
    """The orders an accuracy target may use: ``fem.order`` … ``solver.max_order``
    (at least two, to compare; not with a convergence study over orders), for a target
    double precision can meet (:data:`ACCURACY_FLOOR`)."""
    if case.solver.accuracy is not None and case.solver.accuracy < ACCURACY_FLOOR:
        raise case.error("solver.accuracy", f"a target of at least {ACCURACY_FLOOR:g} "
                         "(eigenvalues in double precision carry rounding errors of about "
                         "that size; successive orders cannot agree more closely)",
                         case.solver.accuracy)
    if case.convergence.orders:
        raise case.error("solver.accuracy", "no accuracy target with convergence.orders "
                         "(the target chooses the orders)", case.solver.accuracy)
    if case.convergence.refine:
        raise case.error("solver.accuracy", "no accuracy target with convergence.refine "
                         "(the target raises the order on one mesh)", case.solver.accuracy)
    if case.solver.max_order <= case.fem.order:
        raise case.error("solver.max_order", f"an order above fem.order = {case.fem.order} "
                         "(an accuracy target compares successive orders)",
                         case.solver.max_order)
    return list(range(case.fem.order, case.solver.max_order + 1))


def hp_layers(case: EigenCase, order: int) -> int:
    """hp-grading layers at element order ``order``: ``mesh.hp_levels`` (refused beyond
    :func:`~pdekit.fem.solve.size.hp_layer_limit`), or the order capped at that limit."""
    if case.mesh.hp_factor < size.SMALLEST_HP_LAYER:
        # one layer already makes the innermost element hp_factor of its coarse size
        raise case.error("mesh.hp_factor", f"a ratio of at least {size.SMALLEST_HP_LAYER:g} "
                         "(one grading layer makes the innermost element that fraction of "
                         "its coarse size; below it rounding swamps the element)",
                         case.mesh.hp_factor)
    limit = size.hp_layer_limit(case.mesh.hp_factor)
    if case.mesh.hp_levels > limit:
        raise case.error("mesh.hp_levels", f"at most {limit} layers at hp_factor "
                         f"{case.mesh.hp_factor:g} (the innermost element would be "
                         f"{case.mesh.hp_factor:g}^{case.mesh.hp_levels} of its coarse size; "
                         f"below {size.SMALLEST_HP_LAYER:g} rounding swamps it)",
                         case.mesh.hp_levels)
    return min(case.mesh.hp_levels or order, limit)
