"""Checks of Hessian-vector products used by the tests: finite differences of the gradient
and the Taylor test (the second-order remainder of a Taylor expansion must fall like h³).

Test-only: the package itself never verifies its products at run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from pdekit.hvp import (LossFn, as_variables, assign_flat, get_flat, make_hvp,
                        make_value_and_grad, num_params)


def _random_direction(n: int, dtype: tf.DType, seed: int) -> tf.Tensor:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(n)
    return tf.constant(v / np.linalg.norm(v), dtype=dtype)


@dataclass
class HVPCheck:
    """Result of :func:`hvp_fd_check`.

    Attributes
    ----------
    rel_error
        ``||Hv - fd|| / max(||Hv||, tiny)``.
    hv, fd
        The autodiff product and its central finite-difference approximation.
    eps
        Finite-difference step used.
    """

    rel_error: float
    hv: np.ndarray
    fd: np.ndarray
    eps: float


def hvp_fd_check(
    loss_fn: LossFn,
    variables: object,
    v: tf.Tensor | np.ndarray | None = None,
    eps: float | None = None,
    seed: int = 0,
) -> HVPCheck:
    """Compare ``H v`` with the central difference ``(g(x+eps v) - g(x-eps v)) / (2 eps)``.

    The error of the central difference is ``O(eps^2)`` plus rounding
    ``O(u / eps)``; the default ``eps = u**(1/3) * max(1, ||x||)`` balances the two
    (Nocedal & Wright 2006, sec. 8.1).  The variables are restored afterwards.
    """
    vs = as_variables(variables)
    dtype = vs[0].dtype
    n = num_params(vs)
    v = _random_direction(n, dtype, seed) if v is None else tf.convert_to_tensor(v, dtype=dtype)
    x0 = get_flat(vs)
    if eps is None:
        u = float(np.finfo(dtype.as_numpy_dtype).eps)
        eps = u ** (1.0 / 3.0) * max(1.0, float(tf.norm(x0))) / max(float(tf.norm(v)), 1e-300)
    vg = make_value_and_grad(loss_fn, vs)
    hv = make_hvp(loss_fn, vs)(v)[2]
    try:
        assign_flat(vs, x0 + eps * v)
        g_plus = vg()[1]
        assign_flat(vs, x0 - eps * v)
        g_minus = vg()[1]
    finally:
        assign_flat(vs, x0)
    fd = (g_plus - g_minus) / (2.0 * eps)
    denom = max(float(tf.norm(hv)), 1e-300)
    return HVPCheck(float(tf.norm(hv - fd)) / denom, hv.numpy(), fd.numpy(), float(eps))


@dataclass
class TaylorResult:
    """Result of :func:`taylor_test`.

    Attributes
    ----------
    h
        Step sizes (decreasing).
    remainder
        ``|L(x+hv) - L(x) - h g.v - h^2/2 v.Hv|`` for each ``h``.
    orders
        Observed orders ``log(r_i / r_{i+1}) / log(h_i / h_{i+1})``; ≈ 3 when the
        gradient and the Hessian action are right (≈ 2 if ``Hv`` is wrong,
        ≈ 1 if the gradient is wrong).
    order
        Median of ``orders``.
    """

    h: np.ndarray
    remainder: np.ndarray
    orders: np.ndarray
    order: float


def taylor_test(
    loss_fn: LossFn,
    variables: object,
    v: tf.Tensor | np.ndarray | None = None,
    h0: float = 0.1,
    n_steps: int = 5,
    factor: float = 2.0,
    seed: int = 0,
) -> TaylorResult:
    """Taylor test of gradient and Hessian action at the current point.

    The second-order remainder ``r(h) = |L(x+hv) - L(x) - h g^T v - h^2/2 v^T H v|``
    shrinks like ``h^3`` for a smooth loss when ``g`` and ``H v`` are correct
    (a standard verification of derivative code, e.g. Farrell et al. 2013,
    dolfin-adjoint's ``taylor_test``).  Steps are ``h0 / factor**i``.  Use
    float64: in float32 the remainder hits rounding quickly.  The variables are
    restored afterwards.
    """
    vs = as_variables(variables)
    dtype = vs[0].dtype
    n = num_params(vs)
    v = _random_direction(n, dtype, seed) if v is None else tf.convert_to_tensor(v, dtype=dtype)
    x0 = get_flat(vs)
    loss0, g, hv = make_hvp(loss_fn, vs)(v)
    gv = float(tf.tensordot(g, v, 1))
    vhv = float(tf.tensordot(v, hv, 1))
    f = tf.function(loss_fn)
    hs = np.array([h0 / factor**i for i in range(n_steps)])
    rem = []
    try:
        for h in hs:
            assign_flat(vs, x0 + h * v)
            fh = float(f())
            rem.append(abs(fh - float(loss0) - h * gv - 0.5 * h * h * vhv))
    finally:
        assign_flat(vs, x0)
    rem_a = np.array(rem)
    with np.errstate(divide="ignore", invalid="ignore"):
        orders = np.log(rem_a[:-1] / rem_a[1:]) / math.log(factor)
    return TaylorResult(hs, rem_a, orders, float(np.median(orders)))
