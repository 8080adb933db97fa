"""pdekit.hvp: flatten helpers, forward-over-reverse HVPs, dense Hessian, checks."""

import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from pdekit import hvp as H  # noqa: E402
from pdekit.optim import lanczos, power_iteration  # noqa: E402
from tests.hvp_checks import hvp_fd_check, taylor_test  # noqa: E402

H_SEED = np.array([[12.0, 18.0], [18.0, 12.0]])


def seed_problem(dtype=tf.float64):
    """NumSA's L(x, y) = 2 x^3 y^3 at (1, 1)."""
    x = tf.Variable([1.0, 1.0], dtype=dtype)
    return x, (lambda: 2.0 * x[0] ** 3 * x[1] ** 3)


def test_import_pdekit_does_not_import_tensorflow():
    code = "import sys, pdekit; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_flatten_unflatten_roundtrip():
    vs = [tf.Variable(np.arange(6.0).reshape(2, 3)), tf.Variable([7.0], dtype=tf.float64), tf.Variable(np.ones((2, 2)))]
    flat = H.get_flat(vs)
    assert flat.shape == (11,)
    parts = H.unflatten(flat * 2.0, vs)
    assert [tuple(p.shape) for p in parts] == [(2, 3), (1,), (2, 2)]
    np.testing.assert_array_equal(parts[0].numpy(), 2.0 * np.arange(6.0).reshape(2, 3))
    H.assign_flat(vs, flat + 1.0)
    np.testing.assert_array_equal(H.get_flat(vs).numpy(), flat.numpy() + 1.0)


def test_as_variables_rejects_mixed_dtypes_and_non_variables():
    with pytest.raises(TypeError, match="dtype"):
        H.as_variables([tf.Variable([1.0], dtype=tf.float32), tf.Variable([1.0], dtype=tf.float64)])
    with pytest.raises(TypeError, match="not a tf.Variable"):
        H.as_variables([tf.constant([1.0])])


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_seed_hessian_and_hvp(dtype):
    x, loss = seed_problem(dtype)
    np.testing.assert_allclose(H.dense_hessian(loss, x).numpy(), H_SEED, rtol=1e-6)
    f, g, hv = H.make_hvp(loss, x)(tf.constant([1.0, -2.0], dtype=dtype))
    assert float(f) == pytest.approx(2.0)
    np.testing.assert_allclose(g.numpy(), [6.0, 6.0], rtol=1e-6)  # dL/dx = 6 x^2 y^3
    np.testing.assert_allclose(hv.numpy(), H_SEED @ [1.0, -2.0], rtol=1e-6)
    assert hv.dtype == dtype


def test_seed_eigenvalues_power_and_lanczos():
    x, loss = seed_problem()
    hv = H.make_hvp(loss, x)
    matvec = lambda v: hv(v)[2]  # noqa: E731
    np.testing.assert_allclose(np.linalg.eigvalsh(H.dense_hessian(loss, x).numpy()), [-6.0, 30.0])
    pw = power_iteration(matvec, 2, maxiter=100, rtol=1e-12)
    assert pw.converged
    assert pw.eigenvalue == pytest.approx(30.0, rel=1e-10)
    np.testing.assert_allclose(np.abs(pw.eigenvector.numpy()), [2**-0.5, 2**-0.5], rtol=1e-5)
    lz = lanczos(matvec, 2, k=2, which="BE")
    np.testing.assert_allclose(lz.eigenvalues, [-6.0, 30.0], rtol=1e-12)


def test_seed_taylor_order_three():
    x, loss = seed_problem()
    res = taylor_test(loss, x, v=[0.6, -0.8])
    assert res.order == pytest.approx(3.0, abs=0.2)
    assert np.all(np.diff(res.remainder) < 0)
    np.testing.assert_array_equal(x.numpy(), [1.0, 1.0])  # restored


def test_taylor_test_detects_a_wrong_hessian(monkeypatch):
    x, loss = seed_problem()
    real = H._hvp

    def wrong(loss_fn, variables, v):
        f, g, hv = real(loss_fn, variables, v)
        return f, g, 1.1 * hv

    monkeypatch.setattr(H, "_hvp", wrong)
    res = taylor_test(loss, x, v=[0.6, -0.8], h0=0.01)
    assert res.order == pytest.approx(2.0, abs=0.2)


def test_dense_hessian_of_quadratic_is_A():
    rng = np.random.default_rng(1)
    M = rng.standard_normal((50, 50))
    A = M @ M.T + 50 * np.eye(50)
    At = tf.constant(A)
    x = tf.Variable(rng.standard_normal(50))
    loss = lambda: 0.5 * tf.tensordot(x, tf.linalg.matvec(At, x), 1)  # noqa: E731
    Hd = H.dense_hessian(loss, x, chunk=16).numpy()
    np.testing.assert_allclose(Hd, A, rtol=1e-12, atol=1e-12 * np.abs(A).max())
    hv = H.hvp(loss, x, np.ones(50)).numpy()
    np.testing.assert_allclose(hv, A.sum(axis=1), rtol=1e-12)


def _keras_problem(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((3,), dtype="float64"),
        keras.layers.Dense(6, activation="tanh", dtype="float64"),
        keras.layers.Dense(4, activation="softplus", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    rng = np.random.default_rng(seed)
    X = tf.constant(rng.standard_normal((40, 3)))
    y = tf.constant(np.sin(X.numpy().sum(axis=1, keepdims=True)))
    loss = lambda: tf.reduce_mean((model(X) - y) ** 2)  # noqa: E731
    return model, loss


def test_keras_model_hvp_matches_finite_differences():
    model, loss = _keras_problem()
    assert len(model.trainable_variables) == 6
    chk = hvp_fd_check(loss, model.trainable_variables, seed=3)
    assert np.linalg.norm(chk.hv) > 1e-3
    assert chk.rel_error < 1e-7
    # gradient from make_hvp equals the plain tape gradient
    _, g, _ = H.make_hvp(loss, model.trainable_variables)(tf.constant(chk.hv))
    with tf.GradientTape() as tape:
        val = loss()
    g_ref = H.flatten(tape.gradient(val, model.trainable_variables))
    np.testing.assert_allclose(g.numpy(), g_ref.numpy(), rtol=1e-12, atol=1e-14)


def test_keras_model_taylor_order_three():
    model, loss = _keras_problem(seed=1)
    res = taylor_test(loss, model.trainable_variables, h0=0.05)
    assert res.order == pytest.approx(3.0, abs=0.25)


@pytest.mark.parametrize("method", H.BATCH_METHODS)
def test_batch_hvp_equals_single_products(method):
    model, loss = _keras_problem()
    vs = model.trainable_variables
    n = H.num_params(vs)
    V = tf.constant(np.random.default_rng(2).standard_normal((5, n)))
    batch = H.make_batch_hvp(loss, vs, method=method)(V).numpy()
    single = H.make_hvp(loss, vs)
    ref = np.stack([single(V[i])[2].numpy() for i in range(5)])
    np.testing.assert_allclose(batch, ref, rtol=1e-10, atol=1e-12)
    X = tf.transpose(V)
    np.testing.assert_allclose(H.make_hessian_matmat(loss, vs, method)(X).numpy(), ref.T,
                               rtol=1e-10, atol=1e-12)


def test_unknown_batch_method():
    x, loss = seed_problem()
    with pytest.raises(LookupError, match="jacobian, loop, vectorized_map"):
        H.make_batch_hvp(loss, x, method="pfor")
    with pytest.raises(LookupError, match="did you mean 'loop'"):
        H.make_batch_hvp(loss, x, method="loops")
    assert H.BATCH_METHODS.names(low_memory=True) == ["loop"]


def test_reverse_over_reverse_mode_agrees():
    model, loss = _keras_problem()
    vs = model.trainable_variables
    v = tf.constant(np.random.default_rng(5).standard_normal(H.num_params(H.as_variables(vs))))
    f1, g1, h1 = H.make_hvp(loss, vs)(v)
    f2, g2, h2 = H.make_hvp(loss, vs, mode="reverse-over-reverse")(v)
    np.testing.assert_allclose(g2.numpy(), g1.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h2.numpy(), h1.numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(LookupError, match="forward-over-reverse, reverse-over-reverse"):
        H.make_hvp(loss, vs, mode="finite-difference")
