"""Newton-CG, trust-region Newton-CG and L-BFGS on Rosenbrock and a nonconvex function."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.optim import OPTIMIZERS, Objective, minimize, newton_cg  # noqa: E402


def rosenbrock(dtype=tf.float64):
    x = tf.Variable([-1.2, 1.0], dtype=dtype)
    return x, (lambda: 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2)


@pytest.mark.parametrize("method", ["newton-cg", "trust-ncg"])
def test_second_order_methods_solve_rosenbrock_in_40_iterations(method):
    x, loss = rosenbrock()
    res = minimize(loss, x, method=method, gtol=1e-10, maxiter=40)
    assert res.success, str(res)
    assert res.grad_norm <= 1e-10
    assert res.nit <= 40
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-9)  # variables left at the minimizer
    np.testing.assert_allclose(res.x.numpy(), x.numpy())
    assert res.nhvp > 0 and res.ngrad == res.nit + 1
    assert len(res.history) >= res.nit + 1
    assert res.history[0]["fun"] == pytest.approx(24.2)
    assert res.history[-1]["grad_norm"] == pytest.approx(res.grad_norm)


def test_lbfgs_solves_rosenbrock():
    x, loss = rosenbrock()
    res = minimize(loss, x, method="lbfgs", gtol=1e-10, maxiter=200)
    assert res.success, str(res)
    assert res.grad_norm <= 1e-10
    assert res.nhvp == 0
    assert res.nit < 100
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0], atol=1e-9)


def test_maxiter_exhausted_is_not_success():
    x, loss = rosenbrock()
    res = minimize(loss, x, method="lbfgs", gtol=1e-10, maxiter=3)
    assert not res.success and res.nit == 3
    assert "maximum iterations" in res.message


def test_newton_cg_reports_and_escapes_negative_curvature():
    # f = x^2 - y^2 + y^4/4: saddle at 0, minima at (0, +-sqrt(2)); H = diag(2, 3y^2 - 2)
    # is indefinite at the start (0.01, 0.5), and -g is already a negative-curvature direction.
    v = tf.Variable([0.01, 0.5], dtype=tf.float64)
    loss = lambda: v[0] ** 2 - v[1] ** 2 + 0.25 * v[1] ** 4  # noqa: E731
    res = minimize(loss, v, method="newton-cg", gtol=1e-10)
    assert res.history[1]["negative_curvature"] is True
    assert res.success
    np.testing.assert_allclose(v.numpy(), [0.0, np.sqrt(2.0)], atol=1e-9)
    tr_v = tf.Variable([0.01, 0.5], dtype=tf.float64)
    tr = minimize(lambda: tr_v[0] ** 2 - tr_v[1] ** 2 + 0.25 * tr_v[1] ** 4, tr_v,
                  method="trust-ncg", gtol=1e-10)
    assert any(h.get("negative_curvature") for h in tr.history[1:])
    np.testing.assert_allclose(np.abs(tr_v.numpy()), [0.0, np.sqrt(2.0)], atol=1e-9)


def test_newton_cg_on_keras_model_float32():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dense(1)])
    rng = np.random.default_rng(0)
    X = tf.constant(rng.standard_normal((64, 2)), dtype=tf.float32)
    y = tf.constant(np.tanh(X.numpy() @ [[1.0], [-0.5]]), dtype=tf.float32)
    loss = lambda: tf.reduce_mean((model(X) - y) ** 2)  # noqa: E731
    start = float(loss())
    res = minimize(loss, model.trainable_variables, method="newton-cg", gtol=1e-4, maxiter=50)
    assert res.x.dtype == tf.float32
    assert res.fun < 1e-2 * start
    assert float(loss()) == pytest.approx(res.fun, rel=1e-3)  # graph vs eager float32 sums


def test_methods_are_found_by_name_with_capabilities():
    from pdekit.core.registry import UnknownName

    x, loss = rosenbrock()
    with pytest.raises(UnknownName, match="did you mean 'lbfgs'"):
        minimize(loss, x, method="bfgs")
    with pytest.raises(LookupError) as err:
        minimize(loss, x, method="simplex")
    runnable = [name for name in OPTIMIZERS if OPTIMIZERS.capabilities(name).minimizes_objective]
    assert runnable == ["lbfgs", "newton-cg", "trust-ncg", "gauss-newton",
                        "levenberg-marquardt"]
    for name in runnable:
        assert name in str(err.value)
    with pytest.raises(UnknownName, match="a known method of minimize"):
        minimize(loss, x, method="adam")  # in the catalogue, but a compiled loop
    assert OPTIMIZERS.names(family="newton") == ["newton-cg", "trust-ncg"]
    assert OPTIMIZERS.names(least_squares=True) == ["gauss-newton", "levenberg-marquardt"]
    assert OPTIMIZERS.names(first_order=True) == ["adam", "adamax"]
    res = minimize(loss, x, method="Newton_CG", gtol=1e-8)  # scipy-like spelling accepted
    assert res.method == "newton-cg" and res.success


def test_objective_counts_evaluations():
    x, loss = rosenbrock()
    obj = Objective(loss, x)
    res = newton_cg(obj, obj.x0(), gtol=1e-8)
    assert (res.nfev, res.ngrad, res.nhvp) == (obj.nfev, obj.ngrad, obj.nhvp)
    assert res.ngrad == res.nit + 1
    assert res.nhvp == sum(h["hvps"] for h in res.history[1:])


def test_newton_cg_with_xla_and_reverse_over_reverse_matches():
    x, loss = rosenbrock()
    ref = minimize(loss, x, method="newton-cg", gtol=1e-10)
    y, loss_y = rosenbrock()
    alt = minimize(loss_y, y, method="newton-cg", gtol=1e-10, jit_compile=True,
                   hvp_mode="reverse-over-reverse")
    assert alt.success and alt.nit == ref.nit
    np.testing.assert_allclose(y.numpy(), [1.0, 1.0], atol=1e-9)


def test_newton_cg_with_nystrom_preconditioner_uses_fewer_hvps():
    from pdekit import hvp as H
    from pdekit.optim import low_rank_preconditioner, nystrom

    n, spikes = 200, 10
    rng = np.random.default_rng(7)
    eigs = np.concatenate([np.logspace(4, 2, spikes), rng.uniform(1.0, 5.0, n - spikes)])
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    A = tf.constant(Q @ np.diag(eigs) @ Q.T)
    b = tf.constant(rng.standard_normal(n))
    x = tf.Variable(np.zeros(n))
    loss = lambda: 0.5 * tf.tensordot(x, tf.linalg.matvec(A, x), 1) - tf.tensordot(b, x, 1)  # noqa: E731
    U, lam = nystrom(H.make_hessian_matmat(loss, x), n, rank=15, seed=0)
    plain = minimize(loss, x, method="newton-cg", gtol=1e-8)
    x.assign(np.zeros(n))
    pre = minimize(loss, x, method="newton-cg", gtol=1e-8, precond=low_rank_preconditioner(U, lam))
    assert plain.success and pre.success
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(A.numpy(), b.numpy()), rtol=1e-6, atol=1e-9)
    assert pre.nhvp <= 0.5 * plain.nhvp, (plain.nhvp, pre.nhvp)


def test_zero_curvature_does_not_crash():
    # f = x0 + x1: H = 0, CG meets d^T H d = 0 on its first direction; unbounded below.
    x = tf.Variable([1.0, 1.0], dtype=tf.float64)
    res = minimize(lambda: x[0] + x[1], x, method="newton-cg", maxiter=3)
    assert not res.success and res.nit == 3
    assert res.history[1]["negative_curvature"] is True
    assert res.fun < 2.0
