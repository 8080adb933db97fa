"""Rectangles and disks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pdekit.pinn.domains.base import Bounds, PlanarDomain
from pdekit.pinn.domains.pieces import Arc, Piece, Segment
from pdekit.pinn.domains.sampling import check_count, rejection_sample

RECTANGLE_PARTS = ("left", "right", "bottom", "top")


@dataclass(frozen=True)
class Rectangle(PlanarDomain):
    """The rectangle ``(x0, x1) x (y0, y1)``.

    Parts ``left`` (x = x0), ``right`` (x = x1), ``bottom`` (y = y0), ``top`` (y = y1), or
    the four ``names`` given in that order. Being convex, its ADF joins the (untrimmed) lines
    of the sides, each the exact signed distance.
    """

    x0: float = 0.0
    x1: float = 1.0
    y0: float = 0.0
    y1: float = 1.0
    names: tuple[str, str, str, str] = RECTANGLE_PARTS

    _trimmed = False

    def __post_init__(self) -> None:
        if not (self.x0 < self.x1 and self.y0 < self.y1):
            raise ValueError(f"expected x0 < x1 and y0 < y1 for a rectangle, got "
                             f"({self.x0}, {self.x1}) x ({self.y0}, {self.y1})")
        if len(self.names) != 4:
            raise ValueError("expected 4 side names (left, right, bottom, top)")

    @cached_property
    def pieces(self) -> tuple[tuple[str, Piece], ...]:
        a, b, c, d = self.x0, self.x1, self.y0, self.y1
        left, right, bottom, top = self.names
        return ((left, Segment((a, d), (a, c), (-1.0, 0.0))),
                (right, Segment((b, c), (b, d), (1.0, 0.0))),
                (bottom, Segment((a, c), (b, c), (0.0, -1.0))),
                (top, Segment((b, d), (a, d), (0.0, 1.0))))

    def bounding_box(self) -> Bounds:
        return ((self.x0, self.x1), (self.y0, self.y1))

    def volume(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def _inside(self, points: np.ndarray) -> np.ndarray:
        x, y = points[:, 0], points[:, 1]
        return (x > self.x0) & (x < self.x1) & (y > self.y0) & (y < self.y1)


@dataclass(frozen=True)
class Disk(PlanarDomain):
    """The disk ``|x - center| < radius``; one boundary part, ``name`` (``"circle"``).

    Interior points come from the area-preserving polar map ``r = R sqrt(u)``,
    ``theta = 2 pi v`` of unit-square samples (``"grid"``: masked tensor grid). The ADF is the
    circle ADF ``(R^2 - |x - c|^2) / (2R)`` of Sukumar & Srivastava (CMAME 389, 2022).
    """

    center: tuple[float, float] = (0.0, 0.0)
    radius: float = 1.0
    name: str = "circle"

    _trimmed = False

    def __post_init__(self) -> None:
        if not self.radius > 0:
            raise ValueError(f"expected a positive radius, got {self.radius!r}")
        object.__setattr__(self, "center", (float(self.center[0]), float(self.center[1])))

    @cached_property
    def pieces(self) -> tuple[tuple[str, Piece], ...]:
        return ((self.name, Arc(self.center, self.radius, 0.0, 2.0 * math.pi, 1)),)

    def bounding_box(self) -> Bounds:
        (cx, cy), r = self.center, self.radius
        return ((cx - r, cx + r), (cy - r, cy + r))

    def volume(self) -> float:
        return math.pi * self.radius ** 2

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return np.linalg.norm(points - np.asarray(self.center), axis=1) < self.radius

    def sample_interior(self, n: int, sampler: str = "sobol", seed: int = 0) -> np.ndarray:
        if sampler == "grid":
            return super().sample_interior(n, sampler, seed)
        n = check_count(n)
        # Rejection only removes the rare u = 0 (the center, where the map is singular).
        uv = rejection_sample(lambda p: p[:, 0] > 0, ((0.0, 1.0), (0.0, 1.0)), n, sampler,
                              seed)
        r = self.radius * np.sqrt(uv[:, 0])
        theta = 2.0 * math.pi * uv[:, 1]
        pts = np.asarray(self.center) + r[:, None] * np.stack([np.cos(theta), np.sin(theta)], 1)
        return pts



