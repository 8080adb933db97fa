"""The 3D domain of an ``eigen`` case, resolved without Netgen.

:func:`build_solid` turns ``[geometry]`` (``box``, ``ball``, ``cylinder``, ``fichera``,
``prism``, ``csg``) into a :class:`Solid` around a :class:`~pdekit.fem.geometry3d.Shape3D`;
:func:`mesh_file_solid` reads a 3D mesh file (Netgen ``.vol``, Gmsh ``.msh`` 2.x or 4.x with
tetrahedra) far enough to know its boundary names, element count and bounding box. Both
only compute: ``pdekit check`` runs them, and nothing here imports ``netgen``.

CSG
---
``shape = "csg"`` names its primitives in ``[geometry.primitives.<name>]`` tables and
combines them with ``combine = "block + post - hole"``: the operations ``+`` (union) and
``-`` (difference) apply left to right. A primitive's faces are named
``<name>_<face>`` (``block_left``, ``post_side``, ``hole_sphere``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdekit.fem.csg3d import Difference, Union
from pdekit.fem.geometry3d import Ball, Box, Cylinder, Fichera, Point3, Prism, Shape3D

SOLID_SHAPES = ("box", "ball", "cylinder", "fichera", "prism", "csg")
"""The ``geometry.shape`` values that are 3D."""

TOKEN = re.compile(r"\s*([+-])?\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


@dataclass(frozen=True)
class Solid:
    """A 3D domain: a built-in solid or a mesh file.

    Attributes
    ----------
    kind
        ``"solid"`` (``shape`` set) or ``"mesh"`` (``file`` set).
    boundaries
        Face names a case may use in ``[boundary]``.
    lower, upper
        Bounding box.
    volume
        Volume (an upper bound for CSG) for the size estimate.
    file_elements
        Tetrahedra in the mesh file (0 for built-in solids).
    """

    kind: str
    shape: Shape3D | None = None
    file: Path | None = None
    boundaries: list[str] = field(default_factory=list)
    lower: Point3 = (0.0, 0.0, 0.0)
    upper: Point3 = (1.0, 1.0, 1.0)
    volume: float = 1.0
    file_elements: int = 0
    dim: int = 3

    @property
    def curved(self) -> bool:
        """Whether the faces are curved (the mesh is then curved to the element order)."""
        return self.shape is not None and self.shape.curved

    def bounds(self) -> tuple[Point3, Point3]:
        return self.lower, self.upper


def solid(shape: Shape3D) -> Solid:
    """A :class:`Solid` for a built-in shape."""
    lower, upper = shape.bounds()
    return Solid("solid", shape=shape, boundaries=sorted(shape.face_names()), lower=lower,
                 upper=upper, volume=shape.volume())


def primitive(name: str, spec: Any) -> Shape3D:
    """A named CSG primitive from its ``[geometry.primitives.<name>]`` table."""
    if spec.kind == "box":
        return Box(tuple(spec.corner), tuple(spec.sizes), name=name)
    if spec.kind == "ball":
        return Ball(tuple(spec.center), spec.radius, name=name)
    return Cylinder(tuple(spec.base), spec.radius, spec.height, name=name)


def parse_combine(text: str, names: list[str]) -> list[tuple[str, str]]:
    """``"a + b - c"`` as ``[("+", "a"), ("+", "b"), ("-", "c")]``.

    Raises
    ------
    ValueError
        Saying what was expected: names joined by ``+``/``-``, each a known primitive.
    """
    steps, position = [], 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or (steps and not match.group(1)) or (not steps and match.group(1)):
            raise ValueError("primitive names joined by + and - (e.g. 'block + post - hole')")
        name = match.group(2)
        if name not in names:
            from pdekit.registry import did_you_mean

            raise ValueError(f"names of [geometry.primitives] {did_you_mean(name, names)}")
        steps.append((match.group(1) or "+", name))
        position = match.end()
    if len(steps) < 2:
        raise ValueError("at least two primitives joined by + or -")
    return steps


def combine(steps: list[tuple[str, str]], shapes: dict[str, Shape3D]) -> Shape3D:
    """Apply ``+``/``-`` left to right (consecutive operations of one kind merge)."""
    result = shapes[steps[0][1]]
    for operation, name in steps[1:]:
        if operation == "+":
            parts = result.parts if isinstance(result, Union) else (result,)
            result = Union((*parts, shapes[name]))
        elif isinstance(result, Difference):
            result = Difference(result.base, (*result.tools, shapes[name]))
        else:
            result = Difference(result, (shapes[name],))
    return result


def build_solid(geometry: Any) -> Solid:
    """The :class:`Solid` of a 3D ``[geometry]`` section (not ``mesh``).

    Raises
    ------
    ValueError
        From the shape's own checks (the schema has checked the keys already).
    """
    center = tuple(geometry.center or (0.0, 0.0, 0.0))
    kind = geometry.shape
    if kind == "box":
        return solid(Box(tuple(geometry.corner), tuple(geometry.sizes)))
    if kind == "ball":
        return solid(Ball(center, geometry.radius))
    if kind == "cylinder":
        return solid(Cylinder(tuple(geometry.base), geometry.radius, geometry.height))
    if kind == "fichera":
        return solid(Fichera(center, geometry.half))
    if kind == "prism":
        return solid(Prism(tuple(tuple(v) for v in geometry.vertices), geometry.height,
                           edge_names=tuple(geometry.edge_names)
                           if geometry.edge_names else None))
    shapes = {name: primitive(name, spec) for name, spec in geometry.primitives.items()}
    return solid(combine(parse_combine(geometry.combine, list(shapes)), shapes))


def _vol_summary(path: Path) -> Solid:
    """Boundary names, tetrahedra and bounding box of a Netgen ``.vol`` text mesh."""
    lines = iter(path.read_text(errors="replace").splitlines())
    dimension, elements, names, points = 0, 0, {}, []
    for line in lines:
        word = line.strip()
        if word == "dimension":
            dimension = int(next(lines).split()[0])
        elif word == "volumeelements":
            elements = int(next(lines).split()[0])
        elif word == "points":
            for _ in range(int(next(lines).split()[0])):
                points.append([float(v) for v in next(lines).split()[:3]])
        elif word == "bcnames":
            for _ in range(int(next(lines).split()[0])):
                number, name = next(lines).split(maxsplit=1)
                names[int(number)] = name.strip()
    if dimension != 3 or elements == 0 or not points:
        raise ValueError("a 3D Netgen mesh with volume elements and points")
    return Solid("mesh", file=path, boundaries=sorted(set(names.values())),
                 lower=tuple(min(p[k] for p in points) for k in range(3)),  # type: ignore
                 upper=tuple(max(p[k] for p in points) for k in range(3)),  # type: ignore
                 file_elements=elements)


def mesh_file_solid(path: Path) -> Solid | None:
    """The :class:`Solid` of a 3D mesh file, or ``None`` when a ``.msh`` file holds no
    tetrahedra (a 2D Gmsh mesh, read by :mod:`pdekit.fem.gmsh_file` instead).

    Raises
    ------
    ValueError
        For a ``.vol`` file that is not a 3D Netgen mesh.
    """
    if path.suffix.lower() == ".vol":
        try:
            return _vol_summary(path)
        except (StopIteration, ValueError, IndexError):
            raise ValueError("a 3D Netgen .vol text mesh (dimension 3, volume elements, "
                             "points)") from None
    import numpy as np

    import contextlib
    import io
    import warnings

    try:
        import meshio

        # meshio prints its complaints about a bad file: keep them off the terminal (the
        # 2D reader then says what is wrong, in one line)
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = meshio.read(str(path), file_format="gmsh")
    except (Exception, SystemExit):  # meshio may sys.exit on bad files
        return None
    tetrahedra = sum(len(c.data) for c in data.cells if c.type == "tetra")
    if not tetrahedra:
        return None
    points = np.asarray(data.points, dtype=float)
    named = [name for name, (_, dim) in data.field_data.items() if dim == 2]
    return Solid("mesh", file=path, boundaries=sorted(named),
                 lower=tuple(points.min(axis=0)[:3]), upper=tuple(points.max(axis=0)[:3]),
                 file_elements=tetrahedra)
