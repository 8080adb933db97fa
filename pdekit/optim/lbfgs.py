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

from pdekit.optim.driver import Iterate, NoStep, Step, gradient_test, iterate
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
    pairs: deque = deque(maxlen=memory)
    gamma = 1.0

    def step(it: Iterate, k: int) -> Step:
        nonlocal gamma
        p = -two_loop(it.g, pairs, gamma)
        slope = dot(it.g, p)
        if not slope < 0:  # lost descent through rounding: restart from steepest descent
            pairs.clear()
            p, slope = -it.g, -it.gnorm * it.gnorm
        alpha0 = 1.0 if pairs else min(1.0, 1.0 / it.gnorm)

        def phi(a: float):
            fa, ga = obj.value_and_grad(it.x + a * p)
            return fa, dot(ga, p), ga

        ls = strong_wolfe(phi, it.f, slope, alpha0=alpha0, c1=c1, c2=c2)
        if not ls.success or ls.extra is None:
            raise NoStep(f"line search failed at iteration {k}")
        s = ls.alpha * p
        g_new = ls.extra
        y = g_new - it.g
        sy = dot(s, y)
        if sy > 1e-12 * norm(s) * norm(y):
            pairs.append((s, y, 1.0 / sy))
            gamma = sy / dot(y, y)
        return Step(Iterate(it.x + s, ls.fun, g_new, norm(g_new)),
                    {"alpha": ls.alpha, "ls_evals": ls.nevals})

    run = iterate(obj.start(x0), step, maxiter=maxiter, converged=gradient_test(gtol),
                  callback=callback)
    return obj.result("lbfgs", run)
