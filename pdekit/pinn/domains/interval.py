"""The interval ``(a, b)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from pdekit.pinn.domains import adf
from pdekit.pinn.domains.base import Bounds, Domain
from pdekit.pinn.domains.ops import Ops, get_ops
from pdekit.pinn.domains.sampling import check_count


@dataclass(frozen=True)
class Interval(Domain):
    """The interval ``(a, b)``; boundary parts ``left`` (x = a) and ``right`` (x = b).

    Its ADF joins ``x - a`` and ``b - x`` with the R-equivalence (Sukumar & Srivastava,
    CMAME 389 (2022) 114333): for ``m = 1`` it is ``(x - a)(b - x) / (b - a)``.
    """

    a: float = 0.0
    b: float = 1.0
    names: tuple[str, str] = ("left", "right")

    dim = 1

    def __post_init__(self) -> None:
        if not self.a < self.b:
            raise ValueError(f"expected a < b for an interval, got ({self.a}, {self.b})")

    @property
    def boundary_parts(self) -> tuple[str, ...]:
        return tuple(self.names)

    def bounding_box(self) -> Bounds:
        return ((self.a, self.b),)

    def volume(self) -> float:
        return self.b - self.a

    def _inside(self, points: np.ndarray) -> np.ndarray:
        return (points[:, 0] > self.a) & (points[:, 0] < self.b)

    def _ends(self, parts: Iterable[str] | None) -> list[tuple[float, float]]:
        """``(end point, inward direction)`` of the selected parts."""
        chosen = self.part_list(parts)
        ends = {self.names[0]: (self.a, 1.0), self.names[1]: (self.b, -1.0)}
        return [ends[name] for name in dict.fromkeys(chosen)]

    def boundary_distance(self, points: np.ndarray,
                          parts: Iterable[str] | None = None) -> np.ndarray:
        pts = self.points(points)
        return np.min([np.abs(pts[:, 0] - e) for e, _ in self._ends(parts)], axis=0)

    def adf(self, x: Any, parts: Iterable[str] | None = None, m: int = 1,
            xp: Ops | str | None = None) -> Any:
        ops = get_ops(xp)
        x = ops.asarray(x)
        return adf.r_equivalence([adf.half_space(x, (e,), (d,), ops)
                                  for e, d in self._ends(parts)], m, ops)

    def sample_boundary(self, n: int, sampler: str = "sobol", seed: int = 0
                        ) -> tuple[np.ndarray, np.ndarray]:
        """The two end points (``n``, ``sampler`` and ``seed`` are not used)."""
        check_count(n)
        return np.array([[self.a], [self.b]]), np.array(list(self.names), dtype=str)

    def outward_normals(self, points: np.ndarray, part: str) -> np.ndarray:
        pts = self.points(points)
        (_, inward), = self._ends([part])
        return np.full_like(pts, -inward)
