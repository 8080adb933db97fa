"""ETDRK4's coefficients: the φ-functions of z = h λ by contour integrals.

With z = h λ, E = eᶻ, E₂ = e^{z/2}, Q = h (e^{z/2} − 1)/z and

    f₁ = h (−4 − z + eᶻ (4 − 3z + z²)) / z³
    f₂ = h ( 2 + z + eᶻ (z − 2)) / z³
    f₃ = h (−4 − 3z − z² + eᶻ (4 − z)) / z³

(Cox & Matthews, J. Comput. Phys. 176, 430–455, 2002). These formulas cancel
catastrophically for small |z|; Kassam & Trefethen (SIAM J. Sci. Comput. 26, 1214–1233,
2005) evaluate them instead as the mean over points on a circle around each z (Cauchy's
integral formula by the trapezoidal rule), which is accurate to round-off for every z,
including z = 0. For real z the circle is symmetric about the real axis and the mean over
its upper half, real part taken, suffices. Here the contour (radius 3, see
:data:`CIRCLE_RADIUS`) is used where |z| < 2 and the closed forms (which lose at most ~2
digits there) elsewhere, so that large grids need few contour evaluations. The stepper is
in :mod:`pdekit.time.etd`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

CONTOUR_POINTS = 16
"""Points on the upper half circle (real z) of the contour integral; complex z get twice
as many on the full circle."""

CONTOUR_RADIUS = 2.0
"""|z| below which the contour integral replaces the closed forms."""

CIRCLE_RADIUS = 3.0
"""Radius of the circle around z. Kassam & Trefethen use 1, which for |z| ≈ 1 puts
points next to 0, where the closed forms evaluated on the circle cancel (relative error
2e-12 with 32 points, measured against 60-digit arithmetic). With radius 3 every point
is at least 1 away from 0 for |z| < 2, and 16 points give 2e-14."""

_CHUNK = 4096
"""Distinct eigenvalues per contour batch (temporaries ~ _CHUNK x points complex)."""


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
    """Contour means of the six functions at the points ``z`` (Kassam–Trefethen).

    At a circle point l = z + ρ the φ-functions follow from the recurrence
    φ₁ = (eˡ − 1)/l, φ_{k+1} = (φ_k − 1/k!)/l, and Q = (e^{l/2} − 1)/l;
    f₁ = φ₁ − 3φ₂ + 4φ₃, f₂ = φ₂ − 2φ₃, f₃ = 4φ₃ − φ₂ (Cox & Matthews 2002,
    eq. 26–28, in φ form) are combined from the means. eˡ = e^z e^ρ keeps the
    exponentials off the values × points grid.
    """
    real = not np.iscomplexobj(z)
    # the upper half circle suffices for real z: the real part of its mean is the full mean
    count = points if real else 2 * points
    offsets = CIRCLE_RADIUS * np.exp(1j * np.pi * (np.arange(1, count + 1) - 0.5) / points)
    inverse = 1.0 / (z[:, None] + offsets[None, :])
    phi1 = np.exp(z)[:, None] * np.exp(offsets)[None, :]
    phi1 -= 1.0
    phi1 *= inverse
    phi2 = phi1 - 1.0
    phi2 *= inverse
    phi3 = phi2 - 0.5
    phi3 *= inverse
    q = np.exp(0.5 * z)[:, None] * np.exp(0.5 * offsets)[None, :]
    q -= 1.0
    q *= inverse
    means = [np.mean(x, axis=1) for x in (q, phi1, phi2, phi3)]
    if real:
        means = [m.real for m in means]
    q, phi1, phi2, phi3 = means
    return q, phi1 - 3.0 * phi2 + 4.0 * phi3, phi2 - 2.0 * phi3, 4.0 * phi3 - phi2, phi1, phi2


def _functions_of_distinct(z: np.ndarray, points: int) -> list[np.ndarray]:
    """Q, f1, f2, f3, φ1, φ2 at h = 1 for a 1-D array ``z`` of distinct values: by the
    contour integral where |z| < :data:`CONTOUR_RADIUS`, by closed forms elsewhere."""
    small = np.abs(z) < CONTOUR_RADIUS
    values = [np.empty_like(z, dtype=np.result_type(z, float)) for _ in range(6)]
    if not np.all(small):
        for target, closed in zip(values, _rational_parts(z[~small])):
            target[~small] = closed
    where_small = np.flatnonzero(small)
    for start in range(0, where_small.size, _CHUNK):
        chunk = where_small[start:start + _CHUNK]
        for target, means in zip(values, _contour_means(z[chunk], points)):
            target[chunk] = means
    return values


def etdrk4_coefficients(eigenvalues: np.ndarray, dt: float,
                        points: int = CONTOUR_POINTS) -> ETDRK4Coefficients:
    """ETDRK4 multipliers (and the embedded pair's φ₁, φ₂) for eigenvalues λ and step ``dt``.

    Where |dt λ| < :data:`CONTOUR_RADIUS` the φ-type functions come from the
    Kassam–Trefethen contour integral, elsewhere from their closed forms. Both are
    evaluated once per distinct eigenvalue (a (2d+1)-point Laplacian symbol has far fewer
    distinct values than modes) and gathered into the shape of ``eigenvalues``.

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
    return DistinctEigenvalues(eigenvalues).coefficients(dt, points)


class DistinctEigenvalues:
    """The distinct values of an eigenvalue array and the map back to its shape."""

    def __init__(self, eigenvalues: np.ndarray):
        lam = np.asarray(eigenvalues)
        self.shape = lam.shape
        self.values, index = np.unique(lam, return_inverse=True)
        self.index = index.reshape(self.shape)

    def distinct_coefficients(self, dt: float, points: int = CONTOUR_POINTS
                              ) -> ETDRK4Coefficients:
        """The coefficients at the distinct eigenvalues only (1-D arrays)."""
        # in double precision also for single-precision spectra (cast by the caller)
        z = dt * self.values.astype(np.result_type(self.values, np.float64), copy=False)
        q, f1, f2, f3, p1, p2 = (dt * v for v in _functions_of_distinct(z, points))
        return ETDRK4Coefficients(E=np.exp(z), E2=np.exp(0.5 * z), Q=q, f1=f1, f2=f2, f3=f3,
                                  p1=p1, p2=p2)

    def coefficients(self, dt: float, points: int = CONTOUR_POINTS) -> ETDRK4Coefficients:
        """The coefficients in the shape of the eigenvalue array."""
        c = self.distinct_coefficients(dt, points)
        return ETDRK4Coefficients(*(getattr(c, f.name)[self.index] for f in fields(c)))
