"""Second-order optimizers built on :mod:`pdekit.hvp` (imports TensorFlow): one home, one
catalogue, one iteration loop.

- :data:`OPTIMIZERS` (:mod:`pdekit.optimizers`, importable without TensorFlow): every method
  by name with typed capabilities; the PINN training stages read it.
- :func:`minimize`: a method by name on a loss of TensorFlow variables.
- :mod:`pdekit.optim.driver`: the loop every iterative method supplies a step to (stop
  tests, history, callbacks, counts).
- The methods: :func:`newton_cg`, :func:`trust_region_ncg`, :func:`lbfgs`,
  :func:`gauss_newton`, :func:`levenberg_marquardt` (matrix-free);
  :mod:`pdekit.optim.explicit_least_squares` (Gauss-Newton / LM on an explicit Jacobian by
  SVD); :mod:`pdekit.optim.fednl` (federated Newton); :mod:`pdekit.optim.first_order`
  (Adam, Adamax as compiled loops); and the linear algebra they share (:mod:`~.cg`,
  :mod:`~.linesearch`, :mod:`~.spectra`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from pdekit.optim.cg import CGResult, cg
from pdekit.optim.gauss_newton import ResidualObjective, gauss_newton, levenberg_marquardt
from pdekit.optim.lbfgs import lbfgs
from pdekit.optim.linesearch import LineSearchResult, armijo_backtracking, strong_wolfe
from pdekit.optim.newton_cg import newton_cg
from pdekit.optim.objective import Objective
from pdekit.optim.result import OptimizeResult
from pdekit.optim.spectra import (
    lanczos,
    low_rank_preconditioner,
    nystrom,
    power_iteration,
    randomized_range_finder,
    randomized_svd,
)
from pdekit.optim.trust_region import steihaug_cg, trust_region_ncg
from pdekit.optimizers import OPTIMIZERS
from pdekit.core.registry import UnknownName

__all__ = [
    "OPTIMIZERS",
    "minimize",
    "objective_for",
    "OptimizeResult",
    "Objective",
    "ResidualObjective",
    "newton_cg",
    "trust_region_ncg",
    "steihaug_cg",
    "lbfgs",
    "gauss_newton",
    "levenberg_marquardt",
    "cg",
    "CGResult",
    "armijo_backtracking",
    "strong_wolfe",
    "LineSearchResult",
    "power_iteration",
    "lanczos",
    "randomized_range_finder",
    "randomized_svd",
    "nystrom",
    "low_rank_preconditioner",
]


def objective_for(method: str, fun: Callable[[], tf.Tensor], variables: object,
                  **options: Any) -> Objective | ResidualObjective:
    """The objective ``method`` works on: a :class:`ResidualObjective` of the residual
    ``fun`` for least-squares methods, else an :class:`Objective` of the loss ``fun``
    (``options``: ``jit_compile``, ``hvp_mode``)."""
    if OPTIMIZERS.capabilities(method).least_squares:
        return ResidualObjective(fun, variables)
    return Objective(fun, variables, **options)


def minimize(
    fun: Callable[[], tf.Tensor],
    variables: object,
    method: str = "newton-cg",
    jit_compile: bool = False,
    hvp_mode: str = "forward-over-reverse",
    **options: Any,
) -> OptimizeResult:
    """Minimize a loss of TensorFlow variables; the variables end at the minimizer.

    Parameters
    ----------
    fun
        Zero-argument callable reading ``variables``.  For ``"newton-cg"``,
        ``"trust-ncg"`` and ``"lbfgs"`` it returns the scalar loss; for
        ``"gauss-newton"`` and ``"levenberg-marquardt"`` it returns the residual
        vector ``r`` and the loss is ``||r||^2 / 2``.
    variables
        ``tf.Variable``, Keras variable, or a sequence of them (e.g.
        ``model.trainable_variables``); their current values are the start.
    method
        A name in :data:`~pdekit.optimizers.OPTIMIZERS` of the quasi-Newton, Newton
        or least-squares family (as in ``scipy.optimize.minimize(method=...)``).
    jit_compile
        Compile the loss/gradient/HVP functions with XLA (scalar-loss methods only).
    hvp_mode
        ``"forward-over-reverse"`` or ``"reverse-over-reverse"`` Hessian-vector
        products (scalar-loss methods only), see :func:`pdekit.hvp.make_hvp`.
    **options
        Passed to the method (``gtol``, ``maxiter``, ``callback``, ...).

    Returns
    -------
    OptimizeResult

    Raises
    ------
    pdekit.core.registry.UnknownName
        For an unknown method name (a ``LookupError`` naming the closest known one).

    Examples
    --------
    >>> import tensorflow as tf
    >>> x = tf.Variable([-1.2, 1.0], dtype=tf.float64)
    >>> rosen = lambda: 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2
    >>> res = minimize(rosen, x, method="trust-ncg", gtol=1e-10)
    >>> res.success, round(float(x[0]), 8), round(float(x[1]), 8)
    (True, 1.0, 1.0)
    """
    key = method.lower().replace("_", "-")
    runnable = OPTIMIZERS.names(family="quasi-newton") + OPTIMIZERS.names(family="newton") \
        + OPTIMIZERS.names(family="least-squares")
    if key not in runnable:
        raise UnknownName("method of minimize", method, runnable)
    solver = OPTIMIZERS.get(key)
    options_of_objective = {} if OPTIMIZERS.capabilities(key).least_squares else \
        {"jit_compile": jit_compile, "hvp_mode": hvp_mode}
    obj = objective_for(key, fun, variables, **options_of_objective)
    return solver(obj, obj.x0(), **options)
