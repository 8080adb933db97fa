"""The ``poisson-pinn`` kind: ``Laplacian u = f`` on an interval or a rectangle by a PINN.

Schema, validation and output. TensorFlow is imported only inside :func:`run` (through the
numerics modules :mod:`pdekit.pinn.network`, :mod:`~pdekit.pinn.residuals`,
:mod:`~pdekit.pinn.training`), so ``pdekit list`` and ``pdekit check`` stay light.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pdekit.cases import Case
from pdekit.errors import CaseError
from pdekit.expr import ExpressionError, parse_expression
from pdekit.output import RunContext, RunReport
from pdekit.pinn.stages import METHODS, STAGE_KEYS, stage_problem
from pdekit.schema import Key, at_least, positive

DESCRIPTION = ("Poisson equation Laplacian(u) = f on an interval or rectangle, Dirichlet data; "
               "physics-informed network (TensorFlow) trained in stages: Adam/Adamax, then "
               "Gauss-Newton / Levenberg-Marquardt / Newton-CG / trust region / L-BFGS.")

ACTIVATIONS = ("tanh", "sigmoid", "sin", "softplus", "swish")
SAMPLERS = ("uniform", "sobol", "halton", "grid")
DEFAULT_STAGES = [{"method": "adam", "iterations": 1000, "lr": 1e-3},
                  {"method": "gauss-newton", "iterations": 300}]


def _interval(value: list) -> str | None:
    if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                  for v in value):
        return "two numbers [a, b]"
    if not (math.isfinite(value[0]) and math.isfinite(value[1]) and value[0] < value[1]):
        return "two finite numbers [a, b] with a < b"
    return None


SCHEMA: dict[str, dict[str, Key]] = {
    "domain": {
        "x": Key(list, [0.0, 1.0], "interval [a, b] in x", check=_interval),
        "y": Key(list, None, "interval [c, d] in y: makes the problem 2D (rectangle)",
                 check=_interval),
    },
    "problem": {
        "exact": Key(str, None, "exact solution, e.g. \"sin(pi*x)*sin(pi*y)\": errors are "
                     "measured against it; default for forcing (its Laplacian) and boundary"),
        "forcing": Key(str, None, "f in Laplacian(u) = f (default: Laplacian of exact, by "
                       "autodiff)"),
        "boundary": Key(str, None, "Dirichlet data g (default: exact)"),
        "parameters": Key(dict, {}, "named numbers usable in the expressions"),
    },
    "network": {
        "depth": Key(int, 1, "number of hidden layers", check=at_least(1)),
        "width": Key(int, 50, "neurons per hidden layer", check=at_least(1)),
        "activation": Key(str, "tanh", "activation function", choices=ACTIVATIONS),
        "dtype": Key(str, "float64", "floating point type (float32 limits the accuracy)",
                     choices=("float64", "float32")),
        "seed": Key(int, 0, "seed of the weight initialization"),
        "weights": Key(str, None, "start from saved weights (a run's weights.npz); with "
                       "training.stages = [] the run only evaluates them"),
    },
    "points": {
        "interior": Key(int, 1001, "number of interior collocation points", check=at_least(1)),
        "sampler": Key(str, "uniform", "interior points: uniform random, scrambled Sobol' or "
                       "Halton, or grid (cell midpoints)", choices=SAMPLERS),
        "boundary": Key(int, 20, "boundary points per side (2D; in 1D the two end points)",
                        check=at_least(1)),
        "boundary_sampler": Key(str, "uniform", "boundary points along each side",
                                choices=SAMPLERS),
        "seed": Key(int, 0, "seed of the random samplers"),
    },
    "loss": {
        "boundary": Key(str, "penalty", "Dirichlet condition by a penalty term or built into "
                        "the network (hard: u = B N + G)", choices=("penalty", "hard")),
        "penalty": Key(float, 1.0, "penalty weight gamma of the boundary term", check=positive),
    },
    "training": {
        "stages": Key(list, DEFAULT_STAGES, "training stages in order, each a table "
                      "{method = ..., iterations = ..., ...}; methods: "
                      + ", ".join(METHODS) + "; keys: " + ", ".join(STAGE_KEYS)
                      + " (see README)"),
    },
    "evaluation": {
        "n": Key(int, None, "points per axis of the evaluation grid (default 2001 in 1D, 201 "
                 "in 2D)", check=at_least(2)),
    },
    "output": {
        "png": Key(bool, True, "write PNG plots"),
        "vtk": Key(bool, True, "write the evaluation grid as .vti + solution.pvd"),
    },
}


def bounds_of(case: Case) -> list[tuple[float, float]]:
    """``[(a, b)]`` or ``[(a, b), (c, d)]`` from ``[domain]``."""
    bounds = [tuple(float(v) for v in case["domain.x"])]
    if case["domain.y"] is not None:
        bounds.append(tuple(float(v) for v in case["domain.y"]))
    return bounds  # type: ignore[return-value]


def weights_path(case: Case) -> Path | None:
    """The ``network.weights`` file: as given if it exists, else relative to the case file."""
    text = case["network.weights"]
    if text is None:
        return None
    path = Path(text)
    if not path.is_absolute() and not path.exists():
        path = case.source.parent / path
    return path


def _check_weights(case: Case, dim: int) -> None:
    path = weights_path(case)
    if path is None:
        return
    if not path.is_file():
        raise CaseError(case.source, "network.weights", "an existing weights.npz from a "
                        "poisson-pinn run", case["network.weights"])
    from pdekit.pinn.weights import read_metadata

    try:
        meta = read_metadata(path)
    except (OSError, ValueError, KeyError) as error:
        raise CaseError(case.source, "network.weights", f"a weights.npz written by pdekit "
                        f"({error})", case["network.weights"]) from None
    wanted = {"dim": dim, "width": case["network.width"], "depth": case["network.depth"],
              "activation": case["network.activation"], "boundary": case["loss.boundary"]}
    for key, value in wanted.items():
        if meta.get(key) != value:
            raise CaseError(case.source, "network.weights",
                            f"weights for {key} = {value!r} like this case (the file has "
                            f"{meta.get(key)!r})", case["network.weights"])
    if case["loss.boundary"] == "hard" and not np.allclose(meta.get("bounds"), bounds_of(case)):
        raise CaseError(case.source, "network.weights", "weights trained on the same domain "
                        "(hard boundary ansatz)", case["network.weights"])


def _check_finite(case: Case, variables: tuple[str, ...], parameters: dict) -> None:
    """Evaluate the expressions (NumPy) on the evaluation grid: they must be finite there."""
    from pdekit.expr import compile_expression
    from pdekit.pinn.points import evaluation_grid

    bounds = bounds_of(case)
    _, grid = evaluation_grid(bounds, 101 if len(bounds) == 2 else 1001)
    coords = {name: grid[:, i] for i, name in enumerate(variables)}
    for key in ("exact", "forcing", "boundary"):
        text = case[f"problem.{key}"]
        if text is None:
            continue
        with np.errstate(all="ignore"):
            try:
                values = np.broadcast_to(
                    compile_expression(text, variables, parameters)(**coords), len(grid))
            except (OverflowError, ZeroDivisionError, ValueError) as error:
                raise CaseError(case.source, f"problem.{key}", f"an expression that can be "
                                f"evaluated on the domain ({error})", text) from None
        if not np.all(np.isfinite(values)):
            where = grid[np.argmax(~np.isfinite(values))]
            raise CaseError(case.source, f"problem.{key}", "an expression finite on the "
                            f"domain (not at {', '.join(f'{v:g}' for v in where)})", text)


def validate(case: Case) -> None:
    """Cross-key checks and expression parsing, before anything is written."""
    source = case.source
    dim = len(bounds_of(case))
    parameters = case["problem.parameters"]
    for name, value in parameters.items():
        if not name.isidentifier() or isinstance(value, bool) or \
                not isinstance(value, (int, float)) or not math.isfinite(value):
            raise CaseError(source, f"problem.parameters.{name}", "a finite number with a "
                            "plain name", value)
    variables = ("x", "y")[:dim]
    for key in ("exact", "forcing", "boundary"):
        text = case[f"problem.{key}"]
        if text is None:
            continue
        try:
            parse_expression(text, variables, parameters)
        except ExpressionError as error:
            raise CaseError(source, f"problem.{key}",
                            f"a math expression of {', '.join(variables)} ({error})",
                            text) from None
    _check_finite(case, variables, parameters)
    if case["problem.exact"] is None:
        for key in ("forcing", "boundary"):
            if case[f"problem.{key}"] is None:
                raise CaseError(source, f"problem.{key}", "an expression (or problem.exact, "
                                "from which it is derived)")
    stages = case["training.stages"]
    for i, stage in enumerate(stages):
        problem = stage_problem(stage)
        if problem is not None:
            key, expected = problem
            given = stage.get(key) if isinstance(stage, dict) and key else stage
            raise CaseError(source, f"training.stages[{i}]" + (f".{key}" if key else ""),
                            expected, given)
    if case["points.sampler"] == "grid" and dim == 2:
        side = round(math.sqrt(case["points.interior"]))
        if side * side != case["points.interior"]:
            raise CaseError(source, "points.interior", f"a square number for the 2D grid "
                            f"sampler (e.g. {side * side})", case["points.interior"])
    _check_weights(case, dim)


def run(case: Case, context: RunContext) -> RunReport:
    """Train the network stage by stage, evaluate it and write the outputs."""
    from pdekit.pinn.solve import solve

    return solve(case, context)
