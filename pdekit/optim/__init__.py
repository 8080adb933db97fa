"""Second-order optimizers built on :mod:`pdekit.hvp` (imports TensorFlow).

Use :func:`minimize` with a method name, or call the methods directly on an
:class:`~pdekit.optim.objective.Objective` /
:class:`~pdekit.optim.gauss_newton.ResidualObjective`.  Adam/Adamax are
Keras's (``keras.optimizers``) and are not reimplemented here.
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

__all__ = [
    "METHODS",
    "minimize",
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

# name -> (solver, needs a residual function rather than a scalar loss)
METHODS: dict[str, tuple[Callable[..., OptimizeResult], bool]] = {
    "newton-cg": (newton_cg, False),
    "trust-ncg": (trust_region_ncg, False),
    "lbfgs": (lbfgs, False),
    "gauss-newton": (gauss_newton, True),
    "levenberg-marquardt": (levenberg_marquardt, True),
}


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
        One of :data:`METHODS`.
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
    ValueError
        For an unknown method name (the message lists the available ones).

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
    if key not in METHODS:
        raise ValueError(
            f"unknown method {method!r}; available: {', '.join(sorted(METHODS))}"
        )
    solver, residual = METHODS[key]
    if residual:
        obj = ResidualObjective(fun, variables)
    else:
        obj = Objective(fun, variables, jit_compile=jit_compile, hvp_mode=hvp_mode)
    return solver(obj, obj.x0(), **options)
