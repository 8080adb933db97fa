"""The levels of an eigen run (mesh, assemble, solve each) and their errors and rates.

A level is an element order p and a number of uniform refinements; a case without a
``[convergence]`` study has one. :func:`solve_level` returns the numbers as a
:class:`Level` and, separately, the live NGSolve/PETSc objects (:class:`Solution`) that
only the last level keeps, for writing its modes. :func:`run_study` solves every level;
:meth:`StudyOutcome.compare_with_reference` adds errors and observed rates.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from pdekit.errors import CaseError, NumericalError
from pdekit.fem.prepare import OPTIONS_SOURCE, EigenSetup
from pdekit.fem.solve.geometric_mg import refinement_hierarchy


@dataclass
class Level:
    """The numbers of one solved level (everything here is valid on every rank).

    ``errors`` (relative, against the reference) and ``rates_h`` (observed orders in h
    along the refinements of one order) are filled in once every level is solved.
    """

    order: int
    refine: int
    h: float
    ndof: int
    ndof_total: int
    elements: int
    vertices: int
    singular_corners: list[int]
    singular_edges: list[dict[str, Any]]
    hp_levels: int
    curve_order: int
    eigenvalues: list[float]
    residuals: list[float]
    error_estimates: list[float]
    clusters: list[dict[str, Any]]
    iterations: int
    converged: int
    solver: dict[str, Any]
    timings: dict[str, float]
    measures: dict[str, Any] | None = None
    """Volume and Dirichlet/Neumann boundary measures (:mod:`pdekit.fem.solve.weyl`), where the
    Weyl-law picture is drawn."""
    workers: list[dict[str, Any]] | None = None
    """Per rank: its elements and its mesh and assembly seconds."""
    errors: list[float | None] | None = None
    rates_h: list[float | None] | None = None

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json`` (``rates_h`` only where rates were computed)."""
        data = asdict(self)
        if self.rates_h is None:
            del data["rates_h"]
        return data


@dataclass
class StudyOutcome:
    """The levels of a run and what they are compared against.

    Attributes
    ----------
    levels
        Every solved level, in run order (the last one is reported in full).
    reference, reference_kind
        Reference eigenvalues (``None`` where unknown) and where they come from
        (``"given"``, ``"exact"``, ``"published"``, ``"richardson"`` or ``"none"``).
    compare
        How many eigenvalues a convergence study tabulates.
    rates
        ``"p=<order> lambda<i>"`` -> observed rates in h (studies only).
    """

    levels: list[Level]
    reference: list[float | None] | None
    reference_kind: str
    compare: int
    rates: dict[str, list[float | None]] = field(default_factory=dict)
    accuracy: Any = None
    """The :class:`~pdekit.fem.solve.accuracy.OrderEstimate` of an accuracy target."""

    @property
    def final(self) -> Level:
        return self.levels[-1]

    @property
    def is_study(self) -> bool:
        return len(self.levels) > 1

    def compare_with_reference(self) -> None:
        """Fill in each level's errors and the observed rates; without a built-in or given
        reference a study uses Richardson extrapolation of its last order."""
        from pdekit.fem.solve.reference import relative_errors

        if self.reference is None and self.is_study:
            self.reference = richardson_reference(self.levels, self.compare)
            self.reference_kind = "richardson"
        for level in self.levels:
            level.errors = relative_errors(level.eigenvalues, self.reference) \
                if self.reference else None
        if self.is_study:
            self.rates = study_rates(self.levels, self.compare, self.reference)


@dataclass
class Solution:
    """The live objects of a solved level: this rank's mesh part, the discretization
    (space, matrices) and the kept eigenvectors (PETSc, free dofs)."""

    mesh: Any
    discretization: Any
    vectors: list[Any]


@contextmanager
def _timed(context: Any, name: str, times: dict[str, float]) -> Iterator[None]:
    """``context.phase(name)`` (the one timer), also noting this level's share in ``times``."""
    before = context.timings.get(name, 0.0)
    try:
        with context.phase(name):
            yield
    finally:
        times[name] = context.timings[name] - before


def solve_level(setup: EigenSetup, context: Any, comm: Any, order: int, refine: int
                ) -> tuple[Level, Solution]:
    """Mesh, assemble and solve one level.

    Raises
    ------
    CaseError
        For an unreadable mesh file, ``nev`` not below the number of free dofs, or PETSc
        options SLEPc rejects or never reads.
    NumericalError
        When SLEPc fails or converges fewer than ``nev`` pairs (the latter on every rank
        together: ``error.collective``).
    """
    from pdekit.fem.solve.assembly import assemble
    from pdekit.fem.geometry.mesh import MeshFileError, build_mesh
    from pdekit.fem.solve.slepc_solver import (MethodSettings, SolverFailure, SolverSetupError,
                                         UnusedOptionsError, clusters, solve_eigen)
    from pdekit.fem.solve.weyl import domain_measures, weyl_eigenvalue

    case, target, options = setup.case, setup.target, setup.options
    solver = case.solver
    if comm.size % solver.partitions:
        raise case.error("solver.partitions", f"a divisor of the {comm.size} ranks",
                         solver.partitions)
    times: dict[str, float] = {}
    with _timed(context, "mesh", times):
        try:
            mesh, info = build_mesh(
                setup.shape, set(setup.dirichlet), maxh=case.mesh.maxh, refine=refine,
                hp=case.mesh.hp, hp_levels=setup.hp_levels[order],
                hp_factor=case.mesh.hp_factor, curve_order=case.mesh.curve or order,
                comm=comm)
        except MeshFileError as error:
            raise case.error("geometry.file", str(error), case.geometry.file) from None
    with _timed(context, "assembly", times):
        # under MPI the rows come split by a partition: every rank owns a compact part
        disc = assemble(mesh, order, set(setup.dirichlet), solver.partitioner)
    interval = tuple(solver.interval) if solver.interval is not None else None
    if disc.ndof <= solver.nev and interval is None:
        raise case.error("solver.nev", f"fewer pairs than the {disc.ndof} free dofs "
                         "(refine the mesh)", solver.nev)
    # Each phase ends in collective operations: a rank without elements waits for the
    # others, so these times show the work of the slowest rank and who did it.
    workers = comm.allgather({"elements": mesh.ne, "mesh_s": times["mesh"],
                              "assembly_s": times["assembly"]})
    measures = domain_measures(mesh, setup.dirichlet)
    failure_data = {"target": target, "ndof": disc.ndof}
    with _timed(context, "solve", times):
        try:
            result = solve_eigen(disc.A, disc.M, nev=solver.nev, target=target,
                                 ncv=solver.ncv, tol=solver.tol, max_it=solver.max_it,
                                 problem_type=solver.problem_type, method=solver.method,
                                 factorization=solver.factorization, dim=mesh.dim,
                                 stiffness_definite=bool(setup.dirichlet),
                                 factor_budget_bytes=None if solver.factor_memory is None
                                 else solver.factor_memory * 2**30,
                                 settings=MethodSettings(
                                     preconditioner=solver.preconditioner,
                                     hierarchy=refinement_hierarchy(mesh, disc.space, comm),
                                     block_size=solver.block_size, restart=solver.restart,
                                     interval=interval, partitions=solver.partitions),
                                 weyl_guess=lambda n: weyl_eigenvalue(n, measures),
                                 options=options)
        except SolverSetupError as error:
            if options:  # most likely the user's options; say where they came from
                raise CaseError(OPTIONS_SOURCE, "solver.petsc",
                                f"options SLEPc accepts ({error})") from None
            raise NumericalError(str(error), failure_data) from None
        except UnusedOptionsError as error:
            raise CaseError(OPTIONS_SOURCE, "solver.petsc", str(error)) from None
        except SolverFailure as error:
            raise NumericalError(str(error), failure_data) from None
    if result.converged < solver.nev and interval is None:
        error = NumericalError(
            f"SLEPc converged {result.converged} of {solver.nev} eigenpairs after "
            f"{result.iterations} iterations (tol {solver.tol:g}, max_it "
            f"{solver.max_it}, ncv {result.settings['ncv']}, {disc.ndof} dofs); "
            f"converged: {[f'{v:.10g}' for v in result.eigenvalues]}",
            {"converged": result.converged, "requested": solver.nev,
             "iterations": result.iterations, "eigenvalues": result.eigenvalues,
             "ndof": disc.ndof}, collective=True)  # every rank raises it
        raise error
    # Keep the pairs nearest the target, in ascending order (an interval: all of them).
    keep = sorted(sorted(range(result.converged),
                         key=lambda i: abs(result.eigenvalues[i] - target))[:solver.nev]) \
        if interval is None else list(range(result.converged))
    values = [result.eigenvalues[i] for i in keep]
    groups = clusters(values, solver.cluster_rtol)
    level = Level(
        order=order, refine=refine, h=case.mesh.maxh * 0.5 ** refine,
        ndof=disc.ndof, ndof_total=disc.ndof_total,
        elements=info.elements, vertices=info.vertices,
        singular_corners=info.singular_corners, singular_edges=info.singular_edges,
        hp_levels=info.hp_levels,
        curve_order=info.curve_order, eigenvalues=values,
        residuals=[result.residuals[i] for i in keep],
        error_estimates=[result.estimates[i] for i in keep],
        clusters=[{"mean": sum(values[i] for i in g) / len(g), "multiplicity": len(g),
                   "indices": g} for g in groups],
        iterations=result.iterations, converged=result.converged,
        solver={**result.settings, **_partition_report(disc)}, timings=times,
        measures=measures.as_dict(), workers=workers)
    return level, Solution(mesh, disc, [disc.to_ngsolve_numbering(result.vectors[i])
                                        for i in keep])


def _partition_report(disc: Any) -> dict[str, Any]:
    """summary.json's words on the split of the rows over the ranks (part of assembly)."""
    parts = disc.partition
    if parts is None:
        return {"partitioner": None, "rows_per_rank": [disc.ndof], "partition_s": 0.0}
    return {"partitioner": parts.partitioner, "rows_per_rank": parts.rows_per_rank,
            "partition_s": parts.seconds}


def run_study(setup: EigenSetup, context: Any, comm: Any) -> tuple[StudyOutcome, Solution]:
    """Solve every level of the case in order (one unless a study is asked for).

    Returns
    -------
    outcome, solution
        The numbers of all levels (errors not yet filled in) and the live objects of the
        last level.
    """
    nev = setup.case.solver.nev
    target = setup.case.solver.accuracy
    reference, reference_kind = built_in_reference(setup, nev)
    levels: list[Level] = []
    solution: Solution | None = None
    reached = None
    # A bar over one level would stand at 0 % for the whole run: none then.
    progress = context.progress(len(setup.levels), "levels", "level") \
        if len(setup.levels) > 1 else None
    try:
        for order, refine in setup.levels:
            if target is not None and levels:
                check_next_order(setup, levels, reached, order, refine)
            solution = None  # free the previous level's mesh and matrices first
            level, solution = solve_level(setup, context, comm, order, refine)
            context.log(f"p={order} refine={refine}: {level.ndof} dofs, " + (
                f"λ1 = {level.eigenvalues[0]:.15g}" if level.eigenvalues
                else "no eigenvalue in the interval"))
            levels.append(level)
            if progress is not None:
                progress.update(1)
            if target is not None and len(levels) >= 2:
                reached = accuracy_estimate(levels, target)
                context.log(f"p={order}: orders agree to {max(reached.differences):.2e}, "
                            f"estimated error {max(reached.estimates):.2e} (target "
                            f"{target:g})")
                if reached.reached:
                    break
    finally:  # cleared before any error line is printed
        if progress is not None:
            progress.close()
    assert solution is not None
    if target is not None and not (reached and reached.reached):
        raise accuracy_failure(levels, reached, "the order limit solver.max_order = "
                               f"{setup.case.solver.max_order}")
    compare = min(setup.case.convergence.compare or min(nev, 4), nev)
    return StudyOutcome(levels, reference, reference_kind, compare,
                        accuracy=reached), solution


def accuracy_estimate(levels: list[Level], target: float) -> Any:
    """The :mod:`~pdekit.fem.solve.accuracy` estimate over the orders solved so far."""
    from pdekit.fem.solve.accuracy import estimate

    return estimate([level.eigenvalues for level in levels],
                    [level.order for level in levels], target)


def check_next_order(setup: EigenSetup, levels: list[Level], reached: Any, order: int,
                     refine: int) -> None:
    """Stop an accuracy target (exit 1, with the numbers) when the next order would not
    fit in memory."""
    from pdekit.fem.solve.size_check import level_fits
    from pdekit.memory import gib

    fits, estimate = level_fits(setup, order, refine)
    if not fits:
        raise accuracy_failure(levels, reached, f"the memory budget (p = {order} needs "
                               f"about {gib(estimate.bytes)} for {estimate.dofs:.3g} dofs)")


def accuracy_failure(levels: list[Level], reached: Any, limit: str) -> NumericalError:
    """The error an accuracy target ends in when ``limit`` comes first (every rank)."""
    last = levels[-1]
    agreed = f"{max(reached.differences):.2e}" if reached else "-"
    return NumericalError(
        f"accuracy target {reached.target if reached else '-'} not reached before {limit}: "
        f"orders {levels[0].order}..{last.order} agree to {agreed}, estimated errors "
        f"{[f'{e:.1e}' for e in reached.estimates] if reached else '-'}, "
        f"λ = {[f'{v:.12g}' for v in last.eigenvalues]}",
        {"accuracy": reached.as_dict() if reached else None,
         "orders": [level.order for level in levels],
         "ndof": [level.ndof for level in levels],
         "eigenvalues": [level.eigenvalues for level in levels]}, collective=True)


def built_in_reference(setup: EigenSetup, count: int) -> tuple[list[float | None] | None, str]:
    """The given or built-in reference eigenvalues and their kind (``"given"``,
    ``"exact"``, ``"published"``), or ``(None, "none")``."""
    from pdekit.fem.solve.reference import reference_eigenvalues

    case = setup.case
    given = case.convergence.reference
    if given:
        return list(given)[:count] + [None] * max(0, count - len(given)), "given"
    geometry = case.geometry
    square = geometry.shape == "square"
    sides = {edge: edge in setup.dirichlet for edge in ("bottom", "right", "top", "left")}
    faces = {face: face in setup.dirichlet for face in setup.shape.boundaries}
    values = reference_eigenvalues(
        geometry.shape, count, width=geometry.side if square else geometry.width,
        height=geometry.side if square else geometry.height, radius=geometry.radius,
        dirichlet_sides=sides, all_dirichlet=set(setup.shape.boundaries) <= setup.dirichlet,
        all_neumann=not setup.dirichlet, sizes=geometry.sizes, dirichlet_faces=faces)
    if values is None:
        return None, "none"
    return values, ("published" if geometry.shape == "lshape" else "exact")


def richardson_reference(levels: list[Level], compare: int) -> list[float | None]:
    """Richardson limits of the first ``compare`` eigenvalues along the refinements of the
    last order (``None`` each with fewer than three such levels or no asymptotic regime)."""
    from pdekit.fem.solve.convergence import richardson

    last = [level for level in levels if level.order == levels[-1].order]
    reference: list[float | None] = []
    for i in range(compare):
        estimate = richardson([level.eigenvalues[i] for level in last]) \
            if len(last) >= 3 else None
        reference.append(estimate[0] if estimate else None)
    return reference


def by_order(levels: list[Level]) -> dict[int, list[Level]]:
    """The levels of each element order, orders ascending, refinements in run order."""
    return {order: [level for level in levels if level.order == order]
            for order in sorted({level.order for level in levels})}


def study_rates(levels: list[Level], compare: int, reference: list[float | None] | None
                   ) -> dict[str, list[float | None]]:
    """Observed orders in h of the first ``compare`` eigenvalue errors along each order's
    refinements; also stored per level in ``Level.rates_h``.

    Returns
    -------
    dict
        ``"p=<order> lambda<i>"`` -> rates per level of that order (``None`` first).
    """
    from pdekit.fem.solve.convergence import observed_rates

    rates: dict[str, list[float | None]] = {}
    if not reference:
        return rates
    for order, rows in by_order(levels).items():
        if len(rows) < 2:
            continue
        for i in range(compare):
            rate = observed_rates([row.h for row in rows],
                                 [row.errors[i] if row.errors else None for row in rows])
            rates[f"p={order} lambda{i + 1}"] = rate
            for row, value in zip(rows, rate):
                if row.rates_h is None:
                    row.rates_h = [None] * compare
                row.rates_h[i] = value
    return rates
