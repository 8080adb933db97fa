"""Counted, compiled evaluations of a loss at flat points.

:class:`Objective` bundles the three compiled functions the optimizers need --
loss, loss+gradient and Hessian-vector product, each *at a given flat point x*
(the point is assigned to the variables inside the compiled function) -- and
counts how often each is called.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from pdekit import hvp as _h
from pdekit.optim.driver import Iterate, NoStep, Run
from pdekit.optim.linesearch import armijo_backtracking
from pdekit.optim.result import OptimizeResult


class FlatPointEvaluations:
    """What every objective shares: the variables, counters, and loss / loss+gradient
    evaluations at a flat point (subclasses compile ``_f`` and ``_vg``).

    Parameters
    ----------
    variables
        ``tf.Variable``, Keras variable, or a sequence of them.
    """

    _f: Callable[[tf.Tensor], tf.Tensor]
    _vg: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]

    def __init__(self, variables: object) -> None:
        self.variables = _h.as_variables(variables)
        self.dtype = self.variables[0].dtype
        self.n = _h.num_params(self.variables)
        self.nfev = self.ngrad = self.nhvp = 0
        self.spec = tf.TensorSpec([self.n], self.dtype)

    def x0(self) -> tf.Tensor:
        """Current values of the variables as a flat tensor."""
        return _h.get_flat(self.variables)

    def value(self, x: tf.Tensor) -> float:
        """Loss at ``x``."""
        self.nfev += 1
        return float(self._f(x))

    def value_and_grad(self, x: tf.Tensor) -> tuple[float, tf.Tensor]:
        """Loss and flat gradient at ``x``."""
        self.ngrad += 1
        f, g = self._vg(x)
        return float(f), g

    def set(self, x: tf.Tensor) -> None:
        """Leave the variables at ``x``."""
        _h.assign_flat(self.variables, x)

    def descent_step(self, it: Iterate, p: tf.Tensor, c1: float, k: int
                     ) -> tuple[float, Iterate]:
        """Armijo backtracking from ``it`` along ``p``, or along −g where ``p`` is no
        descent direction (an inexact inner solve can give one).

        Returns
        -------
        tuple
            ``(alpha, next iterate)``.

        Raises
        ------
        NoStep
            If the line search failed (at step ``k``).
        """
        slope = dot(it.g, p)
        if not slope < 0:
            p, slope = -it.g, -it.gnorm * it.gnorm
        ls = armijo_backtracking(lambda a: self.value(it.x + a * p), it.f, slope, c1=c1)
        if not ls.success:
            raise NoStep(f"line search failed at iteration {k}")
        x = it.x + ls.alpha * p
        f, g = self.value_and_grad(x)
        return ls.alpha, Iterate(x, f, g, norm(g))

    def start(self, x0: tf.Tensor) -> Iterate:
        """The driver's first iterate: loss and gradient at (a copy of) ``x0``."""
        x = tf.identity(x0)
        f, g = self.value_and_grad(x)
        return Iterate(x, f, g, norm(g))

    def result(self, method: str, run: Run) -> OptimizeResult:
        """Leave the variables at the run's last iterate and report it with this
        objective's counts."""
        last = run.iterate
        self.set(last.x)
        return OptimizeResult(last.x, last.f, last.gnorm, run.nit, self.nfev, self.ngrad,
                              self.nhvp, run.success, run.message, method, run.history)


class Objective(FlatPointEvaluations):
    """A scalar loss of TensorFlow variables, evaluated at flat points.

    Parameters
    ----------
    loss_fn
        Zero-argument callable returning the scalar loss from ``variables``.
    variables
        ``tf.Variable``, Keras variable, or a sequence of them.
    jit_compile
        Compile the three functions with XLA (``tf.function(jit_compile=True)``).
    hvp_mode
        ``"forward-over-reverse"`` (default) or ``"reverse-over-reverse"``, see
        :func:`pdekit.hvp.make_hvp`.

    Attributes
    ----------
    nfev, ngrad, nhvp
        Evaluation counters.
    """

    def __init__(
        self,
        loss_fn: Callable[[], tf.Tensor],
        variables: object,
        jit_compile: bool = False,
        hvp_mode: str = "forward-over-reverse",
    ) -> None:
        super().__init__(variables)
        vs, spec = self.variables, self.spec
        core = _h._hvp_core(hvp_mode)

        @tf.function(input_signature=[spec], jit_compile=jit_compile)
        def _f(x: tf.Tensor) -> tf.Tensor:
            _h.assign_flat(vs, x)
            return loss_fn()

        @tf.function(input_signature=[spec], jit_compile=jit_compile)
        def _vg(x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            _h.assign_flat(vs, x)
            return _h._value_and_grad(loss_fn, vs)

        @tf.function(input_signature=[spec, spec], jit_compile=jit_compile)
        def _hv(x: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
            _h.assign_flat(vs, x)
            return core(loss_fn, vs, v)[2]

        self._f, self._vg, self._hv = _f, _vg, _hv

    def hvp(self, x: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
        """Hessian at ``x`` applied to ``v``."""
        self.nhvp += 1
        return self._hv(x, v)


def dot(a: tf.Tensor, b: tf.Tensor) -> float:
    """Euclidean inner product of two flat tensors, as a Python float.

    Reduced through NumPy: eager ``tf.tensordot`` costs several eager ops per call,
    which dominates CG/L-BFGS loops on small problems.
    """
    return float(np.dot(a.numpy(), b.numpy()))


def norm(a: tf.Tensor) -> float:
    """Euclidean norm of a flat tensor, as a Python float."""
    return float(np.linalg.norm(a.numpy()))
