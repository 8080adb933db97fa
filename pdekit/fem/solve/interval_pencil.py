"""Verified arithmetic for the small dense eigenproblems of guaranteed eigenvalue bounds.

Two ingredients, both plain functions on arrays (no NGSolve, no PETSc):

- :func:`gram`: ``XᵀAY`` for a sparse ``A`` and a few dense columns, with a rigorous bound
  on the floating-point rounding of that product. ``AY`` in twice the working precision
  (Dot2 of Ogita, Rump & Oishi 2005, with its error bound), the long dot products with
  ``X`` without error: Dekker's exact products (Numer. Math. 18, 1971) summed by
  :func:`math.fsum` (correctly rounded); γ_n is Higham's n u / (1 − n u) (*Accuracy and
  Stability of Numerical Algorithms*, 2nd ed. 2002, §3.1). The bound covers the
  arithmetic on the given floating-point numbers; how far the assembled ``A`` is from the
  exact operator is not part of it.
- Interval ``LDLᵀ`` without pivoting in :mod:`mpmath`'s ``iv`` (outward-rounded interval
  arithmetic): when no pivot interval contains 0, every symmetric matrix in the interval
  matrix has pivots in those intervals, so the signs give its inertia (Sylvester's law)
  — :func:`negative_count`. From counts follow verified upper bounds of eigenvalues of a
  symmetric pencil (:func:`upper_eigenvalue_bounds`): ``ν_k < t`` exactly when ``A − tB``
  has at least k negative eigenvalues (B positive definite).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

UNIT_ROUNDOFF = 2.0 ** -53
"""u of IEEE double precision (round to nearest)."""

_SPLITTER = 134217729.0  # 2^27 + 1: Veltkamp's splitting constant for doubles


def gamma(n: int) -> float:
    """Higham's γ_n = n u / (1 − n u), rounded up a little."""
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu) * (1.0 + 1e-12)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLITTER * a
    high = c - (c - a)
    return high, a - high


def exact_dot(x: np.ndarray, y: np.ndarray) -> float:
    """``xᵀy`` correctly rounded: products split exactly (Dekker's TwoProduct), the
    2n terms summed by :func:`math.fsum` (exact up to one final rounding; no overflow or
    gradual underflow is assumed, as for finite-element coefficients)."""
    product = x * y
    xh, xl = _split(x)
    yh, yl = _split(y)
    error = xl * yl - (((product - xh * yh) - xl * yh) - xh * yl)
    return math.fsum(np.concatenate([product, error]).tolist())


@dataclass
class IntervalMatrix:
    """A symmetric matrix known to within ``radius`` entrywise: ``[mid − rad, mid + rad]``."""

    mid: np.ndarray
    rad: np.ndarray

    def entries(self) -> list[list[Any]]:
        """The entries as mpmath intervals (outward rounded)."""
        from mpmath import iv

        n = self.mid.shape[0]
        return [[iv.mpf(float(self.mid[i, j])) + iv.mpf([-float(self.rad[i, j]),
                                                          float(self.rad[i, j])])
                 for j in range(n)] for i in range(n)]


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: ``s + e = a + b`` exactly."""
    total = a + b
    z = total - a
    return total, (a - (total - z)) + (b - z)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's TwoProduct: ``p + e = a · b`` exactly."""
    product = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return product, al * bl - (((product - ah * bh) - al * bh) - ah * bl)


def accurate_product(A: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A y`` for a CSR matrix, every row by Ogita–Rump–Oishi's Dot2 ("Accurate sum and
    dot product", SIAM J. Sci. Comput. 26 (2005) 1955–1988): as accurate as a product in
    twice the working precision, with the error bound
    ``|result − exact| ≤ u |result| + γ_{2r}² (|A||y|)`` (r: the row's length; the
    bound here is made a little larger to cover its own evaluation).

    Returns
    -------
    value, bound
    """
    lengths = np.diff(A.indptr)
    rows = np.repeat(np.arange(A.shape[0]), lengths)
    position = np.arange(A.nnz) - A.indptr[rows]
    width = int(lengths.max()) if A.nnz else 0
    products, errors = _two_product(A.data, y[A.indices])
    padded_p = np.zeros((width, A.shape[0]))
    padded_e = np.zeros((width, A.shape[0]))
    padded_p[position, rows] = products
    padded_e[position, rows] = errors
    total = np.zeros(A.shape[0])
    carry = np.zeros(A.shape[0])
    for j in range(width):
        total, q = _two_sum(total, padded_p[j])
        carry += q + padded_e[j]
    value = total + carry
    absolute = np.asarray(abs(A) @ np.abs(y))
    g = gamma(2 * width + 2)
    bound = 2.0 * UNIT_ROUNDOFF * np.abs(value) + g * g * absolute * (1.0 + g) + 1e-300
    return value, bound


def gram(X: np.ndarray, A: Any, Y: np.ndarray | None = None, assembly: float = 0.0
         ) -> IntervalMatrix:
    """``XᵀAY`` (``Y = X`` by default) with a rigorous bound of its rounding errors, plus
    ``assembly · u · (|X|ᵀ|A||Y|)`` for the rounding in the entries of A themselves (an
    estimate: see :data:`pdekit.fem.solve.lehmann_goerisch.ASSEMBLY_ROUNDING`).

    Parameters
    ----------
    X, Y
        Dense ``N × n`` and ``M × m`` arrays (columns: coefficient vectors).
    A
        ``scipy.sparse`` ``N × M`` matrix.

    Returns
    -------
    IntervalMatrix
        ``AY`` column by column by :func:`accurate_product`, then the dot products with
        ``X`` correctly rounded (:func:`exact_dot`): the exact ``XᵀAY`` of the given
        numbers lies within ``rad`` of ``mid``. Finite-element matrices cancel heavily
        (``|X|ᵀ|A||Y|`` can exceed ``XᵀAY`` by 10⁷ on hp-graded meshes), which a plain
        floating-point product would pay for in full.
    """
    import scipy.sparse as sp

    Y = X if Y is None else Y
    A = sp.csr_matrix(A)
    A.sort_indices()
    n, m = X.shape[1], Y.shape[1]
    mid = np.empty((n, m))
    rad = np.empty((n, m))
    absolute_x = np.abs(X)
    absolute_a = abs(A)
    for j in range(m):
        column = np.ascontiguousarray(Y[:, j])
        value, bound = accurate_product(A, column)
        spread = absolute_x.T @ (bound + assembly * UNIT_ROUNDOFF
                                 * np.asarray(absolute_a @ np.abs(column))) \
            * (1.0 + gamma(X.shape[0] + 2))
        for i in range(n):
            mid[i, j] = exact_dot(X[:, i], value)
        rad[:, j] = spread + 2.0 * UNIT_ROUNDOFF * np.abs(mid[:, j]) + 1e-300
    return IntervalMatrix(mid, rad)


def combine(terms: Sequence[tuple[float, IntervalMatrix]]) -> IntervalMatrix:
    """``Σ c_i T_i`` of interval matrices with float weights, the rounding of the sum
    bounded (midpoints added in floating point, radii grown by what that can lose)."""
    mid = sum(c * t.mid for c, t in terms)
    rad = sum(abs(c) * t.rad for c, t in terms)
    spread = sum(abs(c) * np.abs(t.mid) for c, t in terms)
    rad = rad * (1.0 + gamma(2 * len(terms) + 2)) + gamma(2 * len(terms) + 2) * spread
    return IntervalMatrix(np.asarray(mid), np.asarray(rad))


def _pencil(A: list[list[Any]], B: list[list[Any]], t: float) -> list[list[Any]]:
    """``A − tB`` of interval matrices."""
    from mpmath import iv

    shift = iv.mpf(t)
    return [[a - shift * b for a, b in zip(ra, rb)] for ra, rb in zip(A, B)]


def negative_count(entries: list[list[Any]]) -> int | None:
    """Negative eigenvalues of every symmetric matrix in the interval matrix ``entries``
    (mpmath ``iv`` intervals), by interval ``LDLᵀ`` without pivoting; ``None`` when a
    pivot interval contains 0 (the inertia is not decided)."""
    from mpmath import iv

    a = [row[:] for row in entries]
    n = len(a)
    for i in range(n):  # one symmetric interval matrix: the hull of both triangles
        for j in range(i):
            a[i][j] = a[j][i] = iv.mpf([min(a[i][j].a, a[j][i].a), max(a[i][j].b, a[j][i].b)])
    negative = 0
    for k in range(n):
        pivot = a[k][k]
        if pivot.a > 0:
            pass
        elif pivot.b < 0:
            negative += 1
        else:
            return None
        for i in range(k + 1, n):
            factor = a[i][k] / pivot
            for j in range(k + 1, i + 1):
                a[i][j] = a[i][j] - factor * a[k][j]
                a[j][i] = a[i][j]
    return negative


def is_positive_definite(entries: list[list[Any]]) -> bool:
    """Whether every symmetric matrix in ``entries`` is positive definite (verified)."""
    return negative_count(entries) == 0


def midpoints(entries: list[list[Any]]) -> np.ndarray:
    """Midpoints of interval entries as floats."""
    return np.array([[float(x.mid) for x in row] for row in entries])


def upper_eigenvalue_bounds(a_entries: list[list[Any]], b_entries: list[list[Any]],
                            count: int, max_tries: int = 120) -> list[float]:
    """Verified upper bounds ``t_k > ν_k`` (k = 1 … ``count``) of the eigenvalues
    ``ν_1 ≤ ν_2 ≤ …`` of ``A x = ν B x`` for every pencil inside the interval matrices
    (mpmath ``iv`` entries, e.g. :meth:`IntervalMatrix.entries`).

    Each ``t_k`` starts just above the floating-point eigenvalue and moves up until the
    interval ``LDLᵀ`` of ``A − t_k B`` proves at least k negative eigenvalues.

    Raises
    ------
    ArithmeticError
        When B is not proven positive definite, or no bound is proven (intervals too wide).
    """
    import scipy.linalg

    if not is_positive_definite(b_entries):
        raise ArithmeticError("the right-hand matrix is not proven positive definite")
    approx = scipy.linalg.eigh(midpoints(a_entries), midpoints(b_entries),
                               eigvals_only=True)
    scale = max(float(np.max(np.abs(approx))), 1e-300)
    bounds: list[float] = []
    for k in range(count):
        # the smallest step first, doubled until proven: the bound stays as tight as
        # the intervals allow (each try is one n × n interval LDLᵀ)
        step = 16 * UNIT_ROUNDOFF * max(abs(float(approx[k])), 1e-3 * scale)
        for _ in range(max_tries):
            t = float(approx[k]) + step
            found = negative_count(_pencil(a_entries, b_entries, t))
            if found is not None and found >= k + 1:
                break
            step *= 2.0
        else:
            raise ArithmeticError(f"no verified upper bound for eigenvalue {k + 1}")
        bounds.append(t)
    return bounds
