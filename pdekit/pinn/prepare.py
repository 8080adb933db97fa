"""Cross-key checks of a ``poisson-pinn`` case, building what the run needs once (no TensorFlow).

The expressions are parsed here, once, for the domain's dimension and checked finite on the
evaluation grid; the domain is built (:mod:`pdekit.pinn.geometry`) and the boundary
conditions resolved part by part; the weights file is checked against the network; the
collocation points and the evaluation grid are drawn. :func:`pdekit.pinn.run.run` uses all
of it as is.

An x/y box in 1D or 2D with Dirichlet data everywhere (no ``[boundary]`` table) keeps the
original path (box samplers, product bubble and Coons extension), so its results are
unchanged; every other domain goes through :class:`~pdekit.pinn.domains.Domain`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from pdekit.expr import Expression, ExpressionError, parse_expression
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes
from pdekit.pinn import points as pts
from pdekit.pinn.conditions import Condition
from pdekit.pinn.domains import Domain, grid_mask
from pdekit.pinn.consistency import disagreements
from pdekit.pinn.domains.extent import extent_problem
from pdekit.pinn.geometry import build_domain
from pdekit.pinn.schema import NetworkSection, PinnCase, PointsSection
from pdekit.pinn.size import RunShape, SizeEstimate, driving_key, estimate

COORDINATES = ("x", "y", "z")
DEFAULT_EVALUATION_POINTS = {1: 2001, 2: 201, 3: 41}
"""Points per axis of the evaluation grid when ``evaluation.n`` is not given."""
FINITE_CHECK_POINTS = {1: 1001, 2: 101, 3: 21}
"""Points per axis on which the expressions must be finite (a quick check, before a run)."""


@dataclass(frozen=True)
class PreparedPinn:
    """A validated ``poisson-pinn`` case with everything its run needs.

    Attributes
    ----------
    case
        The typed case.
    bounds
        ``[(a, b)]`` or ``[(a, b), (c, d)]``.
    exact, forcing, boundary
        Parsed expressions of the coordinates (None where not given).
    weights
        The weights file to start from, resolved (None: a fresh initialization).
    domain
        The domain (None: the x/y box of 1D/2D Dirichlet problems, on the original path).
    conditions
        Boundary part name -> :class:`Condition` (empty on the original path).

    The collocation points and the evaluation grid are drawn on first use, in the run:
    ``pdekit check`` then needs neither SciPy's samplers nor the memory.
    """

    case: PinnCase
    bounds: list[tuple[float, float]]
    exact: Expression | None
    forcing: Expression | None
    boundary: Expression | None
    weights: Path | None
    domain: Domain | None = None
    conditions: dict[str, Condition] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def dim(self) -> int:
        return len(self.bounds)

    @cached_property
    def interior(self) -> np.ndarray:
        """Interior collocation points ``[n, dim]``."""
        points = self.case.points
        if self.domain is not None:
            return self.domain.sample_interior(points.interior, points.sampler, points.seed)
        return pts.interior_points(self.bounds, points.interior, points.sampler, points.seed)

    @cached_property
    def _boundary(self) -> tuple[np.ndarray, np.ndarray]:
        points = self.case.points
        if self.domain is not None:
            return self.domain.sample_boundary(points.boundary, points.boundary_sampler,
                                               points.seed)
        found = pts.boundary_points(self.bounds, points.boundary, points.boundary_sampler,
                                    points.seed)
        return found, np.full(len(found), "boundary")

    @property
    def boundary_points(self) -> np.ndarray:
        """Boundary collocation points ``[m, dim]``."""
        return self._boundary[0]

    @property
    def boundary_names(self) -> np.ndarray:
        """The boundary part of each boundary point (``"boundary"`` on the original path)."""
        return self._boundary[1]

    @property
    def evaluation_n(self) -> int:
        """Points per axis of the evaluation grid."""
        return self.case.evaluation.n or DEFAULT_EVALUATION_POINTS[self.dim]

    @cached_property
    def _evaluation(self) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        if self.domain is not None:
            return grid_mask(self.domain, self.evaluation_n)
        axes, grid = pts.evaluation_grid(self.bounds, self.evaluation_n)
        return axes, grid, np.ones(len(grid), bool)

    @property
    def axes(self) -> list[np.ndarray]:
        """Coordinates of the evaluation grid per axis."""
        return self._evaluation[0]

    @property
    def grid(self) -> np.ndarray:
        """All evaluation points ``[n^dim, dim]`` (over the bounding box)."""
        return self._evaluation[1]

    @property
    def inside(self) -> np.ndarray:
        """Which evaluation points lie in the closed domain (errors are measured there)."""
        return self._evaluation[2]


def prepare(case: PinnCase) -> PreparedPinn:
    """Check what needs more than one key and build the run's inputs.

    Raises
    ------
    pdekit.errors.CaseError
        On a bad expression, a non-square grid sampler count in 2D, a run too large for the
        memory (naming the key that drives the size), or a weights file that does not fit
        the network.
    """
    domain = _domain(case)
    bounds = (case.domain.bounds if domain is None
              else [tuple(map(float, pair)) for pair in domain.bounding_box()])
    _check_extent(case, domain, bounds)
    dim = len(bounds)
    variables = COORDINATES[:dim]
    parsed = {key: _parse(case, f"problem.{key}", getattr(case.problem, key), variables)
              for key in ("exact", "forcing", "boundary")}
    conditions = _conditions(case, domain, variables)
    parsed.update({f"boundary.{name}.value": c.value for name, c in conditions.items()})
    _check_finite(case, domain, bounds, parsed)
    notes = _consistency(case, domain, bounds, parsed, conditions)
    points = case.points
    if points.sampler == "grid" and dim == 2 and domain is None:
        side = round(math.sqrt(points.interior))
        if side * side != points.interior:
            raise case.error("points.interior", f"a square number for the 2D grid sampler "
                             f"(e.g. {side * side})", points.interior)
    check_size(case)
    weights = _checked_weights(case, bounds)
    return PreparedPinn(case, bounds, parsed["exact"], parsed["forcing"], parsed["boundary"],
                        weights, domain, conditions, notes)


def _domain(case: PinnCase) -> Domain | None:
    """The case's domain, or None for a 1D/2D box with Dirichlet data everywhere."""
    section = case.domain
    if section.is_box and section.dim < 3 and not case.boundary:
        return None
    try:
        return build_domain(section)
    except ValueError as error:
        key = "domain.csg" if section.shape == "csg" else "domain.vertices"
        raise case.error(key, f"a valid domain ({error})",
                         section.csg if section.shape == "csg" else section.vertices) from None


def _check_extent(case: PinnCase, domain: Domain | None,
                  bounds: list[tuple[float, float]]) -> None:
    """Refuse a domain too small or thin for a PINN to resolve
    (:mod:`pdekit.pinn.domains.extent`), naming the key that sets its size."""
    volume = math.prod(hi - lo for lo, hi in bounds) if domain is None \
        or case.domain.is_box else domain.volume()
    problem = extent_problem(bounds, volume)
    if problem is None:
        return
    section = case.domain
    if section.is_box:
        axis = min(range(len(bounds)), key=lambda k: bounds[k][1] - bounds[k][0])
        key = "xyz"[axis]
    else:
        key = {"disk": "radius", "ball": "radius", "csg": "csg"}.get(section.shape,
                                                                      "vertices")
    raise case.error(f"domain.{key}", problem, getattr(section, key))


def _conditions(case: PinnCase, domain: Domain | None, variables: tuple[str, ...]
                ) -> dict[str, Condition]:
    """The condition of every boundary part (Dirichlet where ``[boundary]`` names none)."""
    if domain is None:
        return {}
    from pdekit.core.registry import did_you_mean

    parts = domain.boundary_parts
    for name in case.boundary:
        if name not in parts:
            raise case.error(f"boundary.{name}", "a boundary part of the domain "
                             + did_you_mean(name, parts), name)
    conditions = {}
    for name in parts:
        given = case.boundary.get(name)
        if given is None:
            conditions[name] = Condition("dirichlet")
            continue
        key = f"boundary.{name}.value"
        value = _parse(case, key, given.value, variables)
        if value is None and case.problem.exact is None and not (
                given.type == "dirichlet" and case.problem.boundary is not None):
            raise case.error(key, "an expression (or problem.exact, from which it is derived)",
                             None)
        conditions[name] = Condition(given.type, value, given.coefficient or 0.0)
    dirichlet = [n for n, c in conditions.items() if c.kind == "dirichlet"]
    if case.loss.boundary == "hard":
        if not dirichlet:
            raise case.error("loss.boundary", "'penalty' (the hard form needs at least one "
                             "Dirichlet part)", "hard")
        own = [n for n in dirichlet if conditions[n].value is not None]
        if own:
            raise case.error(f"boundary.{own[0]}.value", "no per-part Dirichlet value with "
                             "loss.boundary = 'hard' (give the data as one expression, "
                             "problem.boundary or problem.exact, or use the penalty form)",
                             case.boundary[own[0]].value)
    return conditions


def check_size(case: PinnCase) -> SizeEstimate:
    """Refuse a case whose run cannot fit in memory (:mod:`pdekit.pinn.size`), naming the
    key that drives the estimate; returns the estimate."""
    dim = case.domain.dim
    shape = RunShape.of(case, case.evaluation.n or DEFAULT_EVALUATION_POINTS[dim])
    size = estimate(shape)
    if fits_in_memory(size.total):
        return size
    points, network = PointsSection.model_fields, NetworkSection.model_fields
    defaults = dataclasses.replace(
        shape, interior=points["interior"].default, boundary_per_side=points["boundary"].default,
        width=network["width"].default, depth=network["depth"].default,
        evaluation_n=DEFAULT_EVALUATION_POINTS[dim])
    key = driving_key(shape, defaults)
    value: object = case
    for part in re.split(r"\.|\[", key):
        value = value[int(part[:-1])] if part.endswith("]") else getattr(value, part)
    raise case.error(key, f"a smaller run that fits in memory (about {gib(size.total)} "
                     f"needed for {shape.parameters:.3g} weights, {shape.residuals:.3g} "
                     f"residuals and {float(shape.evaluation_n) ** dim:.3g} evaluation points, "
                     f"largest part: {size.largest}; {gib(physical_memory_bytes())} here)",
                     value)


def _parse(case: PinnCase, key: str, text: str | None, variables: tuple[str, ...]
           ) -> Expression | None:
    if text is None:
        return None
    try:
        return parse_expression(text, variables, case.problem.parameters)
    except ExpressionError as error:
        raise case.error(key, f"a math expression of {', '.join(variables)} "
                         f"({error})", text) from None


def _check_finite(case: PinnCase, domain: Domain | None, bounds: list[tuple[float, float]],
                  parsed: dict[str, Expression | None]) -> None:
    """Evaluate the expressions (NumPy) on a grid of the domain: they must be finite there."""
    n = FINITE_CHECK_POINTS[len(bounds)]
    if domain is None:
        _, grid = pts.evaluation_grid(bounds, n)
    else:
        _, grid, inside = grid_mask(domain, n)
        grid = grid[inside]
    coords = {name: grid[:, i] for i, name in enumerate(COORDINATES[:len(bounds)])}
    for key, expression in parsed.items():
        if expression is None:
            continue
        with np.errstate(all="ignore"):
            try:
                values = np.broadcast_to(expression.evaluate("numpy", **coords), len(grid))
            except (OverflowError, ZeroDivisionError, ValueError) as error:
                raise case.error(_key(key), f"an expression that can be evaluated on "
                                 f"the domain ({error})", expression.text) from None
        if not np.all(np.isfinite(values)):
            where = grid[np.argmax(~np.isfinite(values))]
            raise case.error(_key(key), "an expression finite on the domain (not at "
                             f"{', '.join(f'{v:g}' for v in where)})", expression.text)


def _consistency(case: PinnCase, domain: Domain | None, bounds: list[tuple[float, float]],
                 parsed: dict[str, Expression | None], conditions: dict[str, Condition]
                 ) -> list[str]:
    """Where ``problem.exact`` disagrees with ``problem.boundary`` / ``problem.forcing``
    (:func:`pdekit.pinn.consistency.disagreements`), as warnings for the run."""
    exact = parsed["exact"]
    if exact is None or (parsed["boundary"] is None and parsed["forcing"] is None):
        return []
    n = FINITE_CHECK_POINTS[len(bounds)]
    if domain is None:
        _, interior = pts.evaluation_grid(bounds, n)
        dirichlet = pts.boundary_points(bounds, n, "uniform", 0)
    else:
        _, interior, inside = grid_mask(domain, n)
        interior = interior[inside]
        found, names = domain.sample_boundary(4 * n, "uniform", 0)
        takes = [name for name, c in conditions.items()
                 if c.kind == "dirichlet" and c.value is None]
        dirichlet = found[np.isin(names, takes)]
    size = max(hi - lo for lo, hi in bounds)
    return disagreements(exact, parsed["forcing"], parsed["boundary"], interior, dirichlet,
                         size)


def _key(name: str) -> str:
    """The case key of a parsed expression's name."""
    return name if "." in name else f"problem.{name}"


def _checked_weights(case: PinnCase, bounds: list[tuple[float, float]]) -> Path | None:
    """The ``network.weights`` file (as given if it exists, else relative to the case file),
    checked to fit this case's network, boundary treatment and (hard ansatz) domain."""
    text = case.network.weights
    if text is None:
        return None
    path = Path(text)
    if not path.is_absolute() and not path.exists():
        path = case.source.parent / path
    if not path.is_file():
        raise case.error("network.weights", "an existing weights.npz from a poisson-pinn run",
                         text)
    from pdekit.pinn.weights import check_arrays, layer_shapes, read_metadata

    unreadable = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
    try:
        meta = read_metadata(path)
    except unreadable as error:
        raise case.error("network.weights", f"a weights.npz written by pdekit ({error})",
                         text) from None
    network = case.network
    wanted = {"dim": len(bounds), "width": network.width, "depth": network.depth,
              "activation": network.activation, "boundary": case.loss.boundary}
    for key, value in wanted.items():
        if meta.get(key) != value:
            raise case.error("network.weights", f"weights for {key} = {value!r} like this case "
                             f"(the file has {meta.get(key)!r})", text)
    if case.loss.boundary == "hard" and (np.shape(meta.get("bounds")) != np.shape(bounds)
                                         or not np.allclose(meta.get("bounds"), bounds)):
        raise case.error("network.weights", "weights trained on the same domain (hard "
                         "boundary ansatz)", text)
    try:  # the layers themselves, so that loading cannot fail once the run has started
        check_arrays(path, layer_shapes(len(bounds), network.width, network.depth))
    except unreadable as error:
        raise case.error("network.weights", f"a weights.npz written by pdekit ({error})",
                         text) from None
    return path
