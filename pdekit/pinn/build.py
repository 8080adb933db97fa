"""The numerics of a prepared ``poisson-pinn`` case: problem, network, loss, evaluator
(TensorFlow), built once per run and handed to the training, the report and the run."""

from __future__ import annotations

from dataclasses import dataclass

from pdekit.pinn.network import MLP
from pdekit.pinn.parallel import Reducer
from pdekit.pinn.prepare import PreparedPinn
from pdekit.pinn.problem import PoissonProblem
from pdekit.pinn.residuals import Evaluator, PoissonLoss

__all__ = ["Built", "build"]


@dataclass
class Built:
    """The numerics of a prepared case: PDE data, network (with loaded weights), loss and
    the evaluator on the evaluation grid."""

    problem: PoissonProblem
    model: MLP
    loss: PoissonLoss
    evaluator: Evaluator


def build(prepared: PreparedPinn, reducer: Reducer | None = None) -> Built:
    """Problem, network, loss and evaluator of a prepared case.

    Under MPI (``reducer`` over several ranks) the loss holds this rank's share of the
    collocation points, drawn from the seed like on every rank; the network starts from
    the same seeded (or loaded) weights everywhere.
    """
    case = prepared.case
    reducer = reducer or Reducer()
    problem = PoissonProblem(prepared.bounds, prepared.exact, prepared.forcing,
                             prepared.boundary, domain=prepared.domain,
                             conditions=prepared.conditions)
    net = case.network
    model = MLP(prepared.dim, net.width, net.depth, net.activation, net.dtype, net.seed)
    if prepared.weights is not None:
        model.load_weights(prepared.weights)
    hard = case.loss.boundary == "hard"
    interior, boundary = prepared.interior, prepared.boundary_points
    loss = PoissonLoss(model, problem, interior, boundary, case.loss.penalty, hard,
                       prepared.boundary_names, rank=reducer.rank, size=reducer.size)
    evaluator = Evaluator(model, problem, prepared.grid[prepared.inside], hard)
    return Built(problem, model, loss, evaluator)
