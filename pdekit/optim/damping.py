"""Damping schedules of Gauss-Newton and Levenberg-Marquardt (pure Python).

:func:`nielsen_update` is Nielsen's gain-ratio rule for Levenberg-Marquardt (Nielsen, H. B.
(1999), Damping parameter in Marquardt's method, Tech. report IMM-REP-1999-05, DTU);
:class:`StepLengthDamping` adapts the damping of a line-searched Gauss-Newton step to the
step length the line search accepts.
"""

from __future__ import annotations


def nielsen_update(damping: float, nu: float, rho: float) -> tuple[float, float]:
    """Levenberg-Marquardt damping after a trial step with gain ratio ``rho`` (Nielsen 1999).

    ``rho = (actual decrease) / (decrease predicted by the Gauss-Newton model)``. A step
    with ``rho > 0`` is accepted and the damping scaled by ``max(1/3, 1 - (2 rho - 1)^3)``:
    down to a third for a model that predicts well (``rho`` near 1), up to 2x for a poor
    one (``rho`` near 0), smoothly in between. A rejected step multiplies the damping by
    ``nu``, which doubles after each consecutive rejection (and restarts at 2 after an
    accepted step), so a run of failures raises the damping geometrically fast.

    Returns
    -------
    tuple
        The new ``(damping, nu)``.
    """
    if rho > 0:
        return damping * max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3), 2.0
    return damping * nu, 2.0 * nu


class StepLengthDamping:
    """Relative damping ``mu / s_max^2`` of a line-searched Gauss-Newton step, adapted to
    the step length the line search accepts (``s_max``: largest singular value of ``J``).

    A full step means the Gauss-Newton model is trusted: the damping shrinks toward
    ``floor``, so the method becomes (nearly) undamped Gauss-Newton, quadratically convergent
    near a zero-residual minimizer. A step cut hard by the line search means the model is
    poor: the damping grows, turning the step toward a scaled gradient step. When no step
    length decreases the loss at all, :meth:`reject` raises the damping steeply.

    Parameters
    ----------
    floor
        Smallest relative damping (the case's ``damping``; 1e-12 keeps the solve defined
        when ``J`` is rank deficient, at ~1e-6 ``s_max`` in singular values).
    """

    START = 1e-6
    """Initial relative damping (at least): tames the first steps from a random network."""
    LONG_STEP, SHORT_STEP = 0.25, 0.1
    """Accepted step lengths above / below which the model counts as good / poor."""
    SHRINK, GROW = 10.0, 10.0
    """Damping factors after a long / a short step."""
    CEILING = 1.0
    """Largest damping after a short step: ``mu = s_max^2`` already halves every step."""
    REJECT_GROWTH, REJECT_CEILING = 100.0, 1e6
    """Damping factor and cap when no step length decreased the loss."""
    MAX_REJECTIONS = 12
    """Rejections per iteration before giving up (REJECT_GROWTH^12 spans any scale)."""

    def __init__(self, floor: float):
        self.floor = floor
        self.value = max(floor, self.START)

    def accept(self, alpha: float) -> None:
        """Adapt after a step of length ``alpha`` decreased the loss."""
        if alpha >= self.LONG_STEP:
            self.value = max(self.value / self.SHRINK, self.floor)
        elif alpha < self.SHORT_STEP:
            self.value = min(self.value * self.GROW, self.CEILING)

    def reject(self) -> None:
        """Raise the damping after no step length decreased the loss."""
        self.value = min(self.value * self.REJECT_GROWTH, self.REJECT_CEILING)
