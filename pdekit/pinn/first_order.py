"""Adam / Adamax training stages: compiled chunks of ``log_every`` steps.

The steps are :func:`pdekit.optim.first_order.first_order_steps` (Keras's Adam/Adamax
update, XLA-compiled over a whole chunk); after each chunk the loss and errors are recorded
and the stop tests applied by the stage's :class:`~pdekit.pinn.training.StageMonitor`. The
chunk length does not change the iterates (one compiled loop body, run ``k`` times).
"""

from __future__ import annotations

import tensorflow as tf

from pdekit.optim.first_order import first_order_steps
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
    steps = first_order_steps(trainer.problem.loss, trainer.variables, stage.method, stage.lr)
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
