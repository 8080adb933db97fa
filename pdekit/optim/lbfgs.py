"""Limited-memory BFGS with a strong Wolfe line search.

References
----------
Liu, D. C. & Nocedal, J. (1989). On the limited memory BFGS method for large
scale optimization. Math. Programming 45, 503-528.
Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization*, 2nd ed.,
Algorithm 7.4 (two-loop recursion), Algorithm 7.5 (L-BFGS), eq. (7.20)
(initial scaling ``gamma = s^T y / y^T y``), Algorithms 3.5/3.6 (line search).
"""

from __future__ import annotations

from collections import deque

import tensorflow as tf

from pdekit.optim.linesearch import strong_wolfe
from pdekit.optim.objective import Objective, dot, norm
from pdekit.optim.result import OptimizeResult


def two_loop(g: tf.Tensor, pairs: deque, gamma: float) -> tf.Tensor:
    """``H_k g`` for the L-BFGS inverse-Hessian approximation (N&W Alg. 7.4).

    ``pairs`` holds ``(s, y, 1 / y^T s)`` oldest first; ``H_0 = gamma I``.
    """
    q = g
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * dot(s, q)
        alphas.append(a)
        q = q - a * y
    r = gamma * q
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        b = rho * dot(y, r)
        r = r + (a - b) * s
    return r


def lbfgs(
    obj: Objective,
    x0: tf.Tensor,
    gtol: float = 1e-6,
    maxiter: int = 500,
    memory: int = 10,
    c1: float = 1e-4,
    c2: float = 0.9,
    callback=None,
) -> OptimizeResult:
    """Minimize by L-BFGS (two-loop recursion) with a strong Wolfe line search.

    The first step is scaled to length 1 (``alpha_0 = 1 / ||g_0||``); later
    steps try ``alpha = 1``.  Pairs with ``s^T y <= 1e-12 ||s|| ||y||`` are
    skipped (cannot happen with an exact Wolfe step, guards rounding).
    Uses gradients only (``nhvp`` stays 0).
    """
    x = tf.identity(x0)
    f, g = obj.value_and_grad(x)
    gnorm = norm(g)
    pairs: deque = deque(maxlen=memory)
    gamma = 1.0
    history = [{"nit": 0, "fun": f, "grad_norm": gnorm}]
    message, success, nit = "maximum iterations reached", False, 0
    for nit in range(1, maxiter + 1):
        if gnorm <= gtol:
            nit -= 1
            message, success = f"gradient norm {gnorm:.3e} <= gtol {gtol:g}", True
            break
        p = -two_loop(g, pairs, gamma)
        slope = dot(g, p)
        if not slope < 0:  # lost descent through rounding: restart from steepest descent
            pairs.clear()
            p, slope = -g, -gnorm * gnorm
        alpha0 = 1.0 if pairs else min(1.0, 1.0 / gnorm)

        def phi(a: float, x=x, p=p):
            fa, ga = obj.value_and_grad(x + a * p)
            return fa, dot(ga, p), ga

        ls = strong_wolfe(phi, f, slope, alpha0=alpha0, c1=c1, c2=c2)
        if not ls.success or ls.extra is None:
            message = f"line search failed at iteration {nit}"
            nit -= 1
            break
        s = ls.alpha * p
        x_new, f_new, g_new = x + s, ls.fun, ls.extra
        y = g_new - g
        sy = dot(s, y)
        if sy > 1e-12 * norm(s) * norm(y):
            pairs.append((s, y, 1.0 / sy))
            gamma = sy / dot(y, y)
        x, f, g = x_new, f_new, g_new
        gnorm = norm(g)
        rec = {"nit": nit, "fun": f, "grad_norm": gnorm, "alpha": ls.alpha,
               "ls_evals": ls.nevals}
        history.append(rec)
        if callback is not None:
            callback(x, rec)
    else:
        if gnorm <= gtol:
            message, success = f"gradient norm {gnorm:.3e} <= gtol {gtol:g}", True
    return obj.result("lbfgs", x, f, gnorm, nit, success, message, history)
