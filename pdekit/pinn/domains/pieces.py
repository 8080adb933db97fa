"""Boundary pieces of 2D domains: line segments and circular arcs, with their outward normal.

A piece is parametrized by ``s in [0, 1]`` proportionally to arc length, knows its exact
Euclidean distance, its outward unit normal, its approximate distance function
(:mod:`~pdekit.pinn.domains.adf`, after Sukumar & Srivastava, CMAME 389 (2022) 114333) and how
to cut a sub-piece ``[s0, s1]`` out of itself (for CSG).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Union

import numpy as np

from pdekit.pinn.domains import adf
from pdekit.pinn.domains.ops import NUMPY, Ops

Point2 = tuple[float, float]


@dataclass(frozen=True)
class Segment:
    """The segment from ``start`` to ``end``; ``normal`` is the outward unit normal."""

    start: Point2
    end: Point2
    normal: Point2

    @property
    def length(self) -> float:
        """Euclidean length."""
        return math.dist(self.start, self.end)

    def at(self, s: np.ndarray) -> np.ndarray:
        """Points at parameters ``s`` (``[k]`` in ``[0, 1]``), shape ``[k, 2]``."""
        p, q = np.asarray(self.start), np.asarray(self.end)
        return p + np.asarray(s, float)[:, None] * (q - p)

    def normals(self, points: np.ndarray) -> np.ndarray:
        """The (constant) outward unit normal at each point."""
        return np.tile(np.asarray(self.normal, float), (len(points), 1))

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Exact Euclidean distance of each point to the segment."""
        p, q = np.asarray(self.start), np.asarray(self.end)
        d = q - p
        s = np.clip((points - p) @ d / (d @ d), 0.0, 1.0)
        return np.linalg.norm(points - (p + s[:, None] * d), axis=1)

    def adf(self, x: Any, xp: Ops = NUMPY, trimmed: bool = True) -> Any:
        """The trimmed segment ADF (or, untrimmed, the signed distance to its line,
        positive on the inner side; only for convex domains)."""
        if trimmed:
            return adf.segment(x, self.start, self.end, xp)
        return adf.half_space(x, self.start, (-self.normal[0], -self.normal[1]), xp)

    def sub(self, s0: float, s1: float) -> Segment:
        """The part between parameters ``s0 < s1``."""
        a, b = self.at(np.array([s0, s1]))
        return Segment((float(a[0]), float(a[1])), (float(b[0]), float(b[1])), self.normal)

    def flipped(self) -> Segment:
        """The same segment with the opposite normal."""
        return Segment(self.start, self.end, (-self.normal[0], -self.normal[1]))


@dataclass(frozen=True)
class Arc:
    """The arc ``center + radius (cos a, sin a)``, ``a in [start, start + span]``.

    ``span`` is in ``(0, 2 pi]`` (counter-clockwise); ``sign = +1`` when the domain lies inside
    the circle (outward normal pointing away from the center), ``-1`` for a hole.
    """

    center: Point2
    radius: float
    start: float
    span: float
    sign: int = 1

    @property
    def length(self) -> float:
        """Arc length ``radius * span``."""
        return self.radius * self.span

    def at(self, s: np.ndarray) -> np.ndarray:
        """Points at parameters ``s`` (``[k]`` in ``[0, 1]``), shape ``[k, 2]``."""
        a = self.start + self.span * np.asarray(s, float)
        return np.asarray(self.center) + self.radius * np.stack([np.cos(a), np.sin(a)], axis=1)

    def normals(self, points: np.ndarray) -> np.ndarray:
        """Outward unit normal (radial, times ``sign``; at the center, ``(sign, 0)``)."""
        r = points - np.asarray(self.center)
        norm = np.linalg.norm(r, axis=1, keepdims=True)
        r = np.where(norm > 0, r, np.array([1.0, 0.0]))
        return self.sign * r / np.where(norm > 0, norm, 1.0)

    def param(self, points: np.ndarray) -> np.ndarray:
        """``((angle - start) mod 2 pi) / span`` (``> 1``: off the arc)."""
        r = points - np.asarray(self.center)
        ang = np.mod(np.arctan2(r[:, 1], r[:, 0]) - self.start, 2.0 * math.pi)
        # Angles just below 2 pi belong to the start when the arc is a full circle.
        if self.span >= 2.0 * math.pi - 1e-12:
            ang = np.where(ang > 2.0 * math.pi - 1e-12, 0.0, ang)
        return ang / self.span

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Exact Euclidean distance of each point to the arc."""
        r = np.linalg.norm(points - np.asarray(self.center), axis=1)
        on = self.param(points) <= 1.0 + 1e-14
        ends = self.at(np.array([0.0, 1.0]))
        to_ends = np.minimum(np.linalg.norm(points - ends[0], axis=1),
                             np.linalg.norm(points - ends[1], axis=1))
        return np.where(on, np.abs(r - self.radius), to_ends)

    def adf(self, x: Any, xp: Ops = NUMPY, trimmed: bool = True) -> Any:
        """The trimmed arc ADF (untrimmed: the oriented circle ADF, positive inside)."""
        if trimmed:
            return adf.arc(x, self.center, self.radius, self.start, self.span, xp)
        return self.sign * adf.ball(x, self.center, self.radius, xp)

    def sub(self, s0: float, s1: float) -> Arc:
        """The part between parameters ``s0 < s1``."""
        return Arc(self.center, self.radius, self.start + s0 * self.span,
                   (s1 - s0) * self.span, self.sign)

    def flipped(self) -> Arc:
        """The same arc with the opposite normal."""
        return Arc(self.center, self.radius, self.start, self.span, -self.sign)


Piece = Union[Segment, Arc]


def gauss_nodes(piece: Piece, order: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre points on ``piece`` and arc-length weights (for boundary integrals)."""
    t, w = np.polynomial.legendre.leggauss(order)
    parts = 1 if isinstance(piece, Segment) else max(1, math.ceil(piece.span / (0.5 * math.pi)))
    pts, wts = [], []
    for k in range(parts):
        s = (k + 0.5 * (t + 1.0)) / parts
        pts.append(piece.at(s))
        wts.append(0.5 * w * piece.length / parts)
    return np.concatenate(pts), np.concatenate(wts)
