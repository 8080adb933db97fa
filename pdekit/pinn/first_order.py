"""Adam / Adamax training stages: compiled chunks of ``log_every`` steps.

The steps are :func:`pdekit.optim.first_order.first_order_steps` (Keras's Adam/Adamax
update, XLA-compiled over a whole chunk); after each chunk the loss and errors are recorded
and the stop tests applied by the stage's :class:`~pdekit.pinn.training.StageMonitor`. The
chunk length does not change the iterates (one compiled loop body, run ``k`` times). Under
MPI each step's gradient is summed over the ranks first (:func:`_reduced_steps`).
"""

from __future__ import annotations

import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim.first_order import first_order_steps, first_order_update
from pdekit.pinn.schema import FirstOrderStage
from pdekit.pinn.training import StageMonitor, StageReport, Trainer

HISTORY_ROWS = 100
"""History rows of a first-order stage without ``log_every``: one per 1% of its steps."""
MAX_CHUNK = 1000
"""Most steps per compiled chunk without ``log_every``: Ctrl-C and SIGTERM are handled
between chunks, so a long stage still answers within about a second."""


def chunk_steps(iterations: int) -> int:
    """Steps per compiled chunk when ``log_every`` is not given: ~1% of the stage, so the
    history shows its whole course (a chunk call costs ~0.1 ms plus one error evaluation),
    and at most :data:`MAX_CHUNK`."""
    return min(max(1, -(-iterations // HISTORY_ROWS)), MAX_CHUNK)


def run_first_order(trainer: Trainer, stage: FirstOrderStage,
                    monitor: StageMonitor) -> StageReport:
    """Run ``stage.iterations`` Adam or Adamax steps, in chunks of ``stage.log_every``
    (default :func:`chunk_steps`)."""
    steps = (first_order_steps(trainer.problem.loss, trainer.variables, stage.method, stage.lr)
             if trainer.reducer.size == 1 else _reduced_steps(trainer, stage))
    every = stage.log_every or chunk_steps(stage.iterations)
    done, message = 0, "iterations done"
    while done < stage.iterations:
        chunk = min(every, stage.iterations - done)
        steps(tf.constant(chunk))
        done += chunk
        reason = monitor.after(chunk, trainer.loss())
        if reason:
            message = reason
            break
    return StageReport(stage.method, done, message, gradients=done)


def _reduced_steps(trainer: Trainer, stage: FirstOrderStage):
    """Under MPI: ``k -> None`` running ``k`` steps, each on the gradient summed over the
    ranks (the full-batch gradient, as on one rank; a step per Python call, not one fused
    loop: the sum needs MPI between the gradient and the update)."""
    variables = trainer.variables
    gradient = trainer.reducer.reduced(H.make_value_and_grad(trainer.problem.loss, variables))
    apply = tf.function(first_order_update(variables, stage.method, stage.lr),
                        jit_compile=True)

    def steps(k: tf.Tensor) -> None:
        for _ in range(int(k)):
            _, g = gradient()
            apply(H.unflatten(g, variables))

    return steps
