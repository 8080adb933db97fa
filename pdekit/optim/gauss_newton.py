"""Gauss-Newton and Levenberg-Marquardt for sums of squared residuals, matrix-free.

The loss is ``f(x) = ||r(x)||^2 / 2`` for a residual vector ``r`` of the
variables.  The Jacobian ``J`` is never formed: ``J v`` is a forward-mode
product (``tf.autodiff.ForwardAccumulator``), ``J^T w`` a reverse-mode product
(``GradientTape.gradient`` with ``output_gradients``), and the Gauss-Newton
system ``(J^T J + lambda I) p = -J^T r`` is solved by CG with these products.

References
----------
Levenberg, K. (1944). A method for the solution of certain non-linear problems
in least squares. Quart. Appl. Math. 2(2), 164-168.
Marquardt, D. W. (1963). An algorithm for least-squares estimation of nonlinear
parameters. J. SIAM 11(2), 431-441.
Moré, J. J. (1978). The Levenberg-Marquardt algorithm: implementation and
theory. Lecture Notes in Mathematics 630, 105-116.
Nielsen, H. B. (1999). Damping parameter in Marquardt's method. Tech. report
IMM-REP-1999-05, DTU (the damping update used here).
Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., ch. 10.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import tensorflow as tf

from pdekit import hvp as _h
from pdekit.optim.cg import cg
from pdekit.optim.damping import nielsen_update
from pdekit.optim.driver import Iterate, Step, gradient_test, iterate
from pdekit.optim.objective import FlatPointEvaluations, dot, norm
from pdekit.optim.result import OptimizeResult


class ResidualObjective(FlatPointEvaluations):
    """``f(x) = ||r(x)||^2 / 2`` with matrix-free Jacobian products, evaluated at flat points.

    Parameters
    ----------
    residual_fn
        Zero-argument callable returning the residual tensor (any shape; it is
        flattened) from ``variables``.
    variables
        ``tf.Variable``, Keras variable, or a sequence of them.

    Attributes
    ----------
    nfev, ngrad, nhvp
        Counters: loss evaluations, loss+gradient evaluations, and Gauss-Newton
        products ``J^T J v`` (each one forward-mode plus one reverse-mode pass).
    """

    def __init__(self, residual_fn: Callable[[], tf.Tensor], variables: object) -> None:
        super().__init__(variables)
        vs, spec = self.variables, self.spec

        def res() -> tf.Tensor:
            return tf.reshape(residual_fn(), [-1])

        @tf.function(input_signature=[spec])
        def _f(x):
            _h.assign_flat(vs, x)
            r = res()
            return 0.5 * tf.reduce_sum(r * r)

        @tf.function(input_signature=[spec])
        def _vg(x):
            _h.assign_flat(vs, x)
            with tf.GradientTape() as tape:
                r = res()
            jtr = tape.gradient(r, vs, output_gradients=r,
                                unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return 0.5 * tf.reduce_sum(r * r), _h.flatten(jtr)

        @tf.function(input_signature=[spec, spec])
        def _jtjv(x, v):
            _h.assign_flat(vs, x)
            with tf.GradientTape() as tape:
                with tf.autodiff.ForwardAccumulator(vs, _h.unflatten(v, vs)) as acc:
                    r = res()
                jv = acc.jvp(r, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            out = tape.gradient(r, vs, output_gradients=tf.stop_gradient(jv),
                                unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return _h.flatten(out)

        @tf.function(input_signature=[spec, spec])
        def _jv(x, v):
            _h.assign_flat(vs, x)
            with tf.autodiff.ForwardAccumulator(vs, _h.unflatten(v, vs)) as acc:
                r = res()
            return acc.jvp(r, unconnected_gradients=tf.UnconnectedGradients.ZERO)

        @tf.function(input_signature=[spec, tf.TensorSpec([None], self.dtype)])
        def _jtw(x, w):
            _h.assign_flat(vs, x)
            with tf.GradientTape() as tape:
                r = res()
            out = tape.gradient(r, vs, output_gradients=w,
                                unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return _h.flatten(out)

        self._f, self._vg, self._jtjv, self._jv, self._jtw = _f, _vg, _jtjv, _jv, _jtw

    def gn_product(self, x: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
        """``J(x)^T J(x) v`` (one forward-mode and one reverse-mode pass)."""
        self.nhvp += 1
        return self._jtjv(x, v)

    def jvp(self, x: tf.Tensor, v: tf.Tensor) -> tf.Tensor:
        """``J(x) v`` (flat residual-shaped)."""
        return self._jv(x, v)

    def vjp(self, x: tf.Tensor, w: tf.Tensor) -> tf.Tensor:
        """``J(x)^T w`` for a flat residual-shaped ``w``."""
        return self._jtw(x, w)


def gauss_newton(
    obj: ResidualObjective,
    x0: tf.Tensor,
    gtol: float = 1e-10,
    ftol: float = 0.0,
    maxiter: int = 100,
    cg_maxiter: int | None = None,
    c1: float = 1e-4,
    callback=None,
) -> OptimizeResult:
    """Damped Gauss-Newton: CG on ``J^T J p = -J^T r`` then Armijo backtracking.

    The CG tolerance is ``min(0.1, ||g||)`` relative, so the step is an accurate
    Gauss-Newton step near the solution (quadratic convergence for zero-residual
    problems).  If ``J^T J`` is singular along the first CG direction the step
    falls back to ``-g``.  Stops when ``||J^T r|| <= gtol`` or ``f <= ftol``.
    """
    cg_maxiter = min(2 * obj.n, 200) if cg_maxiter is None else cg_maxiter

    def step(it: Iterate, k: int) -> Step:
        sol = cg(lambda v: obj.gn_product(it.x, v), -it.g, rtol=min(0.1, it.gnorm),
                 maxiter=cg_maxiter)
        p = sol.x if not (sol.negative_curvature and sol.iterations == 0) else -it.g
        alpha, new = obj.descent_step(it, p, c1, k)
        return Step(new, {"alpha": alpha, "cg_iters": sol.iterations, "hvps": sol.matvecs})

    run = iterate(obj.start(x0), step, maxiter=maxiter, converged=gradient_test(gtol, ftol),
                  callback=callback)
    return obj.result("gauss-newton", run)


def levenberg_marquardt(
    obj: ResidualObjective,
    x0: tf.Tensor,
    gtol: float = 1e-10,
    ftol: float = 0.0,
    maxiter: int = 200,
    damping0: float | None = None,
    tau: float = 1e-3,
    cg_maxiter: int | None = None,
    callback=None,
) -> OptimizeResult:
    """Levenberg-Marquardt with CG on ``(J^T J + lambda I) p = -J^T r``.

    The gain ratio ``rho = (f(x) - f(x+p)) / (m(0) - m(p))`` of the
    Gauss-Newton model ``m`` drives the damping (Nielsen 1999): on success
    ``lambda *= max(1/3, 1 - (2 rho - 1)^3)``, on failure ``lambda *= nu`` with
    ``nu`` doubling after each consecutive failure.  The initial damping is
    ``tau`` times the Rayleigh quotient of ``J^T J`` along ``g`` (a scale-aware
    stand-in for Marquardt's ``tau * max diag(J^T J)``), unless ``damping0`` is given.
    The model decrease comes from CG's residual, costing no extra product.
    """
    cg_maxiter = min(2 * obj.n, 200) if cg_maxiter is None else cg_maxiter
    start = obj.start(x0)
    if damping0 is None:
        g = start.g
        gg = max(dot(g, g), 1e-300)
        lam = tau * max(dot(g, obj.gn_product(start.x, g)) / gg, 1e-12)
    else:
        lam = damping0
    nu = 2.0

    def step(it: Iterate, k: int) -> Step:
        nonlocal lam, nu
        lam_k = lam
        sol = cg(lambda v: obj.gn_product(it.x, v) + lam_k * v, -it.g,
                 rtol=min(0.1, it.gnorm), maxiter=cg_maxiter)
        p = sol.x
        # (J^T J + lam I) p = -g + res  =>  p^T J^T J p = p^T (res - g) - lam |p|^2
        pAp = dot(p, sol.residual - it.g) - lam * dot(p, p)
        pred = -(dot(it.g, p) + 0.5 * pAp)
        x_try = it.x + p
        f_try, g_try = obj.value_and_grad(x_try)
        rho = (it.f - f_try) / pred if pred > 0 and math.isfinite(f_try) else -1.0
        accepted = rho > 0
        new = Iterate(x_try, f_try, g_try, norm(g_try)) if accepted else it
        lam, nu = nielsen_update(lam, nu, rho)
        halt = (f"damping diverged at iteration {k}"
                if not math.isfinite(lam) or lam > 1e300 else None)
        return Step(new, {"damping": lam, "rho": rho, "accepted": accepted,
                          "cg_iters": sol.iterations, "hvps": sol.matvecs}, halt)

    run = iterate(start, step, maxiter=maxiter, converged=gradient_test(gtol, ftol),
                  callback=callback, first_record={"damping": lam})
    return obj.result("levenberg-marquardt", run)
