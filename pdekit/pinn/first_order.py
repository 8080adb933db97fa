"""Adam / Adamax training stages: compiled chunks of ``log_every`` steps.

The steps are :func:`pdekit.optim.first_order.first_order_steps` (Keras's Adam/Adamax
update, XLA-compiled over a whole chunk); after each chunk the loss and errors are recorded
and the stop tests applied by the stage's :class:`~pdekit.pinn.training.StageMonitor`.
"""

from __future__ import annotations

import tensorflow as tf

from pdekit.optim.first_order import first_order_steps
from pdekit.pinn.schema import FirstOrderStage
from pdekit.pinn.training import StageMonitor, StageReport, Trainer


def run_first_order(trainer: Trainer, stage: FirstOrderStage,
                    monitor: StageMonitor) -> StageReport:
    """Run ``stage.iterations`` Adam or Adamax steps, in chunks of ``stage.log_every``."""
    steps = first_order_steps(trainer.problem.loss, trainer.variables, stage.method, stage.lr)
    done, message = 0, "iterations done"
    while done < stage.iterations:
        chunk = min(stage.log_every, stage.iterations - done)
        steps(tf.constant(chunk))
        done += chunk
        reason = monitor.after(chunk, trainer.loss())
        if reason:
            message = reason
            break
    return StageReport(stage.method, done, message, gradients=done)
