"""Conjugate gradients on flat TensorFlow vectors, with negative-curvature detection.

The operator is only accessed through products, so Hessians and Gauss-Newton
matrices are never formed.  The preconditioner ``M`` is given as the action of
its *inverse*, ``precond(r) ~= A^{-1} r`` -- for example
:func:`pdekit.optim.spectra.low_rank_preconditioner` built from a Nyström
or randomized-SVD sketch.

References
----------
Hestenes, M. R. & Stiefel, E. (1952). Methods of conjugate gradients for solving
linear systems. J. Res. Nat. Bur. Standards 49(6).
Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed., Alg. 5.3
(preconditioned CG) and Alg. 7.1 (stopping on negative curvature inside Newton-CG).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf

from pdekit.optim.objective import dot, norm

MatVec = Callable[[tf.Tensor], tf.Tensor]


@dataclass
class CGResult:
    """Outcome of :func:`cg`.

    Attributes
    ----------
    x
        Approximate solution (the iterate before the negative-curvature
        direction was met, if it was).
    residual
        ``A x - b`` at the returned ``x``.
    residual_norm
        ``||A x - b||``.
    iterations
        Completed CG iterations (updates of ``x``).
    converged
        ``residual_norm <= max(rtol * ||b||, atol)``.
    negative_curvature
        True if a direction ``d`` with ``d^T A d <= 0`` was met; the solve
        stopped there.
    direction
        That direction (None otherwise).
    curvature
        ``d^T A d / d^T d`` for it (None otherwise).
    message
        Why CG stopped.
    matvecs
        Operator products used (``iterations + 1`` when stopped by negative curvature).
    """

    x: tf.Tensor
    residual: tf.Tensor
    residual_norm: float
    iterations: int
    converged: bool
    negative_curvature: bool
    direction: tf.Tensor | None
    curvature: float | None
    message: str
    matvecs: int = 0


def cg(
    matvec: MatVec,
    b: tf.Tensor,
    x0: tf.Tensor | None = None,
    rtol: float = 1e-8,
    atol: float = 0.0,
    maxiter: int | None = None,
    precond: MatVec | None = None,
    stop_on_negative_curvature: bool = True,
) -> CGResult:
    """Solve ``A x = b`` for symmetric ``A`` by (preconditioned) conjugate gradients.

    Parameters
    ----------
    matvec
        ``v -> A v`` on flat tensors.
    b
        Right-hand side (flat tensor).
    x0
        Initial guess (zero by default).
    rtol, atol
        Stop when ``||A x - b|| <= max(rtol * ||b||, atol)``.
    maxiter
        Iteration cap (default ``2 n``).
    precond
        ``r -> M^{-1} r`` with ``M`` symmetric positive definite (default: none).
    stop_on_negative_curvature
        Stop as soon as a search direction has ``d^T A d <= 0`` and report it
        (``negative_curvature=True``): ``A`` is not positive definite and the CG
        iterate would not minimize a quadratic model.  If False, such
        directions raise no flag and CG simply continues (meaningful for
        indefinite but nonsingular ``A`` only in exact arithmetic).

    Returns
    -------
    CGResult
    """
    n = int(b.shape[0])
    maxiter = 2 * n if maxiter is None else maxiter
    x = tf.zeros_like(b) if x0 is None else tf.identity(x0)
    r = matvec(x) - b if x0 is not None else -b
    bnorm = norm(b)
    tol = max(rtol * bnorm, atol)
    rnorm = norm(r)
    if rnorm <= tol:
        return CGResult(x, r, rnorm, 0, True, False, None, None, "initial guess satisfies tolerance", 0)
    z = precond(r) if precond is not None else r
    rz = dot(r, z)
    d = -z
    for k in range(maxiter):
        Ad = matvec(d)
        dAd = dot(d, Ad)
        if dAd <= 0 and (stop_on_negative_curvature or dAd == 0):
            curv = dAd / max(dot(d, d), 1e-300)
            return CGResult(
                x, r, rnorm, k, False, True, d, curv,
                f"negative curvature d^T A d / d^T d = {curv:.3e} at iteration {k}", k + 1,
            )
        alpha = rz / dAd
        x = x + alpha * d
        r = r + alpha * Ad
        rnorm = norm(r)
        if rnorm <= tol:
            return CGResult(x, r, rnorm, k + 1, True, False, None, None,
                            f"converged: |r| = {rnorm:.3e} <= {tol:.3e}", k + 1)
        z = precond(r) if precond is not None else r
        rz_new = dot(r, z)
        beta = rz_new / rz
        rz = rz_new
        d = -z + beta * d
    return CGResult(x, r, rnorm, maxiter, False, False, None, None,
                    f"maximum iterations {maxiter} reached: |r| = {rnorm:.3e} > {tol:.3e}",
                    maxiter)
