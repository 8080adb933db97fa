"""CG: plain, low-rank preconditioned on a spiked spectrum, negative curvature."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.optim import cg, low_rank_preconditioner, nystrom, randomized_svd, steihaug_cg  # noqa: E402


def spd(eigs, seed=0):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((len(eigs), len(eigs))))[0]
    return Q @ np.diag(eigs) @ Q.T


def test_cg_solves_spd_system():
    A = spd(np.linspace(1.0, 100.0, 80))
    At = tf.constant(A)
    b = tf.constant(np.random.default_rng(1).standard_normal(80))
    res = cg(lambda v: tf.linalg.matvec(At, v), b, rtol=1e-12)
    assert res.converged and not res.negative_curvature
    np.testing.assert_allclose(res.x.numpy(), np.linalg.solve(A, b.numpy()), rtol=1e-9, atol=1e-12)
    assert res.residual_norm <= 1e-12 * np.linalg.norm(b.numpy())


def test_low_rank_preconditioner_cuts_iterations_on_spiked_spectrum():
    n, spikes = 300, 15
    rng = np.random.default_rng(4)
    eigs = np.concatenate([np.logspace(5, 3, spikes), rng.uniform(1.0, 10.0, n - spikes)])
    A = spd(eigs, seed=5)
    At = tf.constant(A)
    mv = lambda v: tf.linalg.matvec(At, v)  # noqa: E731
    mm = lambda X: At @ X  # noqa: E731
    b = tf.constant(rng.standard_normal(n))
    x_true = np.linalg.solve(A, b.numpy())

    plain = cg(mv, b, rtol=1e-10)
    U, lam = nystrom(mm, n, rank=20, seed=0)
    nys = cg(mv, b, rtol=1e-10, precond=low_rank_preconditioner(U, lam))
    Us, s, _ = randomized_svd(mm, n, rank=20, oversample=10, power_iters=1, seed=0)
    svd = cg(mv, b, rtol=1e-10, precond=low_rank_preconditioner(Us, s))
    for r in (plain, nys, svd):
        assert r.converged
        np.testing.assert_allclose(r.x.numpy(), x_true, rtol=1e-7, atol=1e-9)
    assert nys.iterations <= 0.35 * plain.iterations, (plain.iterations, nys.iterations)
    assert svd.iterations <= 0.35 * plain.iterations, (plain.iterations, svd.iterations)


def test_preconditioner_needs_positive_smallest_eigenvalue():
    U = tf.constant(np.eye(4)[:, :2])
    with pytest.raises(ValueError, match="lam_min"):
        low_rank_preconditioner(U, [3.0, 0.0])


def test_cg_reports_negative_curvature_on_indefinite_quadratic():
    A = np.diag([4.0, 1.0, -2.0])
    At = tf.constant(A)
    b = tf.constant([1.0, 1.0, 1.0], dtype=tf.float64)
    res = cg(lambda v: tf.linalg.matvec(At, v), b)
    assert res.negative_curvature and not res.converged
    assert res.curvature < 0
    d = res.direction.numpy()
    assert d @ A @ d < 0
    assert "negative curvature" in res.message
    # On the SPD part alone the same routine converges with no flag.
    res2 = cg(lambda v: tf.linalg.matvec(At[:2, :2], v), b[:2])
    assert res2.converged and not res2.negative_curvature


def test_steihaug_follows_negative_curvature_to_the_boundary():
    A = tf.constant(np.diag([4.0, 1.0, -2.0]))
    g = tf.constant([1.0, 1.0, 1.0], dtype=tf.float64)
    sub = steihaug_cg(lambda v: tf.linalg.matvec(A, v), g, radius=2.0, rtol=1e-10, maxiter=10)
    assert sub.negative_curvature and sub.hit_boundary
    p = sub.p.numpy()
    assert np.linalg.norm(p) == pytest.approx(2.0, rel=1e-12)
    model = g.numpy() @ p + 0.5 * p @ A.numpy() @ p
    assert sub.model_decrease == pytest.approx(-model, rel=1e-10)
    assert model < 0


def test_steihaug_interior_solution_is_newton_step():
    A = np.diag([4.0, 1.0, 2.0])
    g = np.array([1.0, 1.0, 1.0])
    sub = steihaug_cg(lambda v: tf.linalg.matvec(tf.constant(A), v), tf.constant(g), radius=10.0,
                      rtol=1e-12, maxiter=10)
    assert not sub.hit_boundary
    np.testing.assert_allclose(sub.p.numpy(), -np.linalg.solve(A, g), rtol=1e-10)
