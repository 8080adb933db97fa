"""PINN test helpers: typed training stages from keywords, small trainers."""

from __future__ import annotations

from typing import Any

import pytest


def stage(**keys: Any):
    """A typed training stage from case-file keys (validated like a case file)."""
    from pydantic import TypeAdapter

    from pdekit.pinn.schema import Stage

    return TypeAdapter(Stage).validate_python(keys)


def stages(*tables: dict[str, Any]) -> list:
    """Typed stages from case-file tables."""
    return [stage(**table) for table in tables]


def small_trainer(dim: int, hard: bool = False, width: int = 20, depth: int = 1,
                  n_int: int = 200, per_side: int = 10, seed: int = 0):
    """A :class:`~pdekit.pinn.training.Trainer` on the seed problem (exact sin(pi x) on
    [-1, 1], or sin(pi x) sin(pi y) on the unit square)."""
    from pdekit.pinn import points as pts
    from pdekit.pinn.network import MLP
    from pdekit.pinn.problem import PoissonProblem
    from pdekit.pinn.residuals import Evaluator, PoissonLoss
    from pdekit.pinn.training import Trainer

    if dim == 1:
        problem = PoissonProblem([(-1.0, 1.0)], exact="sin(pi*x)")
    else:
        problem = PoissonProblem([(0.0, 1.0), (0.0, 1.0)], exact="sin(pi*x)*sin(pi*y)")
    model = MLP(dim, width, depth, "tanh", "float64", seed)
    interior = pts.interior_points(problem.bounds, n_int, "uniform", seed)
    boundary = pts.boundary_points(problem.bounds, per_side, "uniform", seed)
    loss = PoissonLoss(model, problem, interior, boundary, 1.0, hard)
    _, grid = pts.evaluation_grid(problem.bounds, 101 if dim == 1 else 41)
    return Trainer(loss, Evaluator(model, problem, grid, hard))


@pytest.fixture
def trainer_factory():
    pytest.importorskip("tensorflow")
    return small_trainer
