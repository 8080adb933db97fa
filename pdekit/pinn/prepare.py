"""Cross-key checks of a ``poisson-pinn`` case, building what the run needs once (no TensorFlow).

The expressions are parsed here, once, for the domain's dimension and checked finite on the
evaluation grid; the weights file is checked against the network; the collocation points
and the evaluation grid are drawn. :func:`pdekit.pinn.run.run` uses all of it as is.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from pdekit.expr import Expression, ExpressionError, parse_expression
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes
from pdekit.pinn import points as pts
from pdekit.pinn.schema import NetworkSection, PinnCase, PointsSection
from pdekit.pinn.size import RunShape, SizeEstimate, driving_key, estimate

COORDINATES = ("x", "y")
DEFAULT_EVALUATION_POINTS = {1: 2001, 2: 201}
"""Points per axis of the evaluation grid when ``evaluation.n`` is not given."""
FINITE_CHECK_POINTS = {1: 1001, 2: 101}
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

    The collocation points and the evaluation grid are drawn on first use, in the run:
    ``pdekit check`` then needs neither SciPy's samplers nor the memory.
    """

    case: PinnCase
    bounds: list[tuple[float, float]]
    exact: Expression | None
    forcing: Expression | None
    boundary: Expression | None
    weights: Path | None

    @property
    def dim(self) -> int:
        return len(self.bounds)

    @cached_property
    def interior(self) -> np.ndarray:
        """Interior collocation points ``[n, dim]``."""
        points = self.case.points
        return pts.interior_points(self.bounds, points.interior, points.sampler, points.seed)

    @cached_property
    def boundary_points(self) -> np.ndarray:
        """Boundary collocation points ``[m, dim]``."""
        points = self.case.points
        return pts.boundary_points(self.bounds, points.boundary, points.boundary_sampler,
                                   points.seed)

    @property
    def evaluation_n(self) -> int:
        """Points per axis of the evaluation grid."""
        return self.case.evaluation.n or DEFAULT_EVALUATION_POINTS[self.dim]

    @cached_property
    def _evaluation(self) -> tuple[list[np.ndarray], np.ndarray]:
        return pts.evaluation_grid(self.bounds, self.evaluation_n)

    @property
    def axes(self) -> list[np.ndarray]:
        """Coordinates of the evaluation grid per axis."""
        return self._evaluation[0]

    @property
    def grid(self) -> np.ndarray:
        """All evaluation points ``[n^dim, dim]``."""
        return self._evaluation[1]


def prepare(case: PinnCase) -> PreparedPinn:
    """Check what needs more than one key and build the run's inputs.

    Raises
    ------
    pdekit.errors.CaseError
        On a bad expression, a non-square grid sampler count in 2D, a run too large for the
        memory (naming the key that drives the size), or a weights file that does not fit
        the network.
    """
    bounds = case.domain.bounds
    dim = len(bounds)
    variables = COORDINATES[:dim]
    parsed = {key: _parse(case, key, variables) for key in ("exact", "forcing", "boundary")}
    _check_finite(case, bounds, parsed)
    points = case.points
    if points.sampler == "grid" and dim == 2:
        side = round(math.sqrt(points.interior))
        if side * side != points.interior:
            raise case.error("points.interior", f"a square number for the 2D grid sampler "
                             f"(e.g. {side * side})", points.interior)
    check_size(case)
    weights = _checked_weights(case, bounds)
    return PreparedPinn(case, bounds, parsed["exact"], parsed["forcing"], parsed["boundary"],
                        weights)


def check_size(case: PinnCase) -> SizeEstimate:
    """Refuse a case whose run cannot fit in memory (:mod:`pdekit.pinn.size`), naming the
    key that drives the estimate; returns the estimate."""
    dim = len(case.domain.bounds)
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


def _parse(case: PinnCase, key: str, variables: tuple[str, ...]) -> Expression | None:
    text = getattr(case.problem, key)
    if text is None:
        return None
    try:
        return parse_expression(text, variables, case.problem.parameters)
    except ExpressionError as error:
        raise case.error(f"problem.{key}", f"a math expression of {', '.join(variables)} "
                         f"({error})", text) from None


def _check_finite(case: PinnCase, bounds: list[tuple[float, float]],
                  parsed: dict[str, Expression | None]) -> None:
    """Evaluate the expressions (NumPy) on a grid of the domain: they must be finite there."""
    _, grid = pts.evaluation_grid(bounds, FINITE_CHECK_POINTS[len(bounds)])
    coords = {name: grid[:, i] for i, name in enumerate(COORDINATES[:len(bounds)])}
    for key, expression in parsed.items():
        if expression is None:
            continue
        with np.errstate(all="ignore"):
            try:
                values = np.broadcast_to(expression.evaluate("numpy", **coords), len(grid))
            except (OverflowError, ZeroDivisionError, ValueError) as error:
                raise case.error(f"problem.{key}", f"an expression that can be evaluated on "
                                 f"the domain ({error})", expression.text) from None
        if not np.all(np.isfinite(values)):
            where = grid[np.argmax(~np.isfinite(values))]
            raise case.error(f"problem.{key}", "an expression finite on the domain (not at "
                             f"{', '.join(f'{v:g}' for v in where)})", expression.text)


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
    from pdekit.pinn.weights import read_metadata

    try:
        meta = read_metadata(path)
    except (OSError, ValueError, KeyError) as error:
        raise case.error("network.weights", f"a weights.npz written by pdekit ({error})",
                         text) from None
    network = case.network
    wanted = {"dim": len(bounds), "width": network.width, "depth": network.depth,
              "activation": network.activation, "boundary": case.loss.boundary}
    for key, value in wanted.items():
        if meta.get(key) != value:
            raise case.error("network.weights", f"weights for {key} = {value!r} like this case "
                             f"(the file has {meta.get(key)!r})", text)
    if case.loss.boundary == "hard" and not np.allclose(meta.get("bounds"), bounds):
        raise case.error("network.weights", "weights trained on the same domain (hard "
                         "boundary ansatz)", text)
    return path
