"""Approximate distance functions (ADFs) of boundary pieces, and their R-equivalence join.

After N. Sukumar and A. Srivastava, "Exact imposition of boundary conditions with distance
functions in physics-informed deep neural networks", Comput. Methods Appl. Mech. Engrg. 389
(2022) 114333 (below: S&S). An ADF ``phi`` of a boundary piece vanishes exactly on the piece
and is *normalized to first order* there: ``|grad phi| = 1`` on the piece. Pieces are joined
with the R-equivalence of order ``m`` (S&S, Sec. 3),

    phi = phi_1 phi_2 / (phi_1^m + phi_2^m)^(1/m),   i.e.   phi^-m = sum_i phi_i^-m,

which vanishes on every piece and stays normalized to order ``m`` away from the points where
two pieces meet. Curves ``f = 0`` are cut to a piece with a trimming function ``t >= 0``
(S&S, Sec. 5.1):

    phi = sqrt(f^2 + ((varphi - t) / 2)^2),   varphi = sqrt(t^2 + f^4),

which is smooth wherever it is positive (``varphi`` vanishes only at the piece's end points).

Every function takes points ``x`` of shape ``[N, d]`` and an array namespace ``xp``
(:data:`~pdekit.pinn.domains.ops.NUMPY` or :func:`~pdekit.pinn.domains.ops.tensorflow_ops`),
and uses only arithmetic, ``x[:, i]`` and ``xp.sqrt``, so the same code runs in NumPy and,
twice differentiable, in TensorFlow.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from pdekit.pinn.domains.ops import NUMPY, Ops

Array = Any
Vector = Sequence[float]

TINY = 1e-300
"""Added to the R-equivalence denominators so that a point where two pieces meet (both
ADFs zero) gives ``phi = 0`` instead of ``0/0``; it changes no value inside the domain."""


def _dot(x: Array, point: Vector, direction: Vector) -> Array:
    """``(x - point) . direction`` row by row."""
    return sum((x[:, i] - float(point[i])) * float(direction[i]) for i in range(len(point)))


def _squared_distance(x: Array, center: Vector) -> Array:
    return sum((x[:, i] - float(center[i])) ** 2 for i in range(len(center)))


def half_space(x: Array, point: Vector, inward: Vector, xp: Ops = NUMPY) -> Array:
    """Signed distance to the hyperplane through ``point`` (a line in 2D, a plane in 3D).

    ``inward`` is the unit normal pointing into the domain; the result is positive on that
    side. This is the exact (normalized to all orders) ADF of a line or plane, used for the
    sides of rectangles and boxes, which are convex so no trimming is needed.
    """
    return _dot(x, point, inward)


def ball(x: Array, center: Vector, radius: float, xp: Ops = NUMPY) -> Array:
    """``(R^2 - |x - c|^2) / (2R)``: the circle (2D) or sphere (3D) ADF of S&S.

    Positive inside, zero on the circle/sphere, ``|grad| = |x - c| / R = 1`` there.
    """
    return (radius * radius - _squared_distance(x, center)) / (2.0 * radius)


def trim(f: Array, t: Array, xp: Ops = NUMPY) -> Array:
    """The part ``{f = 0, t >= 0}`` of the curve ``f = 0`` (S&S, Sec. 5.1, trimming).

    ``f`` must be normalized to first order; the result is then too, and is zero only on the
    trimmed piece.
    """
    varphi = xp.sqrt(t * t + f ** 4)
    return xp.sqrt(f * f + 0.25 * (varphi - t) ** 2)


def segment(x: Array, p: Vector, q: Vector, xp: Ops = NUMPY) -> Array:
    """The normalized ADF of the line segment ``pq`` in 2D (S&S, Sec. 5.1).

    ``f`` is the signed distance to the line through ``p`` and ``q``; the trimming function
    ``t = ((L/2)^2 - |x - x_c|^2) / L`` is positive in the disk with diameter ``pq``.
    """
    dx, dy = float(q[0]) - float(p[0]), float(q[1]) - float(p[1])
    length = math.hypot(dx, dy)
    f = ((x[:, 0] - float(p[0])) * dy - (x[:, 1] - float(p[1])) * dx) / length
    center = (0.5 * (float(p[0]) + float(q[0])), 0.5 * (float(p[1]) + float(q[1])))
    t = (0.25 * length * length - _squared_distance(x, center)) / length
    return trim(f, t, xp)


def arc(x: Array, center: Vector, radius: float, start: float, span: float,
        xp: Ops = NUMPY) -> Array:
    """The ADF of the circular arc at angles ``[start, start + span]`` (``0 < span <= 2 pi``).

    The circle ADF :func:`ball` is trimmed (S&S, Sec. 5.1) by the half-plane beyond the
    arc's chord, ``t = (x - c) . u_mid - R cos(span / 2)`` with ``u_mid`` the direction of
    the arc's midpoint: ``{t >= 0}`` holds exactly the arc, for minor and major arcs alike.
    A full circle is trimmed by a positive constant, which gives ``|f| (1 + O(f^6))``: zero
    on the whole circle, nonnegative on both sides (a hole, or a disk in a union).
    """
    f = ball(x, center, radius, xp)
    if span >= 2.0 * math.pi - 1e-12:
        return trim(f, radius + 0.0 * f, xp)
    mid = start + 0.5 * span
    t = _dot(x, center, (math.cos(mid), math.sin(mid))) - radius * math.cos(0.5 * span)
    return trim(f, t, xp)


def r_equivalence(phis: Sequence[Array], m: int = 1, xp: Ops = NUMPY) -> Array:
    """Join ADFs: ``phi^-m = sum_i phi_i^-m`` (S&S, Sec. 3, R-equivalence, ``m = 1`` or ``2``).

    Evaluated pairwise as ``a b / (a^m + b^m)^(1/m)`` so that zeros cause no division by
    zero. The result vanishes wherever one ``phi_i`` does; with ``m = 1`` it is normalized
    to first order, with ``m = 2`` to second order, away from the junctions of the pieces.
    """
    if m not in (1, 2):
        raise ValueError(f"R-equivalence order m must be 1 or 2, not {m!r}")
    if not phis:
        raise ValueError("expected at least one distance function to join")
    out = phis[0]
    for phi in phis[1:]:
        if m == 1:
            out = out * phi / (out + phi + TINY)
        else:
            out = out * phi / xp.sqrt(out * out + phi * phi + TINY)
    return out
