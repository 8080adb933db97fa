"""3D constructive solid geometry: unions and differences of boxes, balls, cylinders (and
of other unions/differences), with the operands' face names carried over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Collection

from pdekit.fem.geometry.edges3d import Point3
from pdekit.fem.geometry.feature_size import smallest_feature
from pdekit.fem.geometry.shapes3d import Ball, Box, Cylinder, Shape3D

_PRIMITIVES = (Box, Ball, Cylinder)


def _check_operand(name: str, part: Any) -> None:
    if not isinstance(part, (*_PRIMITIVES, Union, Difference)):
        raise ValueError(f"{name}: expected a Box, Ball, Cylinder, Union or Difference, "
                         f"got {type(part).__name__}")


def _nonempty(solid: Any, what: str, size: float) -> Any:
    """``solid``, unless the operation left less than a cube of the smallest feature
    a solid of ``size`` may have (:mod:`pdekit.fem.geometry.feature_size`)."""
    if len(solid.solids) == 0 or not solid.mass >= smallest_feature(size) ** 3:
        raise ValueError(f"{what}: expected the operation to leave a non-empty solid")
    return solid


@dataclass(frozen=True)
class Union(Shape3D):
    """Union of boxes, balls, cylinders (or nested CSG); faces keep their names."""

    parts: tuple[Shape3D, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.parts, (list, tuple)) or len(self.parts) < 2:
            raise ValueError("union parts: expected at least two shapes")
        for part in self.parts:
            _check_operand("union part", part)
        self.check_features()

    @property
    def curved(self) -> bool:  # type: ignore[override]
        return any(p.curved for p in self.parts)

    def occ_shape(self) -> Any:
        solid = self.parts[0].occ_shape()
        for part in self.parts[1:]:
            solid = solid + part.occ_shape()
        return _nonempty(solid, "union", self.size())

    def face_names(self) -> set[str]:
        return set().union(*(part.face_names() for part in self.parts))

    def bounds(self) -> tuple[Point3, Point3]:
        boxes = [part.bounds() for part in self.parts]
        return (tuple(min(b[0][k] for b in boxes) for k in range(3)),  # type: ignore
                tuple(max(b[1][k] for b in boxes) for k in range(3)))

    def graded_edge_length(self, dirichlet: Collection[str]) -> float:
        """A guess: the diagonal of the bounding box (the operations' edges are not
        known without OpenCascade)."""
        return math.dist(*self.bounds())

    def volume(self) -> float:
        return sum(part.volume() for part in self.parts)

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [f for part in self.parts for f in part.features()]


@dataclass(frozen=True)
class Difference(Shape3D):
    """``base`` minus each of ``tools``; the faces cut out keep the tool's names."""

    base: Shape3D
    tools: tuple[Shape3D, ...]

    def __post_init__(self) -> None:
        _check_operand("difference base", self.base)
        if not isinstance(self.tools, (list, tuple)) or not self.tools:
            raise ValueError("difference tools: expected at least one shape")
        for tool in self.tools:
            _check_operand("difference tool", tool)
        self.check_features()

    @property
    def curved(self) -> bool:  # type: ignore[override]
        return self.base.curved or any(t.curved for t in self.tools)

    def occ_shape(self) -> Any:
        solid = self.base.occ_shape()
        for tool in self.tools:
            solid = solid - tool.occ_shape()
        return _nonempty(solid, "difference", self.size())

    def face_names(self) -> set[str]:
        return self.base.face_names().union(*(tool.face_names() for tool in self.tools))

    def bounds(self) -> tuple[Point3, Point3]:
        return self.base.bounds()

    def graded_edge_length(self, dirichlet: Collection[str]) -> float:
        """A guess: the diagonal of the bounding box (the operations' edges are not
        known without OpenCascade)."""
        return math.dist(*self.bounds())

    def volume(self) -> float:
        return self.base.volume()

    def features(self) -> list[tuple[str, str, float, Any]]:
        return [f for part in (self.base, *self.tools) for f in part.features()]
