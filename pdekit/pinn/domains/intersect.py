"""Where one boundary piece (segment or arc) meets another: the cut parameters for CSG."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from pdekit.pinn.domains.pieces import Arc, Piece, Segment


def _line_circle(p: np.ndarray, d: np.ndarray, center: np.ndarray, radius: float
                 ) -> list[float]:
    """Parameters ``s`` with ``|p + s d - center| = radius`` (tangency counts once)."""
    f = p - center
    a, b, c = float(d @ d), 2.0 * float(f @ d), float(f @ f) - radius * radius
    disc = b * b - 4.0 * a * c
    if disc < -1e-12 * max(b * b, abs(4 * a * c), 1e-300):
        return []
    root = math.sqrt(max(disc, 0.0))
    return [(-b - root) / (2.0 * a), (-b + root) / (2.0 * a)]


def _circle_circle(c1: np.ndarray, r1: float, c2: np.ndarray, r2: float) -> list[np.ndarray]:
    d = float(np.linalg.norm(c2 - c1))
    if d == 0.0 or d > r1 + r2 + 1e-12 * (r1 + r2) or d < abs(r1 - r2) - 1e-12 * (r1 + r2):
        return []
    a = (r1 * r1 - r2 * r2 + d * d) / (2.0 * d)
    h = math.sqrt(max(r1 * r1 - a * a, 0.0))
    e = (c2 - c1) / d
    base = c1 + a * e
    perp = np.array([-e[1], e[0]])
    return [base + h * perp, base - h * perp]


def _on_piece(piece: Piece, point: np.ndarray, tol: float) -> bool:
    return bool(piece.distance(point[None, :])[0] <= tol)


def _param(piece: Piece, point: np.ndarray) -> float:
    if isinstance(piece, Segment):
        p, q = np.asarray(piece.start), np.asarray(piece.end)
        return float((point - p) @ (q - p) / ((q - p) @ (q - p)))
    ang = float(piece.param(point[None, :])[0]) * piece.span
    if ang <= piece.span:
        return ang / piece.span
    # Off the arc (round-off): the nearer end, going round the circle.
    return 0.0 if 2.0 * math.pi - ang < ang - piece.span else 1.0


def meeting_points(piece: Piece, other: Piece, tol: float) -> list[np.ndarray]:
    """Points where ``piece`` and ``other`` cross or touch (end points of overlaps included)."""
    cands: list[np.ndarray] = []
    if isinstance(piece, Segment) and isinstance(other, Segment):
        p, q = np.asarray(piece.start), np.asarray(piece.end)
        r, w = np.asarray(other.start), np.asarray(other.end)
        d, e = q - p, w - r
        denom = d[0] * e[1] - d[1] * e[0]
        if abs(denom) > 1e-12 * np.linalg.norm(d) * np.linalg.norm(e):
            g = r - p
            s = (g[0] * e[1] - g[1] * e[0]) / denom
            cands.append(p + s * d)
    elif isinstance(piece, Arc) and isinstance(other, Arc):
        c1, c2 = np.asarray(piece.center), np.asarray(other.center)
        if np.linalg.norm(c1 - c2) <= tol and abs(piece.radius - other.radius) <= tol:
            pass  # the same circle: only end points of overlaps (added below)
        else:
            cands += _circle_circle(c1, piece.radius, c2, other.radius)
    else:
        seg, arc = (piece, other) if isinstance(piece, Segment) else (other, piece)
        p = np.asarray(seg.start)
        d = np.asarray(seg.end) - p
        cands += [p + s * d for s in _line_circle(p, d, np.asarray(arc.center), arc.radius)]
    # End points of either piece lying on the other (touching, T-junctions, overlaps).
    for a, b in ((piece, other), (other, piece)):
        for end in a.at(np.array([0.0, 1.0])):
            cands.append(end)
    return [c for c in cands if _on_piece(piece, c, tol) and _on_piece(other, c, tol)]


def cut_parameters(piece: Piece, others: Iterable[Piece], tol: float) -> np.ndarray:
    """Sorted parameters in ``(0, 1)`` where ``piece`` meets any of ``others``, plus 0 and 1."""
    params = [0.0, 1.0]
    for other in others:
        params += [_param(piece, pt) for pt in meeting_points(piece, other, tol)]
    params = np.clip(np.array(params), 0.0, 1.0)
    params.sort()
    keep = np.concatenate([[True], np.diff(params) > 1e-12])
    out = params[keep]
    out[-1] = 1.0
    return out
