"""Trust-region Newton-CG with the Steihaug-Toint truncated CG subproblem solver.

References
----------
Steihaug, T. (1983). The conjugate gradient method and trust regions in large
scale optimization. SIAM J. Numer. Anal. 20(3), 626-637.
Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed.,
Algorithm 4.1 (trust-region framework) and Algorithm 7.2 (CG-Steihaug).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import tensorflow as tf

from pdekit.optim.driver import Iterate, NoStep, Step, gradient_test, iterate
from pdekit.optim.objective import Objective, dot, norm
from pdekit.optim.result import OptimizeResult


@dataclass
class SteihaugResult:
    """Outcome of :func:`steihaug_cg`.

    Attributes
    ----------
    p
        Step.
    model_decrease
        ``-m(p) = -(g^T p + p^T H p / 2)`` (positive for a useful step).
    iterations
        CG iterations (= Hessian-vector products).
    hit_boundary
        Whether ``||p|| = radius``.
    negative_curvature
        Whether a direction with ``d^T H d <= 0`` was met.
    """

    p: tf.Tensor
    model_decrease: float
    iterations: int
    hit_boundary: bool
    negative_curvature: bool


def _to_boundary(z: tf.Tensor, d: tf.Tensor, radius: float) -> tuple[float, float]:
    """Both roots tau of ||z + tau d|| = radius (tau_minus <= 0 <= tau_plus)."""
    dd, zd, zz = dot(d, d), dot(z, d), dot(z, z)
    disc = math.sqrt(max(zd * zd - dd * (zz - radius * radius), 0.0))
    return (-zd - disc) / dd, (-zd + disc) / dd


def steihaug_cg(
    hvp: Callable[[tf.Tensor], tf.Tensor],
    g: tf.Tensor,
    radius: float,
    rtol: float,
    maxiter: int,
) -> SteihaugResult:
    """Approximately minimize ``m(p) = g^T p + p^T H p / 2`` subject to ``||p|| <= radius``.

    CG on ``H p = -g`` from ``p = 0``, stopped when the residual drops below
    ``rtol * ||g||``, when the iterate leaves the trust region (step to the
    boundary), or on negative curvature (step to the boundary along the
    direction, choosing the root that minimizes the model) -- N&W Alg. 7.2.
    The model value is tracked from CG quantities, costing no extra product.
    """
    z = tf.zeros_like(g)
    r = tf.identity(g)  # residual H z + g
    d = -r
    m_z = 0.0
    rr = dot(r, r)
    tol = rtol * math.sqrt(rr)
    if math.sqrt(rr) <= tol or rr == 0.0:
        return SteihaugResult(z, 0.0, 0, False, False)
    for j in range(maxiter):
        Hd = hvp(d)
        dHd = dot(d, Hd)
        rd = dot(r, d)
        if dHd <= 0:
            taus = _to_boundary(z, d, radius)
            vals = [m_z + t * rd + 0.5 * t * t * dHd for t in taus]
            t = taus[0] if vals[0] < vals[1] else taus[1]
            return SteihaugResult(z + t * d, -min(vals), j + 1, True, True)
        alpha = rr / dHd
        z_new = z + alpha * d
        if norm(z_new) >= radius:
            t = _to_boundary(z, d, radius)[1]
            m_t = m_z + t * rd + 0.5 * t * t * dHd
            return SteihaugResult(z + t * d, -m_t, j + 1, True, False)
        m_z = m_z + alpha * rd + 0.5 * alpha * alpha * dHd
        z = z_new
        r = r + alpha * Hd
        rr_new = dot(r, r)
        if math.sqrt(rr_new) <= tol:
            return SteihaugResult(z, -m_z, j + 1, False, False)
        d = -r + (rr_new / rr) * d
        rr = rr_new
    return SteihaugResult(z, -m_z, maxiter, False, False)


def trust_region_ncg(
    obj: Objective,
    x0: tf.Tensor,
    gtol: float = 1e-6,
    maxiter: int = 100,
    radius0: float = 1.0,
    max_radius: float = 1e3,
    eta: float = 0.1,
    cg_maxiter: int | None = None,
    callback=None,
) -> OptimizeResult:
    """Minimize by trust-region Newton-CG (Steihaug), N&W Algorithm 4.1 + 7.2.

    The ratio ``rho = (f(x) - f(x+p)) / (m(0) - m(p))`` decides: ``rho < 1/4``
    shrinks the radius by 4, ``rho > 3/4`` with a boundary step doubles it (up to
    ``max_radius``), and the step is accepted when ``rho > eta``.  The CG
    forcing term is ``min(0.5, sqrt(||g||))`` as in Newton-CG.

    Parameters
    ----------
    obj, x0, gtol, maxiter, callback
        As for :func:`pdekit.optim.newton_cg.newton_cg`.
    radius0, max_radius
        Initial and maximal trust-region radius.
    eta
        Acceptance threshold on ``rho``, ``0 <= eta < 1/4``.
    cg_maxiter
        Cap on CG iterations per subproblem (default ``min(2 n, 200)``).
    """
    cg_maxiter = min(2 * obj.n, 200) if cg_maxiter is None else cg_maxiter
    radius = radius0

    def step(it: Iterate, k: int) -> Step:
        nonlocal radius
        sub = steihaug_cg(lambda v: obj.hvp(it.x, v), it.g, radius,
                          rtol=min(0.5, math.sqrt(it.gnorm)), maxiter=cg_maxiter)
        pnorm = norm(sub.p)
        if sub.model_decrease <= 0 or pnorm == 0.0:
            raise NoStep(f"no model decrease possible at iteration {k}")
        x_try = it.x + sub.p
        f_try, g_try = obj.value_and_grad(x_try)
        rho = (it.f - f_try) / sub.model_decrease if math.isfinite(f_try) else -math.inf
        if rho < 0.25:
            radius = 0.25 * pnorm
        elif rho > 0.75 and sub.hit_boundary:
            radius = min(2.0 * radius, max_radius)
        accepted = rho > eta
        new = Iterate(x_try, f_try, g_try, norm(g_try)) if accepted else it
        halt = (f"trust region radius {radius:.3e} collapsed at iteration {k}"
                if radius < 1e-14 * max(1.0, norm(new.x)) else None)
        return Step(new, {"radius": radius, "rho": rho, "accepted": accepted,
                          "cg_iters": sub.iterations,
                          "negative_curvature": sub.negative_curvature}, halt)

    run = iterate(obj.start(x0), step, maxiter=maxiter, converged=gradient_test(gtol),
                  callback=callback, first_record={"radius": radius0})
    return obj.result("trust-ncg", run)
