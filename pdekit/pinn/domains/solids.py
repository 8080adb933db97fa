"""3D domains: the box and the ball."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from pdekit.pinn.domains import adf
from pdekit.pinn.domains.base import BOUNDARY_SEED_SHIFT, Bounds, Domain
from pdekit.pinn.domains.ops import Ops, get_ops
from pdekit.pinn.domains.sampling import check_count, rejection_sample, unit_samples

BOX_PARTS = ("left", "right", "bottom", "top", "front", "back")


def _sphere_directions(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Area-preserving map of the unit square to the unit sphere (Archimedes: ``z``
    uniform in ``[-1, 1]``, longitude uniform)."""
    z = 1.0 - 2.0 * u
    rho = np.sqrt(np.maximum(0.0, 1.0 - z * z))
    lon = 2.0 * math.pi * v
    return np.stack([rho * np.cos(lon), rho * np.sin(lon), z], axis=1)


@dataclass(frozen=True)
class Box(Domain):
    """The box ``(low, high)`` in 3D.

    Parts (or the six ``names`` in this order): ``left``/``right`` (x = low/high),
    ``bottom``/``top`` (y), ``front``/``back`` (z). Being convex, its ADF joins the planes of
    the faces with the R-equivalence (Sukumar & Srivastava, CMAME 389 (2022) 114333).
    """

    low: tuple[float, float, float] = (0.0, 0.0, 0.0)
    high: tuple[float, float, float] = (1.0, 1.0, 1.0)
    names: tuple[str, ...] = BOX_PARTS

    dim = 3

    def __post_init__(self) -> None:
        if len(self.low) != 3 or len(self.high) != 3 or \
                not all(lo < hi for lo, hi in zip(self.low, self.high)):
            raise ValueError(f"expected low < high in each of 3 axes, got {self.low}, {self.high}")
        if len(self.names) != 6:
            raise ValueError("expected 6 face names (left, right, bottom, top, front, back)")
        object.__setattr__(self, "low", tuple(float(v) for v in self.low))
        object.__setattr__(self, "high", tuple(float(v) for v in self.high))

    @property
    def boundary_parts(self) -> tuple[str, ...]:
        return tuple(self.names)

    def _faces(self, parts: Iterable[str] | None = None) -> list[tuple[int, int, str]]:
        """``(axis, side 0=low/1=high, name)`` of the selected faces."""
        chosen = set(self.part_list(parts))
        return [(k // 2, k % 2, name) for k, name in enumerate(self.names) if name in chosen]

    def bounding_box(self) -> Bounds:
        return tuple(zip(self.low, self.high))

    def volume(self) -> float:
        return math.prod(hi - lo for lo, hi in zip(self.low, self.high))

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return np.all((points > np.asarray(self.low)) & (points < np.asarray(self.high)), axis=1)

    def boundary_distance(self, points: np.ndarray,
                          parts: Iterable[str] | None = None) -> np.ndarray:
        pts = self.points(points)
        out = []
        for axis, side, _ in self._faces(parts):
            nearest = np.clip(pts, self.low, self.high)
            nearest[:, axis] = (self.low, self.high)[side][axis]
            out.append(np.linalg.norm(pts - nearest, axis=1))
        return np.min(out, axis=0)

    def adf(self, x: Any, parts: Iterable[str] | None = None, m: int = 1,
            xp: Ops | str | None = None) -> Any:
        ops = get_ops(xp)
        x = ops.asarray(x)
        phis = []
        for axis, side, _ in self._faces(parts):
            point = [0.0, 0.0, 0.0]
            point[axis] = (self.low, self.high)[side][axis]
            inward = [0.0, 0.0, 0.0]
            inward[axis] = 1.0 if side == 0 else -1.0
            phis.append(adf.half_space(x, point, inward, ops))
        return adf.r_equivalence(phis, m, ops)

    def sample_boundary(self, n: int, sampler: str = "sobol", seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Uniform in area (``"grid"``: ``round(sqrt(n))^2`` points): the first unit
        coordinate picks the face by area and gives its first coordinate."""
        n = check_count(n)
        uv = unit_samples(n, 2, sampler, seed + BOUNDARY_SEED_SHIFT)
        faces = self._faces()
        sizes = np.array(self.high) - np.array(self.low)
        areas = np.array([np.prod(np.delete(sizes, axis)) for axis, _, _ in faces])
        ends = np.cumsum(areas)
        s = uv[:, 0] * ends[-1]
        which = np.minimum(np.searchsorted(ends, s, side="right"), len(faces) - 1)
        local = np.clip((s - (ends[which] - areas[which])) / areas[which], 0.0, 1.0)
        points = np.empty((len(uv), 3))
        names = np.empty(len(uv), dtype=object)
        for k, (axis, side, name) in enumerate(faces):
            sel = which == k
            a1, a2 = [j for j in range(3) if j != axis]
            points[sel, axis] = (self.low, self.high)[side][axis]
            points[sel, a1] = self.low[a1] + sizes[a1] * local[sel]
            points[sel, a2] = self.low[a2] + sizes[a2] * uv[sel, 1]
            names[sel] = name
        return points, names.astype(str)

    def outward_normals(self, points: np.ndarray, part: str) -> np.ndarray:
        pts = self.points(points)
        (axis, side, _), = self._faces([part])
        out = np.zeros_like(pts)
        out[:, axis] = -1.0 if side == 0 else 1.0
        return out


@dataclass(frozen=True)
class Ball(Domain):
    """The ball ``|x - center| < radius`` in 3D; one boundary part, ``name`` (``"sphere"``).

    Interior points map unit-cube samples by ``r = R u^(1/3)`` and Archimedes' map of the
    sphere (volume-preserving; ``"grid"``: masked tensor grid). The ADF is the sphere ADF
    ``(R^2 - |x - c|^2) / (2R)`` (Sukumar & Srivastava, CMAME 389 (2022) 114333).
    """

    center: tuple[float, float, float] = (0.0, 0.0, 0.0)
    radius: float = 1.0
    name: str = "sphere"

    dim = 3

    def __post_init__(self) -> None:
        if not self.radius > 0 or len(self.center) != 3:
            raise ValueError(f"expected a 3D center and a positive radius, got "
                             f"{self.center!r}, {self.radius!r}")
        object.__setattr__(self, "center", tuple(float(v) for v in self.center))

    @property
    def boundary_parts(self) -> tuple[str, ...]:
        return (self.name,)

    def bounding_box(self) -> Bounds:
        return tuple((c - self.radius, c + self.radius) for c in self.center)

    def volume(self) -> float:
        return 4.0 / 3.0 * math.pi * self.radius ** 3

    def _radii(self, points: np.ndarray) -> np.ndarray:
        return np.linalg.norm(points - np.asarray(self.center), axis=1)

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return self._radii(points) < self.radius

    def boundary_distance(self, points: np.ndarray,
                          parts: Iterable[str] | None = None) -> np.ndarray:
        self.part_list(parts)
        return np.abs(self._radii(self.points(points)) - self.radius)

    def adf(self, x: Any, parts: Iterable[str] | None = None, m: int = 1,
            xp: Ops | str | None = None) -> Any:
        self.part_list(parts)
        ops = get_ops(xp)
        return adf.r_equivalence([adf.ball(ops.asarray(x), self.center, self.radius, ops)], m, ops)

    def sample_interior(self, n: int, sampler: str = "sobol", seed: int = 0) -> np.ndarray:
        if sampler == "grid":
            return super().sample_interior(n, sampler, seed)
        uvw = rejection_sample(lambda p: p[:, 0] > 0, ((0.0, 1.0),) * 3, n, sampler, seed)
        r = self.radius * np.cbrt(uvw[:, 0])
        return np.asarray(self.center) + r[:, None] * _sphere_directions(uvw[:, 1], uvw[:, 2])

    def sample_boundary(self, n: int, sampler: str = "sobol", seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Uniform in area (``"grid"``: ``round(sqrt(n))^2`` points)."""
        uv = unit_samples(check_count(n), 2, sampler, seed + BOUNDARY_SEED_SHIFT)
        pts = np.asarray(self.center) + self.radius * _sphere_directions(uv[:, 0], uv[:, 1])
        return pts, np.full(len(pts), self.name)

    def outward_normals(self, points: np.ndarray, part: str) -> np.ndarray:
        self.part_list([part])
        r = self.points(points) - np.asarray(self.center)
        return r / np.linalg.norm(r, axis=1, keepdims=True)
