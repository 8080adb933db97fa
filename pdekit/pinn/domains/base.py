"""The :class:`Domain` interface, and :class:`PlanarDomain`, a 2D domain bounded by pieces.

Every domain offers collocation points inside (Sobol'/Halton/uniform with rejection from the
bounding box, or an area-preserving map) and on the boundary (uniform in arc length or area),
named boundary parts with outward normals, exact distances to the boundary, and an
approximate distance function ``phi`` (Sukumar & Srivastava, "Exact imposition of boundary
conditions with distance functions in physics-informed deep neural networks", CMAME 389
(2022) 114333) for the hard-constraint ansatz ``u = g + phi N``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from functools import cached_property
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from pdekit.pinn.domains.adf import r_equivalence
from pdekit.pinn.domains.ops import Ops, get_ops
from pdekit.pinn.domains.pieces import Piece, gauss_nodes
from pdekit.pinn.domains.sampling import check_count, rejection_sample, unit_samples

Bounds = tuple[tuple[float, float], ...]

BOUNDARY_SEED_SHIFT = 1_000_003
"""Boundary samples use ``seed + BOUNDARY_SEED_SHIFT`` (as :mod:`pdekit.pinn.points`)."""


class Domain(ABC):
    """A bounded open domain in 1, 2 or 3 dimensions."""

    dim: int = 0
    _trimmed: bool = True  # piece ADFs need trimming (non-convex or CSG boundaries)

    # -------------------------------------------------------------- geometry
    @property
    @abstractmethod
    def boundary_parts(self) -> tuple[str, ...]:
        """Names of the boundary parts, in a fixed order."""

    @abstractmethod
    def bounding_box(self) -> Bounds:
        """``((x_lo, x_hi), ...)``, one pair per axis."""

    @abstractmethod
    def volume(self) -> float:
        """Length (1D), area (2D) or volume (3D)."""

    @abstractmethod
    def _inside(self, points: np.ndarray) -> np.ndarray:
        """Raw inside test (either answer on the boundary)."""

    @abstractmethod
    def boundary_distance(self, points: np.ndarray,
                          parts: Iterable[str] | None = None) -> np.ndarray:
        """Exact Euclidean distance of each point to the boundary (or to the given parts)."""

    @abstractmethod
    def adf(self, x: Any, parts: Iterable[str] | None = None, m: int = 1,
            xp: Ops | str | None = None) -> Any:
        """Approximate distance function: zero on the boundary parts ``parts`` (default: all,
        i.e. the Dirichlet parts for mixed conditions), positive inside, normalized to first
        order (``|grad phi| = 1``) on the parts away from corners (Sukumar & Srivastava 2022).

        Parameters
        ----------
        x
            Points ``[N, dim]``: a NumPy array, or a ``tf.Tensor`` with ``xp="tensorflow"``.
        parts
            Boundary parts on which ``phi`` vanishes.
        m
            Order of the R-equivalence joining the parts' ADFs (1 or 2).
        xp
            Array namespace: ``None``/``"numpy"``, ``"tensorflow"`` or an ops object.
        """

    @abstractmethod
    def sample_boundary(self, n: int, sampler: str = "sobol", seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points on the boundary, uniform in arc length (2D) or area (3D).

        Returns
        -------
        points, parts
            ``[n, dim]`` points and the name of the boundary part of each (``[n]`` strings).
        """

    @abstractmethod
    def outward_normals(self, points: np.ndarray, part: str) -> np.ndarray:
        """Outward unit normals ``[N, dim]`` of part ``part`` at (or nearest to) ``points``."""

    # -------------------------------------------------------------- shared
    @property
    def scale(self) -> float:
        """A length scale for tolerances: the largest coordinate magnitude of the box (>= 1)."""
        return max(1.0, max(max(abs(lo), abs(hi)) for lo, hi in self.bounding_box()))

    def points(self, points: Any) -> np.ndarray:
        """``points`` as a float array ``[N, dim]`` (``ValueError`` otherwise)."""
        pts = np.asarray(points, dtype=float)
        if self.dim == 1 and pts.ndim == 1:
            pts = pts[:, None]
        if pts.ndim != 2 or pts.shape[1] != self.dim:
            raise ValueError(f"expected points of shape [N, {self.dim}], got {pts.shape}")
        return pts

    def contains(self, points: Any, boundary: bool = True, tol: float = 1e-12) -> np.ndarray:
        """Whether each point lies in the domain.

        Points within ``tol * scale`` of the boundary count as inside when ``boundary`` is
        true (the closed domain) and as outside otherwise (the open domain).
        """
        pts = self.points(points)
        near = self.boundary_distance(pts) <= tol * self.scale
        inside = self._inside(pts)
        return (inside | near) if boundary else (inside & ~near)

    def sample_interior(self, n: int, sampler: str = "sobol", seed: int = 0) -> np.ndarray:
        """``n`` points strictly inside (``"grid"``: about ``n``; see
        :func:`~pdekit.pinn.domains.sampling.rejection_sample`), by rejection from the box."""
        box = self.bounding_box()
        fraction = self.volume() / math.prod(hi - lo for lo, hi in box)
        return rejection_sample(lambda p: self.contains(p, boundary=False), box, n,
                                sampler, seed, fraction)

    def part_list(self, parts: Iterable[str] | None) -> list[str]:
        """The selected part names (all when ``None``); ``ValueError`` for unknown names."""
        if parts is None:
            return list(self.boundary_parts)
        if isinstance(parts, str):
            parts = [parts]
        chosen = list(parts)
        unknown = [p for p in chosen if p not in self.boundary_parts]
        if unknown:
            raise ValueError(f"unknown boundary part(s) {', '.join(map(repr, unknown))}; "
                             f"expected some of {', '.join(self.boundary_parts)}")
        if not chosen:
            raise ValueError("expected at least one boundary part for the distance function")
        return chosen


class PlanarDomain(Domain):
    """A 2D domain whose boundary is a list of named segments and arcs (:attr:`pieces`).

    Subclasses give :attr:`pieces`, :meth:`_inside` and :meth:`bounding_box`; everything else
    (boundary sampling, normals, distances, the ADF, the area) follows from the pieces.
    """

    dim = 2

    @property
    @abstractmethod
    def pieces(self) -> tuple[tuple[str, Piece], ...]:
        """``(part name, piece)`` pairs covering the boundary."""

    @cached_property
    def boundary_parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for name, _ in self.pieces))

    def _selected(self, parts: Iterable[str] | None) -> list[Piece]:
        chosen = set(self.part_list(parts))
        return [piece for name, piece in self.pieces if name in chosen]

    def boundary_distance(self, points: np.ndarray,
                          parts: Iterable[str] | None = None) -> np.ndarray:
        pts = self.points(points)
        return np.min([piece.distance(pts) for piece in self._selected(parts)], axis=0)

    def adf(self, x: Any, parts: Iterable[str] | None = None, m: int = 1,
            xp: Ops | str | None = None) -> Any:
        ops = get_ops(xp)
        x = ops.asarray(x)
        return r_equivalence([piece.adf(x, ops, self._trimmed)
                              for piece in self._selected(parts)], m, ops)

    def sample_boundary(self, n: int, sampler: str = "sobol", seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray]:
        n = check_count(n)
        lengths = np.array([piece.length for _, piece in self.pieces])
        ends = np.cumsum(lengths)
        s = unit_samples(n, 1, sampler, seed + BOUNDARY_SEED_SHIFT)[:, 0] * ends[-1]
        which = np.minimum(np.searchsorted(ends, s, side="right"), len(lengths) - 1)
        local = np.clip((s - (ends[which] - lengths[which])) / lengths[which], 0.0, 1.0)
        points = np.empty((n, 2))
        names = np.empty(n, dtype=object)
        for k, (name, piece) in enumerate(self.pieces):
            sel = which == k
            points[sel] = piece.at(local[sel])
            names[sel] = name
        return points, names.astype(str)

    def normals_of(self, points: np.ndarray, pieces: Sequence[Piece]) -> np.ndarray:
        """Outward normals of the nearest of ``pieces`` at each point."""
        pts = self.points(points)
        nearest = np.argmin([piece.distance(pts) for piece in pieces], axis=0)
        out = np.empty_like(pts)
        for k, piece in enumerate(pieces):
            sel = nearest == k
            out[sel] = piece.normals(pts[sel])
        return out

    def outward_normals(self, points: np.ndarray, part: str) -> np.ndarray:
        return self.normals_of(points, self._selected([part]))

    def moment(self, i: int = 0, j: int = 0) -> float:
        """``integral of x^i y^j`` over the domain, exactly up to round-off, as the boundary
        integral ``integral of x^(i+1) y^j / (i+1) n_x ds`` (divergence theorem), by
        Gauss-Legendre quadrature on each piece."""
        total = 0.0
        for _, piece in self.pieces:
            pts, w = gauss_nodes(piece)
            nx = piece.normals(pts)[:, 0]
            total += float(np.sum(w * pts[:, 0] ** (i + 1) * pts[:, 1] ** j * nx)) / (i + 1)
        return total

    def volume(self) -> float:
        return self.moment(0, 0)

    # CSG operators: the set operations of :mod:`.csg`, which registers them
    def __or__(self, other: PlanarDomain) -> PlanarDomain:
        return COMBINATIONS["union"](self, other)

    def __and__(self, other: PlanarDomain) -> PlanarDomain:
        return COMBINATIONS["intersection"](self, other)

    def __sub__(self, other: PlanarDomain) -> PlanarDomain:
        return COMBINATIONS["difference"](self, other)


COMBINATIONS: dict[str, Callable[[PlanarDomain, PlanarDomain], PlanarDomain]] = {}
"""The set operations behind ``|``, ``&`` and ``-``, filled by :mod:`.csg` when the package
is imported (:mod:`.csg` builds on this module, so this module cannot import it)."""
