"""ETDRK4: the fourth-order exponential time-differencing Runge–Kutta method.

For du/dt = L u + N(u) with L diagonal in a fast transform (eigenvalues λ), Cox &
Matthews (J. Comput. Phys. 176, 430–455, 2002, eq. 26–29) integrate the linear part
exactly and the nonlinear part with four stages:

    a   = E₂ u + Q N(u)
    b   = E₂ u + Q N(a)
    c   = E₂ a + Q (2 N(b) − N(u))
    u⁺  = E u + f₁ N(u) + 2 f₂ (N(a) + N(b)) + f₃ N(c)

with z = h λ, E = eᶻ, E₂ = e^{z/2}, Q = h (e^{z/2} − 1)/z and

    f₁ = h (−4 − z + eᶻ (4 − 3z + z²)) / z³
    f₂ = h ( 2 + z + eᶻ (z − 2)) / z³
    f₃ = h (−4 − 3z − z² + eᶻ (4 − z)) / z³.

These formulas cancel catastrophically for small |z|; Kassam & Trefethen (SIAM J. Sci.
Comput. 26, 1214–1233, 2005) evaluate them instead as the mean over points on a circle
of radius 1 around each z (Cauchy's integral formula by the trapezoidal rule), which is
accurate to round-off for every z, including z = 0. For real z the circle is symmetric
about the real axis and the mean over its upper half, real part taken, suffices. Here
the contour is used where |z| < 2 and the closed forms (which lose at most ~2 digits
there) elsewhere, so that large grids need few contour evaluations.

Embedded error estimate (for adaptive steps, :func:`etdrk4_embedded`): the same stages
give the second-order ETD2RK-type value (Cox & Matthews 2002, eq. 22, with the stage c
as predictor)

    u₂ = E u + h φ₁ N(u) + h φ₂ (N(c) − N(u)),  φ₁ = (eᶻ − 1)/z, φ₂ = (eᶻ − 1 − z)/z²,

and u⁺ − u₂ = O(h³) estimates the local error at no extra evaluation of N (the idea of
embedding a lower-order ETD method in ETDRK4's stages follows Whalen, Brio & Moloney,
J. Comput. Phys. 280, 579–601, 2015).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from pdekit.time.problem import SemilinearProblem

CONTOUR_POINTS = 32
"""Points on the upper half circle (real z) of the contour integral (Kassam & Trefethen
use 16; 32 keep the relative error below 1e-13); complex z get twice as many on the
full circle."""

CONTOUR_RADIUS = 2.0
"""|z| below which the contour integral replaces the closed forms."""

_CHUNK = 4096
"""Distinct eigenvalues per contour batch (temporaries ~ _CHUNK x points complex)."""

CACHE_BYTES = 128 * 2**20
"""Memory the adaptive stepper may spend on cached coefficient sets."""


class DiagonalLinear(Protocol):
    """A linear part diagonal in some transform (what ETDRK4 needs of L)."""

    eigenvalues: np.ndarray

    def forward(self, u: np.ndarray) -> np.ndarray:
        """Flat state -> transform coefficients (shape broadcastable with eigenvalues)."""

    def inverse(self, coefficients: np.ndarray) -> np.ndarray:
        """Transform coefficients -> flat state."""


@dataclass(frozen=True)
class ETDRK4Coefficients:
    """The diagonal multipliers of one ETDRK4 step (arrays shaped like the eigenvalues):
    E = e^z, E2 = e^{z/2}, Q, f1, f2, f3 of Cox–Matthews, and p1 = h φ₁(z), p2 = h φ₂(z)
    for the embedded second-order value."""

    E: np.ndarray
    E2: np.ndarray
    Q: np.ndarray
    f1: np.ndarray
    f2: np.ndarray
    f3: np.ndarray
    p1: np.ndarray
    p2: np.ndarray


def _rational_parts(lr: np.ndarray) -> tuple[np.ndarray, ...]:
    """The six functions of z = ``lr`` (h = 1): Q, f1, f2, f3, φ1, φ2, by closed forms."""
    e = np.exp(lr)
    lr2 = lr * lr
    lr3 = lr2 * lr
    return ((np.exp(0.5 * lr) - 1.0) / lr,
            (-4.0 - lr + e * (4.0 - 3.0 * lr + lr2)) / lr3,
            (2.0 + lr + e * (lr - 2.0)) / lr3,
            (-4.0 - 3.0 * lr - lr2 + e * (4.0 - lr)) / lr3,
            (e - 1.0) / lr,
            (e - 1.0 - lr) / lr2)


def _contour_means(z: np.ndarray, points: int) -> tuple[np.ndarray, ...]:
    """Contour means of the six functions at the points ``z`` (Kassam–Trefethen)."""
    real = not np.iscomplexobj(z)
    if real:
        # upper half circle; the real part of the mean equals the full-circle mean
        roots = np.exp(1j * np.pi * (np.arange(1, points + 1) - 0.5) / points)
    else:
        roots = np.exp(1j * np.pi * (np.arange(1, 2 * points + 1) - 0.5) / points)
    means = [np.mean(values, axis=1) for values in _rational_parts(z[:, None] + roots[None, :])]
    return tuple(m.real for m in means) if real else tuple(means)


def etdrk4_coefficients(eigenvalues: np.ndarray, dt: float,
                        points: int = CONTOUR_POINTS) -> ETDRK4Coefficients:
    """ETDRK4 multipliers (and the embedded pair's φ₁, φ₂) for eigenvalues λ and step ``dt``.

    Where |dt λ| < :data:`CONTOUR_RADIUS` the φ-type functions come from the
    Kassam–Trefethen contour integral, evaluated once per distinct eigenvalue (a 5-point
    Laplacian symbol has far fewer distinct values than modes) and in chunks; elsewhere
    from their closed forms. Memory stays proportional to the grid.

    Parameters
    ----------
    eigenvalues
        Eigenvalues of L in its diagonalizing transform (real or complex array).
    dt
        Time step h.
    points
        Contour points.

    Returns
    -------
    ETDRK4Coefficients
        E, E₂, Q, f₁, f₂, f₃, h φ₁, h φ₂ with the shape of ``eigenvalues``.
    """
    lam = np.asarray(eigenvalues)
    z_all = dt * lam
    small = np.abs(z_all) < CONTOUR_RADIUS
    values = [np.empty_like(z_all, dtype=np.result_type(z_all, float)) for _ in range(6)]
    if not np.all(small):
        for target, closed in zip(values, _rational_parts(z_all[~small])):
            target[~small] = closed
    if np.any(small):
        unique, index = np.unique(z_all[small], return_inverse=True)
        out = [np.empty_like(unique) for _ in range(6)]
        for start in range(0, unique.size, _CHUNK):
            chunk = slice(start, start + _CHUNK)
            for target, means in zip(out, _contour_means(unique[chunk], points)):
                target[chunk] = means
        for target, means in zip(values, out):
            target[small] = means[index]
    q, f1, f2, f3, p1, p2 = (dt * v for v in values)
    return ETDRK4Coefficients(E=np.exp(z_all), E2=np.exp(0.5 * z_all), Q=q, f1=f1, f2=f2,
                              f3=f3, p1=p1, p2=p2)


def is_diagonal(linear: object) -> bool:
    """Whether ``linear`` offers what ETDRK4 needs (eigenvalues and a transform pair)."""
    return all(hasattr(linear, name) for name in ("eigenvalues", "forward", "inverse"))


def _require_diagonal(problem: SemilinearProblem) -> DiagonalLinear:
    linear = problem.linear
    if not is_diagonal(linear):
        raise ValueError("etdrk4 needs a linear part diagonal in a fast transform "
                         "(FFT/DCT diffusion); for sparse matrices use ars222, ars443 or strang")
    return linear  # type: ignore[return-value]


class _SpectrumMemo:
    """Remembers the transforms of the last states handed out or taken in.

    A step returns inverse(new); the next step starts with forward() of that very
    array. Keeping the pair (array, spectrum) saves one forward transform per step.
    The arrays handed out are made read-only, so that an in-place change cannot leave
    a stale spectrum behind (a modified copy is a new object and is transformed anew).
    """

    def __init__(self, forward: Callable[[np.ndarray], np.ndarray], size: int = 2):
        self.forward, self.size = forward, size
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def __call__(self, u: np.ndarray) -> np.ndarray:
        for array, spectrum in self.pairs:
            if array is u:
                return spectrum
        spectrum = self.forward(u)
        self.remember(u, spectrum)
        return spectrum

    def remember(self, u: np.ndarray, spectrum: np.ndarray) -> None:
        self.pairs = [(u, spectrum), *self.pairs[: self.size - 1]]


def _stages(c: ETDRK4Coefficients, u: np.ndarray, problem: SemilinearProblem,
            linear: DiagonalLinear, memo: _SpectrumMemo) -> tuple[np.ndarray, ...]:
    """Transformed u and N at the four stages: (v, N(u), N(a), N(b), N(c))."""
    nonlinear, forward, inverse = problem.nonlinear, linear.forward, linear.inverse
    v = memo(u)
    nv = forward(nonlinear(u))
    e2v = c.E2 * v
    a = e2v + c.Q * nv
    na = forward(nonlinear(inverse(a.copy())))
    e2v += c.Q * na
    nb = forward(nonlinear(inverse(e2v)))
    a *= c.E2
    a += c.Q * (2.0 * nb - nv)
    nc = forward(nonlinear(inverse(a)))
    return v, nv, na, nb, nc


def _combine(c: ETDRK4Coefficients, v: np.ndarray, nv: np.ndarray, na: np.ndarray,
             nb: np.ndarray, nc: np.ndarray) -> np.ndarray:
    """E v + f1 N(u) + 2 f2 (N(a) + N(b)) + f3 N(c) (overwrites ``na``)."""
    new = c.E * v
    new += c.f1 * nv
    na += nb
    na *= c.f2
    new += 2.0 * na
    new += c.f3 * nc
    return new


def _finish(linear: DiagonalLinear, memo: _SpectrumMemo, new: np.ndarray) -> np.ndarray:
    u = linear.inverse(new.copy())
    u.flags.writeable = False
    memo.remember(u, new)
    return u


Step = Callable[[np.ndarray], np.ndarray]
Attempt = Callable[[np.ndarray, float], tuple[np.ndarray, np.ndarray]]


def etdrk4(problem: SemilinearProblem, dt: float) -> Step:
    """One-step map of ETDRK4 (Cox–Matthews) for a transform-diagonal linear part.

    The stage values are combined in transform space; N is evaluated in physical space.
    A step costs four evaluations of N, four forward and four inverse transforms (the
    transform of the step's input is remembered from the previous step; the returned
    state is read-only for that reason).

    Raises
    ------
    ValueError
        If the problem's linear part is not diagonal in a transform (e.g. a sparse
        matrix): use an IMEX or splitting method there.
    """
    linear = _require_diagonal(problem)
    c = etdrk4_coefficients(linear.eigenvalues, dt)
    memo = _SpectrumMemo(linear.forward)

    def step(u: np.ndarray) -> np.ndarray:
        return _finish(linear, memo, _combine(c, *_stages(c, u, problem, linear, memo)))

    return step


def etdrk4_embedded(problem: SemilinearProblem, cache_size: int | None = None) -> Attempt:
    """ETDRK4 with its embedded second-order estimate, for adaptive step control.

    Parameters
    ----------
    problem
        The semilinear problem (transform-diagonal linear part).
    cache_size
        Coefficient sets kept for reuse (most recent step sizes); by default as many as
        fit in :data:`CACHE_BYTES`, between 2 and 24.

    Returns
    -------
    attempt
        ``attempt(u, dt) -> (u_new, error)``: the ETDRK4 value and the estimate
        u⁺ − u₂ of the local error (an array like ``u``).
    """
    linear = _require_diagonal(problem)
    if cache_size is None:
        set_bytes = 8 * np.asarray(linear.eigenvalues).nbytes
        cache_size = int(min(24, max(2, CACHE_BYTES // max(set_bytes, 1))))
    cache: dict[float, ETDRK4Coefficients] = {}
    memo = _SpectrumMemo(linear.forward, size=3)

    def attempt(u: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        c = cache.get(dt)
        if c is None:
            if len(cache) >= cache_size:
                cache.pop(next(iter(cache)))
            c = cache[dt] = etdrk4_coefficients(linear.eigenvalues, dt)
        v, nv, na, nb, nc = _stages(c, u, problem, linear, memo)
        # u₂ − E v = p1 nv + p2 (nc − nv); computed before _combine reuses na
        low = c.p1 * nv + c.p2 * (nc - nv)
        new = _combine(c, v, nv, na, nb, nc)
        low += c.E * v
        low -= new
        return _finish(linear, memo, new), linear.inverse(low)

    return attempt
