"""Gauss-Newton and Levenberg-Marquardt on nonlinear least squares, matrix-free."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.optim import ResidualObjective, minimize  # noqa: E402

TRUE = np.array([2.0, 1.3, 0.5])


def exp_fit(start=(1.0, 0.5, 0.0)):
    t = tf.constant(np.linspace(0.0, 4.0, 50))
    y = TRUE[0] * tf.exp(-TRUE[1] * t) + TRUE[2]
    p = tf.Variable(start, dtype=tf.float64)
    return p, (lambda: p[0] * tf.exp(-p[1] * t) + p[2] - y)


def test_jvp_vjp_and_gn_product_match_dense_jacobian():
    p, res = exp_fit()
    obj = ResidualObjective(res, p)
    x = obj.x0()
    with tf.GradientTape() as tape:
        r = res()
    J = tape.jacobian(r, p).numpy()
    v = tf.constant([0.3, -1.0, 2.0], dtype=tf.float64)
    w = tf.constant(np.random.default_rng(0).standard_normal(50))
    np.testing.assert_allclose(obj.jvp(x, v).numpy(), J @ v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(obj.vjp(x, w).numpy(), J.T @ w.numpy(), rtol=1e-12)
    np.testing.assert_allclose(obj.gn_product(x, v).numpy(), J.T @ J @ v.numpy(), rtol=1e-12)
    f, g = obj.value_and_grad(x)
    np.testing.assert_allclose(g.numpy(), J.T @ r.numpy(), rtol=1e-12)
    assert f == pytest.approx(0.5 * float(np.sum(r.numpy() ** 2)))


@pytest.mark.parametrize("method", ["gauss-newton", "levenberg-marquardt"])
def test_exponential_fit_recovers_parameters(method):
    p, res = exp_fit()
    out = minimize(res, p, method=method, gtol=1e-11)
    assert out.success, str(out)
    np.testing.assert_allclose(p.numpy(), TRUE, rtol=1e-9)
    assert out.fun < 1e-18
    assert out.nit <= 20
    assert out.nhvp > 0


@pytest.mark.parametrize("method", ["gauss-newton", "levenberg-marquardt"])
def test_globalization_from_a_far_start(method):
    # From here the full Gauss-Newton step is not acceptable at first: the line search
    # (GN) has to backtrack, the damping (LM) has to reject steps.
    p, res = exp_fit(start=(0.1, 5.0, -3.0))
    out = minimize(res, p, method=method, gtol=1e-11, maxiter=200)
    assert out.success, str(out)
    np.testing.assert_allclose(p.numpy(), TRUE, rtol=1e-8)
    if method == "gauss-newton":
        assert min(h["alpha"] for h in out.history[1:]) < 1.0
    else:
        assert sum(not h["accepted"] for h in out.history[1:]) >= 1


def test_nonzero_residual_fit_matches_normal_equations():
    # Linear-in-parameters model with noise: the least-squares optimum is known exactly.
    rng = np.random.default_rng(1)
    t = np.linspace(-1.0, 1.0, 40)
    A = np.stack([np.ones_like(t), t, t**2], axis=1)
    y = A @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(40)
    At, yt = tf.constant(A), tf.constant(y)
    p = tf.Variable(np.zeros(3))
    out = minimize(lambda: tf.linalg.matvec(At, p) - yt, p, method="gauss-newton", gtol=1e-12)
    np.testing.assert_allclose(p.numpy(), np.linalg.lstsq(A, y, rcond=None)[0], rtol=1e-10)
    assert out.nit <= 5
