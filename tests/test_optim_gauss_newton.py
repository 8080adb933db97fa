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


def test_levenberg_marquardt_trains_a_small_pinn_residual():
    """Residual with a network second derivative inside (nested tapes): -u'' = pi^2 sin(pi x)."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,), dtype="float64"),
                              keras.layers.Dense(8, activation="tanh", dtype="float64"),
                              keras.layers.Dense(1, dtype="float64")])
    x = tf.constant(np.linspace(0.0, 1.0, 41)[:, None])
    xb = tf.constant([[0.0], [1.0]], dtype=tf.float64)
    f = np.pi**2 * tf.sin(np.pi * x[:, 0])

    def residual():
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                u = model(x)
            ux = t1.gradient(u, x)
        uxx = t2.gradient(ux, x)[:, 0]
        return tf.concat([(-uxx - f) / np.sqrt(41.0), model(xb)[:, 0]], axis=0)

    obj = ResidualObjective(residual, model.trainable_variables)
    x0 = obj.x0()
    v = tf.constant(np.random.default_rng(0).standard_normal(obj.n))
    eps = 1e-6
    obj.set(x0 + eps * v)
    r_plus = residual()
    obj.set(x0 - eps * v)
    r_minus = residual()
    obj.set(x0)
    fd = (r_plus - r_minus) / (2 * eps)
    np.testing.assert_allclose(obj.jvp(x0, v).numpy(), fd.numpy(), rtol=1e-6, atol=1e-7)

    start = obj.value(x0)
    out = minimize(residual, model.trainable_variables, method="levenberg-marquardt",
                   gtol=1e-10, maxiter=25)
    assert out.fun < 2e-4 * start, str(out)
    u = model(x)[:, 0].numpy()
    err = np.max(np.abs(u - np.sin(np.pi * x[:, 0].numpy())))
    assert err < 2e-2, err
