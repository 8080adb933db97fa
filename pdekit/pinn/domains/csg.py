"""2D constructive solid geometry: union, difference and intersection of planar domains.

The boundary of the result is cut exactly out of the operands' boundaries: every piece
(segment or arc) of one operand is split where it meets the other operand's boundary, and
each part is kept or dropped by where its midpoint lies with respect to the other operand
(strictly inside, strictly outside, or on its boundary, where the two outward normals
decide: coincident boundaries are kept once, from the first operand, when the normals agree
for a union or intersection and when they are opposite for a difference). Part names are
inherited from the operands (the second operand's pieces of a difference have their normals
reversed). The ADF joins the trimmed ADFs of the kept pieces with the R-equivalence
(Sukumar & Srivastava, CMAME 389 (2022) 114333, Secs. 3 and 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pdekit.pinn.domains.base import COMBINATIONS, Bounds, PlanarDomain
from pdekit.pinn.domains.intersect import cut_parameters
from pdekit.pinn.domains.pieces import Piece

TOL = 1e-9
"""Relative tolerance (times the domain scale) for "on the other boundary"."""


def _classify(piece: Piece, mids: np.ndarray, other: PlanarDomain, tol: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For midpoints of sub-pieces: strictly inside ``other``, strictly outside, and (for
    the rest, on its boundary) whether the outward normals agree."""
    near = other.boundary_distance(mids) <= tol
    inside = other._inside(mids)
    same = np.einsum("ij,ij->i", piece.normals(mids),
                     other.normals_of(mids, [p for _, p in other.pieces])) > 0
    return inside & ~near, ~inside & ~near, near & same


def _clip(pieces: tuple[tuple[str, Piece], ...], other: PlanarDomain, keep_inside: bool,
          keep_same: bool | None, flip: bool, tol: float) -> list[tuple[str, Piece]]:
    """Sub-pieces kept: strictly inside (``keep_inside``) or outside ``other``; on its
    boundary when the normals agree (``keep_same=True``), disagree (``False``) or never
    (``None``). Consecutive kept sub-pieces are merged."""
    out = []
    others = [p for _, p in other.pieces]
    for name, piece in pieces:
        cuts = cut_parameters(piece, others, tol)
        mids = piece.at(0.5 * (cuts[:-1] + cuts[1:]))
        strictly_in, strictly_out, same = _classify(piece, mids, other, tol)
        on = ~strictly_in & ~strictly_out
        keep = strictly_in if keep_inside else strictly_out
        if keep_same is not None:
            keep = keep | (on & (same if keep_same else ~same))
        k = 0
        while k < len(keep):
            if not keep[k]:
                k += 1
                continue
            j = k
            while j + 1 < len(keep) and keep[j + 1]:
                j += 1
            sub = piece if (k == 0 and j == len(keep) - 1) else piece.sub(cuts[k], cuts[j + 1])
            out.append((name, sub.flipped() if flip else sub))
            k = j + 1
    return out


@dataclass(frozen=True)
class _Boolean(PlanarDomain):
    first: PlanarDomain
    second: PlanarDomain

    def __post_init__(self) -> None:
        for operand in (self.first, self.second):
            if not isinstance(operand, PlanarDomain):
                raise ValueError(f"expected 2D domains as CSG operands, got {operand!r}")

    @property
    def _tol(self) -> float:
        return TOL * max(self.first.scale, self.second.scale)

    @cached_property
    def pieces(self) -> tuple[tuple[str, Piece], ...]:
        pieces = tuple(self._pieces())
        if not pieces:
            raise ValueError(f"expected a nonempty domain with a boundary: {self!r}")
        return pieces

    def _pieces(self) -> list[tuple[str, Piece]]:
        raise NotImplementedError


@dataclass(frozen=True)
class Union(_Boolean):
    """``first`` united with ``second`` (also ``first | second``)."""

    def _pieces(self) -> list[tuple[str, Piece]]:
        a, b, tol = self.first, self.second, self._tol
        return (_clip(a.pieces, b, False, True, False, tol)
                + _clip(b.pieces, a, False, None, False, tol))

    def bounding_box(self) -> Bounds:
        return tuple((min(p[0], q[0]), max(p[1], q[1]))
                     for p, q in zip(self.first.bounding_box(), self.second.bounding_box()))

    def _inside(self, points: np.ndarray) -> np.ndarray:
        # Closed operands: seams between touching operands are inside.
        return self.first.contains(points) | self.second.contains(points)


@dataclass(frozen=True)
class Intersection(_Boolean):
    """The part of ``first`` inside ``second`` (also ``first & second``)."""

    def _pieces(self) -> list[tuple[str, Piece]]:
        a, b, tol = self.first, self.second, self._tol
        return (_clip(a.pieces, b, True, True, False, tol)
                + _clip(b.pieces, a, True, None, False, tol))

    def bounding_box(self) -> Bounds:
        box = tuple((max(p[0], q[0]), min(p[1], q[1]))
                    for p, q in zip(self.first.bounding_box(), self.second.bounding_box()))
        if any(lo >= hi for lo, hi in box):
            raise ValueError("expected intersecting operands: the intersection is empty")
        return box

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return self.first.contains(points, False) & self.second.contains(points, False)


@dataclass(frozen=True)
class Difference(_Boolean):
    """``first`` minus ``second`` (also ``first - second``), e.g. a plate with a hole."""

    def _pieces(self) -> list[tuple[str, Piece]]:
        a, b, tol = self.first, self.second, self._tol
        return (_clip(a.pieces, b, False, False, False, tol)
                + _clip(b.pieces, a, True, None, True, tol))

    def bounding_box(self) -> Bounds:
        return self.first.bounding_box()

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return self.first.contains(points, False) & ~self.second.contains(points)


COMBINATIONS.update(union=Union, intersection=Intersection, difference=Difference)
