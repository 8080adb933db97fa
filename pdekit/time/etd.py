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
about the real axis and the mean over its upper half, real part taken, suffices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pdekit.time.problem import SemilinearProblem

CONTOUR_POINTS = 32
"""Points on the (half-)circle of the contour integral (Kassam & Trefethen use 32)."""

_CHUNK = 1 << 16


class DiagonalLinear(Protocol):
    """A linear part diagonal in some transform (what ETDRK4 needs of L)."""

    eigenvalues: np.ndarray

    def forward(self, u: np.ndarray) -> np.ndarray:
        """Flat state -> transform coefficients (shape broadcastable with eigenvalues)."""

    def inverse(self, coefficients: np.ndarray) -> np.ndarray:
        """Transform coefficients -> flat state."""


@dataclass(frozen=True)
class ETDRK4Coefficients:
    """The diagonal multipliers of one ETDRK4 step (arrays shaped like the eigenvalues)."""

    E: np.ndarray
    E2: np.ndarray
    Q: np.ndarray
    f1: np.ndarray
    f2: np.ndarray
    f3: np.ndarray


def _contour_means(z: np.ndarray, points: int) -> tuple[np.ndarray, ...]:
    """Contour means of the four rational-exponential functions at the points ``z``."""
    real = not np.iscomplexobj(z)
    if real:
        # upper half circle; the real part of the mean equals the full-circle mean
        roots = np.exp(1j * np.pi * (np.arange(1, points + 1) - 0.5) / points)
    else:
        roots = np.exp(2j * np.pi * (np.arange(1, points + 1) - 0.5) / points)
    lr = z[:, None] + roots[None, :]
    e = np.exp(lr)
    e_half = np.exp(0.5 * lr)
    lr2 = lr * lr
    lr3 = lr2 * lr
    q = np.mean((e_half - 1.0) / lr, axis=1)
    f1 = np.mean((-4.0 - lr + e * (4.0 - 3.0 * lr + lr2)) / lr3, axis=1)
    f2 = np.mean((2.0 + lr + e * (lr - 2.0)) / lr3, axis=1)
    f3 = np.mean((-4.0 - 3.0 * lr - lr2 + e * (4.0 - lr)) / lr3, axis=1)
    if real:
        return q.real, f1.real, f2.real, f3.real
    return q, f1, f2, f3


def etdrk4_coefficients(eigenvalues: np.ndarray, dt: float,
                        points: int = CONTOUR_POINTS) -> ETDRK4Coefficients:
    """ETDRK4 multipliers for the eigenvalues λ of L and the step ``dt``.

    The φ-type functions are evaluated by the Kassam–Trefethen contour integral, once per
    distinct eigenvalue (a 5-point Laplacian symbol has far fewer distinct values than
    modes) and in chunks, so that memory stays proportional to the grid.

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
        E, E₂, Q, f₁, f₂, f₃ with the shape of ``eigenvalues``.
    """
    lam = np.asarray(eigenvalues)
    z_all = dt * lam
    unique, index = np.unique(z_all.ravel(), return_inverse=True)
    out = [np.empty_like(unique) for _ in range(4)]
    for start in range(0, unique.size, _CHUNK):
        chunk = slice(start, start + _CHUNK)
        for target, values in zip(out, _contour_means(unique[chunk], points)):
            target[chunk] = values
    q, f1, f2, f3 = (dt * values[index].reshape(lam.shape) for values in out)
    return ETDRK4Coefficients(E=np.exp(z_all), E2=np.exp(0.5 * z_all), Q=q, f1=f1, f2=f2,
                              f3=f3)


def is_diagonal(linear: object) -> bool:
    """Whether ``linear`` offers what ETDRK4 needs (eigenvalues and a transform pair)."""
    return all(hasattr(linear, name) for name in ("eigenvalues", "forward", "inverse"))


def etdrk4(problem: SemilinearProblem, dt: float):
    """One-step map of ETDRK4 (Cox–Matthews) for a transform-diagonal linear part.

    The stage values are combined in transform space; N is evaluated in physical space.
    A step costs four evaluations of N, five forward and four inverse transforms.

    Raises
    ------
    ValueError
        If the problem's linear part is not diagonal in a transform (e.g. a sparse
        matrix): use an IMEX or splitting method there.
    """
    linear = problem.linear
    if not is_diagonal(linear):
        raise ValueError("etdrk4 needs a linear part diagonal in a fast transform "
                         "(FFT/DCT diffusion); for sparse matrices use ars222, ars443 or strang")
    c = etdrk4_coefficients(linear.eigenvalues, dt)
    nonlinear, forward, inverse = problem.nonlinear, linear.forward, linear.inverse

    def step(u: np.ndarray) -> np.ndarray:
        v = forward(u)
        nv = forward(nonlinear(u))
        a = c.E2 * v + c.Q * nv
        na = forward(nonlinear(inverse(a.copy())))
        b = c.E2 * v + c.Q * na
        nb = forward(nonlinear(inverse(b)))
        cc = c.E2 * a + c.Q * (2.0 * nb - nv)
        nc = forward(nonlinear(inverse(cc)))
        new = c.E * v + c.f1 * nv + 2.0 * c.f2 * (na + nb) + c.f3 * nc
        return inverse(new)

    return step
