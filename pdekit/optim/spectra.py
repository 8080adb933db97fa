"""Spectral information about operators known only through products.

Operators are callables on flat TensorFlow vectors (``matvec(v) -> A v``) or on
blocks of column vectors (``matmat(X) -> A X`` with ``X`` of shape ``[n, k]``);
:func:`pdekit.hvp.make_hvp` / :func:`pdekit.hvp.make_hessian_matmat` give these
for a Hessian.

References
----------
Golub, G. H. & Van Loan, C. F. (2013). *Matrix Computations*, 4th ed., sec. 8.2
(power method) and ch. 10 (Lanczos).
Halko, N., Martinsson, P.-G. & Tropp, J. A. (2011). Finding structure with
randomness: probabilistic algorithms for constructing approximate matrix
decompositions. SIAM Review 53(2), 217-288.  [HMT]
Frangella, Z., Tropp, J. A. & Udell, M. (2023). Randomized Nyström
preconditioning. SIAM J. Matrix Anal. Appl. 44(2), 718-752.  [FTU]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from pdekit.optim.objective import dot, norm

MatVec = Callable[[tf.Tensor], tf.Tensor]
MatMat = Callable[[tf.Tensor], tf.Tensor]


def _gaussian(shape: tuple[int, ...], dtype: tf.DType, seed: int) -> tf.Tensor:
    rng = np.random.default_rng(seed)
    return tf.constant(rng.standard_normal(shape), dtype=dtype)


# --------------------------------------------------------------------------- power


@dataclass
class PowerResult:
    """Outcome of :func:`power_iteration`: dominant eigenpair estimate."""

    eigenvalue: float
    eigenvector: tf.Tensor
    iterations: int
    converged: bool


def power_iteration(
    matvec: MatVec,
    n: int,
    dtype: tf.DType = tf.float64,
    maxiter: int = 200,
    rtol: float = 1e-10,
    v0: tf.Tensor | None = None,
    seed: int = 0,
) -> PowerResult:
    """Eigenvalue of largest magnitude of a symmetric operator by the power method.

    Iterates ``v <- A v / ||A v||`` and returns the Rayleigh quotient
    ``v^T A v``, stopping when it changes by less than ``rtol * |lambda|``.
    Convergence is linear with ratio ``|lambda_2 / lambda_1|`` (Golub & Van Loan
    2013, sec. 8.2.1); for a Hessian the dominant eigenvalue may be negative.
    """
    v = _gaussian((n,), dtype, seed) if v0 is None else tf.convert_to_tensor(v0, dtype=dtype)
    v = v / norm(v)
    lam = np.nan
    for k in range(1, maxiter + 1):
        Av = matvec(v)
        lam_new = dot(v, Av)
        nrm = norm(Av)
        if nrm == 0.0:
            return PowerResult(0.0, v, k, True)
        v = Av / nrm
        if np.isfinite(lam) and abs(lam_new - lam) <= rtol * abs(lam_new):
            return PowerResult(lam_new, v, k, True)
        lam = lam_new
    return PowerResult(float(lam), v, maxiter, False)


# --------------------------------------------------------------------------- Lanczos


@dataclass
class LanczosResult:
    """Outcome of :func:`lanczos`.

    Attributes
    ----------
    eigenvalues
        The ``k`` requested Ritz values (ascending).
    eigenvectors
        Ritz vectors as columns, shape ``[n, k]``.
    residual_norms
        ``||A y - theta y||`` for each Ritz pair (from the Lanczos relation).
    steps
        Lanczos steps taken (= operator products).
    """

    eigenvalues: np.ndarray
    eigenvectors: tf.Tensor
    residual_norms: np.ndarray
    steps: int


def lanczos(
    matvec: MatVec,
    n: int,
    k: int = 1,
    which: str = "LA",
    steps: int | None = None,
    dtype: tf.DType = tf.float64,
    v0: tf.Tensor | None = None,
    seed: int = 0,
) -> LanczosResult:
    """Extreme eigenvalues of a symmetric operator by Lanczos with full reorthogonalization.

    Each new Lanczos vector is orthogonalized twice against all previous ones
    (classical Gram-Schmidt, "twice is enough"), which keeps the basis orthonormal
    to working precision and avoids spurious copies of converged Ritz values
    (Golub & Van Loan 2013, sec. 10.3.1).

    Parameters
    ----------
    k
        Number of eigenvalues wanted.
    which
        ``"LA"`` largest algebraic, ``"SA"`` smallest algebraic, ``"LM"`` largest
        magnitude, ``"BE"`` both ends (``k // 2`` smallest and ``k - k // 2`` largest).
    steps
        Krylov dimension (default ``min(n, max(2 k + 10, 20))``).
    """
    if which not in ("LA", "SA", "LM", "BE"):
        raise ValueError(f"unknown which={which!r}; available: LA, SA, LM, BE")
    m = min(n, max(2 * k + 10, 20)) if steps is None else min(steps, n)
    if k > m:
        raise ValueError(f"k={k} exceeds the Krylov dimension {m}")
    q = _gaussian((n,), dtype, seed) if v0 is None else tf.convert_to_tensor(v0, dtype=dtype)
    q = q / norm(q)
    Q = [q]
    alphas: list[float] = []
    betas: list[float] = []
    w = None
    for j in range(m):
        w = matvec(Q[j])
        alphas.append(dot(Q[j], w))
        Qm = tf.stack(Q, axis=1)
        for _ in range(2):
            w = w - tf.linalg.matvec(Qm, tf.linalg.matvec(Qm, w, transpose_a=True))
        beta = norm(w)
        if j == m - 1:
            betas.append(beta)
            break
        if beta <= 1e-12 * max(1.0, abs(alphas[-1])):
            betas.append(0.0)  # invariant subspace found: Ritz values are exact
            break
        betas.append(beta)
        Q.append(w / beta)
    steps_done = len(alphas)
    T = np.diag(alphas) + np.diag(betas[: steps_done - 1], 1) + np.diag(betas[: steps_done - 1], -1)
    theta, S = np.linalg.eigh(T)
    if which == "LA":
        idx = np.argsort(theta)[-k:]
    elif which == "SA":
        idx = np.argsort(theta)[:k]
    elif which == "LM":
        idx = np.argsort(np.abs(theta))[-k:]
    else:
        order = np.argsort(theta)
        idx = np.concatenate([order[: k // 2], order[len(order) - (k - k // 2):]])
    idx = idx[np.argsort(theta[idx])]
    Qm = tf.stack(Q[:steps_done], axis=1)
    Y = tf.matmul(Qm, tf.constant(S[:, idx], dtype=dtype))
    res = np.abs(betas[steps_done - 1] * S[-1, idx])
    return LanczosResult(theta[idx], Y, res, steps_done)


# --------------------------------------------------------------------------- randomized


def _orth(Y: tf.Tensor) -> tf.Tensor:
    return tf.linalg.qr(Y)[0]


def randomized_range_finder(
    matmat: MatMat,
    n: int,
    size: int,
    power_iters: int = 0,
    rmatmat: MatMat | None = None,
    dtype: tf.DType = tf.float64,
    seed: int = 0,
) -> tf.Tensor:
    """Orthonormal basis ``Q`` (``[m, size]``) approximating the range of ``A`` (``m x n``).

    Randomized subspace iteration, HMT Algorithm 4.4: ``Y = A Omega``, then
    ``power_iters`` rounds of ``Q <- orth(A orth(A^T Q))`` with re-orthonormalization
    between every product to keep rounding from washing out small singular
    directions.  ``rmatmat`` (``X -> A^T X``) defaults to ``matmat`` (symmetric ``A``).
    """
    rmatmat = matmat if rmatmat is None else rmatmat
    Omega = _gaussian((n, size), dtype, seed)
    Q = _orth(matmat(Omega))
    for _ in range(power_iters):
        Qt = _orth(rmatmat(Q))
        Q = _orth(matmat(Qt))
    return Q


def randomized_svd(
    matmat: MatMat,
    n: int,
    rank: int,
    oversample: int = 10,
    power_iters: int = 1,
    rmatmat: MatMat | None = None,
    dtype: tf.DType = tf.float64,
    seed: int = 0,
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Rank-``rank`` randomized SVD ``A ~= U diag(s) V^T`` (HMT Algs. 4.4 + 5.1).

    Parameters
    ----------
    matmat
        ``X -> A X`` for ``X`` of shape ``[n, l]``.
    n
        Number of columns of ``A``.
    rank, oversample, power_iters
        Target rank ``k``, oversampling ``p`` (sketch size ``k + p``) and number
        ``q`` of power iterations.  The expected spectral error satisfies
        (HMT Cor. 10.10) ``E||A - Q Q^T A|| <= [(1 + sqrt(k/(p-1))) s_{k+1}^{2q+1}
        + e sqrt(k+p)/p (sum_{j>k} s_j^{2(2q+1)})^{1/2}]^{1/(2q+1)}``.
    rmatmat
        ``Y -> A^T Y``; default ``matmat`` (symmetric ``A``, e.g. a Hessian).

    Returns
    -------
    U, s, Vt
        ``[m, rank]``, ``[rank]`` (descending), ``[rank, n]``.
    """
    rmatmat = matmat if rmatmat is None else rmatmat
    Q = randomized_range_finder(matmat, n, rank + oversample, power_iters, rmatmat, dtype, seed)
    Bt = rmatmat(Q)  # A^T Q = B^T, shape [n, l]
    s, Vb, Ub = tf.linalg.svd(Bt)  # B^T = Vb diag(s) Ub^T  =>  B = Ub diag(s) Vb^T
    U = tf.matmul(Q, Ub)
    return U[:, :rank], s[:rank], tf.transpose(Vb[:, :rank])


def nystrom(
    matmat: MatMat,
    n: int,
    rank: int,
    dtype: tf.DType = tf.float64,
    seed: int = 0,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Randomized Nyström approximation ``A ~= U diag(lam) U^T`` of a PSD operator.

    The numerically stable variant of FTU Algorithm 2.1: orthonormal test
    matrix ``Omega``, sketch ``Y = A Omega``, a tiny shift ``nu`` so that
    ``Omega^T (Y + nu Omega)`` has a Cholesky factor ``C``, ``B = Y_nu C^{-T}``,
    thin SVD ``B = U Sigma``, and ``lam = max(Sigma^2 - nu, 0)``.

    Returns
    -------
    U, lam
        ``[n, rank]`` orthonormal columns and ``[rank]`` eigenvalue estimates
        (descending, non-negative).
    """
    Omega = _orth(_gaussian((n, rank), dtype, seed))
    Y = matmat(Omega)
    eps = float(np.finfo(dtype.as_numpy_dtype).eps)
    nu = np.sqrt(n) * eps * float(tf.norm(Y, ord=2, axis=[0, 1]) if n > 0 else 0.0)
    nu = max(nu, eps)
    Ynu = Y + nu * Omega
    M = tf.matmul(Omega, Ynu, transpose_a=True)
    C = tf.linalg.cholesky(0.5 * (M + tf.transpose(M)))  # M = C C^T, C lower
    # B = Ynu C^{-T}  <=>  C B^T = Ynu^T
    B = tf.transpose(tf.linalg.triangular_solve(C, tf.transpose(Ynu), lower=True))
    s, U, _ = tf.linalg.svd(B)
    lam = tf.maximum(s * s - nu, 0.0)
    return U, lam


def low_rank_preconditioner(U: tf.Tensor, lam: tf.Tensor, mu: float = 0.0) -> MatVec:
    """Inverse preconditioner from a low-rank eigen-approximation ``A ~= U diag(lam) U^T``.

    For solving ``(A + mu I) x = b`` (FTU eq. (5.3)):
    ``P^{-1} = (lam_min + mu) U (diag(lam) + mu I)^{-1} U^T + (I - U U^T)``, where
    ``lam_min`` is the smallest retained eigenvalue.  ``P^{-1}`` maps the captured
    top eigenvalues of ``A + mu I`` to ``lam_min + mu`` and leaves the rest alone,
    so a spiked spectrum becomes a clustered one.  ``U, lam`` may come from
    :func:`nystrom` or (for a PSD ``A``) from :func:`randomized_svd` (``U, s``).

    Returns
    -------
    callable
        ``r -> P^{-1} r`` on flat vectors, for :func:`pdekit.optim.cg.cg`.
    """
    lam = tf.convert_to_tensor(lam, dtype=U.dtype)
    lam_min = float(tf.reduce_min(lam))
    if not lam_min + mu > 0:
        raise ValueError(
            f"low-rank preconditioner needs lam_min + mu > 0, got {lam_min:g} + {mu:g}; "
            "lower the rank or add a shift mu"
        )
    scale = (lam_min + mu) / (lam + mu) - 1.0

    def apply(r: tf.Tensor) -> tf.Tensor:
        c = tf.linalg.matvec(U, r, transpose_a=True)
        return r + tf.linalg.matvec(U, scale * c)

    return apply
