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


def _done(gnorm: float, f: float, gtol: float, ftol: float) -> str | None:
    if gnorm <= gtol:
        return f"gradient norm {gnorm:.3e} <= gtol {gtol:g}"
    if f <= ftol:
        return f"loss {f:.3e} <= ftol {ftol:g}"
    return None


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
    x = tf.identity(x0)
    f, g = obj.value_and_grad(x)
    gnorm = norm(g)
    history = [{"nit": 0, "fun": f, "grad_norm": gnorm}]
    message, success, nit = "maximum iterations reached", False, 0
    for nit in range(1, maxiter + 1):
        why = _done(gnorm, f, gtol, ftol)
        if why:
            nit -= 1
            message, success = why, True
            break
        xk = x
        sol = cg(lambda v: obj.gn_product(xk, v), -g, rtol=min(0.1, gnorm), maxiter=cg_maxiter)
        p = sol.x if not (sol.negative_curvature and sol.iterations == 0) else -g
        step = obj.descent_step(x, f, g, gnorm, p, c1)
        if step is None:
            message = f"line search failed at iteration {nit}"
            nit -= 1
            break
        alpha, x, f, g, gnorm = step
        rec = {"nit": nit, "fun": f, "grad_norm": gnorm, "alpha": alpha,
               "cg_iters": sol.iterations, "hvps": sol.matvecs}
        history.append(rec)
        if callback is not None:
            callback(x, rec)
    else:
        why = _done(gnorm, f, gtol, ftol)
        if why:
            message, success = why, True
    return obj.result("gauss-newton", x, f, gnorm, nit, success, message, history)


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
    x = tf.identity(x0)
    f, g = obj.value_and_grad(x)
    gnorm = norm(g)
    if damping0 is None:
        gg = max(dot(g, g), 1e-300)
        lam = tau * max(dot(g, obj.gn_product(x, g)) / gg, 1e-12)
    else:
        lam = damping0
    nu = 2.0
    history = [{"nit": 0, "fun": f, "grad_norm": gnorm, "damping": lam}]
    message, success, nit = "maximum iterations reached", False, 0
    for nit in range(1, maxiter + 1):
        why = _done(gnorm, f, gtol, ftol)
        if why:
            nit -= 1
            message, success = why, True
            break
        xk, lam_k = x, lam
        sol = cg(lambda v: obj.gn_product(xk, v) + lam_k * v, -g,
                 rtol=min(0.1, gnorm), maxiter=cg_maxiter)
        p = sol.x
        # (J^T J + lam I) p = -g + res  =>  p^T J^T J p = p^T (res - g) - lam |p|^2
        pAp = dot(p, sol.residual - g) - lam * dot(p, p)
        pred = -(dot(g, p) + 0.5 * pAp)
        x_try = x + p
        f_try, g_try = obj.value_and_grad(x_try)
        rho = (f - f_try) / pred if pred > 0 and math.isfinite(f_try) else -1.0
        accepted = rho > 0
        if accepted:
            x, f, g = x_try, f_try, g_try
            gnorm = norm(g)
        lam, nu = nielsen_update(lam, nu, rho)
        rec = {"nit": nit, "fun": f, "grad_norm": gnorm, "damping": lam, "rho": rho,
               "accepted": accepted, "cg_iters": sol.iterations, "hvps": sol.matvecs}
        history.append(rec)
        if callback is not None:
            callback(x, rec)
        if not math.isfinite(lam) or lam > 1e300:
            message = f"damping diverged at iteration {nit}"
            break
    else:
        why = _done(gnorm, f, gtol, ftol)
        if why:
            message, success = why, True
    return obj.result("levenberg-marquardt", x, f, gnorm, nit, success, message, history)
