"""Randomized SVD (HMT 2011 error bound), Nyström, Lanczos on operators with known spectra."""

import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.optim import lanczos, nystrom, randomized_range_finder, randomized_svd  # noqa: E402


def decaying_matrix(m=200, n=150, seed=0, rate=0.8):
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.standard_normal((m, n)))[0]
    V = np.linalg.qr(rng.standard_normal((n, n)))[0]
    s = rate ** np.arange(n)
    return U @ np.diag(s) @ V.T, s


def hmt_expected_bound(s, k, p, q):
    """HMT 2011 Cor. 10.10: bound on E||A - Q Q^T A|| with q power iterations."""
    e = 2 * q + 1
    tail = s[k:]
    val = (1 + math.sqrt(k / (p - 1))) * tail[0] ** e + math.e * math.sqrt(k + p) / p * math.sqrt(
        np.sum(tail ** (2 * e)))
    return val ** (1.0 / e)


@pytest.mark.parametrize("q", [0, 1])
def test_randomized_range_finder_within_hmt_bound(q):
    A, s = decaying_matrix()
    At = tf.constant(A)
    k, p = 10, 5
    bound = hmt_expected_bound(s, k, p, q)
    errs = []
    for seed in range(8):
        Q = randomized_range_finder(lambda X: At @ X, A.shape[1], k + p, power_iters=q,
                                    rmatmat=lambda Y: tf.transpose(At) @ Y, seed=seed).numpy()
        np.testing.assert_allclose(Q.T @ Q, np.eye(k + p), atol=1e-12)
        errs.append(np.linalg.norm(A - Q @ (Q.T @ A), 2))
    errs = np.array(errs)
    assert np.all(errs >= s[k + p] * (1 - 1e-9))  # cannot beat the optimal rank-(k+p) error
    assert errs.mean() <= bound
    if q == 1:  # a power iteration brings the error close to optimal
        assert errs.mean() <= 3.0 * s[k + p]


def test_randomized_svd_rank_k():
    A, s = decaying_matrix(seed=1)
    At = tf.constant(A)
    k, p, q = 10, 5, 1
    U, sk, Vt = randomized_svd(lambda X: At @ X, A.shape[1], k, oversample=p, power_iters=q,
                               rmatmat=lambda Y: tf.transpose(At) @ Y, seed=0)
    assert U.shape == (200, k) and sk.shape == (k,) and Vt.shape == (k, 150)
    np.testing.assert_allclose(sk.numpy(), s[:k], rtol=1e-3)
    err = np.linalg.norm(A - U.numpy() @ np.diag(sk.numpy()) @ Vt.numpy(), 2)
    # truncation adds at most s_{k+1} to the range-finder error (HMT sec. 9.3)
    assert err <= s[k] + hmt_expected_bound(s, k, p, q)
    assert err >= s[k] * (1 - 1e-9)


def psd_matrix(n, eigs, seed=0):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    return Q @ np.diag(eigs) @ Q.T


def test_nystrom_recovers_low_rank_psd_exactly():
    n, r = 120, 8
    eigs = np.zeros(n)
    eigs[:r] = np.logspace(2, 0, r)
    A = psd_matrix(n, eigs)
    At = tf.constant(A)
    U, lam = nystrom(lambda X: At @ X, n, rank=12, seed=0)
    approx = U.numpy() @ np.diag(lam.numpy()) @ U.numpy().T
    assert np.linalg.norm(A - approx, 2) <= 1e-9 * np.linalg.norm(A, 2)
    np.testing.assert_allclose(lam.numpy()[:r], eigs[:r], rtol=1e-9)
    assert np.all(lam.numpy() >= 0)


def test_nystrom_error_decays_with_rank():
    n = 150
    eigs = 0.7 ** np.arange(n)
    A = psd_matrix(n, eigs, seed=2)
    At = tf.constant(A)
    errs = []
    for rank in (5, 10, 20):
        U, lam = nystrom(lambda X: At @ X, n, rank=rank, seed=1)
        errs.append(np.linalg.norm(A - U.numpy() @ np.diag(lam.numpy()) @ U.numpy().T, 2))
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 50 * eigs[20]


def test_lanczos_extreme_eigenvalues():
    n = 300
    eigs = np.concatenate([[-5.0, -3.0], np.linspace(0.0, 1.0, n - 4), [7.0, 9.0]])
    At = tf.constant(psd_matrix(n, eigs, seed=3))
    mv = lambda v: tf.linalg.matvec(At, v)  # noqa: E731
    top = lanczos(mv, n, k=2, which="LA", steps=40)
    np.testing.assert_allclose(top.eigenvalues, [7.0, 9.0], rtol=1e-8)
    assert np.all(top.residual_norms < 1e-6)
    bottom = lanczos(mv, n, k=2, which="SA", steps=40)
    np.testing.assert_allclose(bottom.eigenvalues, [-5.0, -3.0], rtol=1e-8)
    y = bottom.eigenvectors.numpy()[:, 0]
    np.testing.assert_allclose(At.numpy() @ y, -5.0 * y, atol=1e-6)
    with pytest.raises(ValueError, match="LA, SA, LM, BE"):
        lanczos(mv, n, which="largest")
