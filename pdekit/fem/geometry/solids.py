"""The 3D domain of an ``eigen`` case, resolved without Netgen.

:func:`build_solid` turns ``[geometry]`` (``box``, ``ball``, ``cylinder``, ``fichera``,
``prism``, ``csg``) into a :class:`Solid` around a :class:`~pdekit.fem.geometry.shapes3d.Shape3D`;
:func:`mesh_file_solid` reads and checks a whole 3D mesh file (Netgen ``.vol``, Gmsh ``.msh``
2.x or 4.1 text with tetrahedra; :func:`read_mesh_tets`) for its boundary names, element
count and bounding box. Both only compute: ``pdekit check`` runs them, and nothing here
imports ``netgen``.

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
from typing import Any, Callable

from pdekit.fem.geometry.csg3d import Difference, Union
from pdekit.fem.geometry.shapes3d import Ball, Box, Cylinder, Fichera, Point3, Prism, Shape3D
from pdekit.fem.geometry.gmsh_file import read_gmsh_tets
from pdekit.fem.geometry.netgen_vol import read_vol
from pdekit.fem.geometry.tet_mesh import TetMesh

SOLID_SHAPES = ("box", "ball", "cylinder", "fichera", "prism", "csg")
"""The ``geometry.shape`` values that are 3D."""

TOKEN = re.compile(r"\s*([+-])?\s*([A-Za-z_][A-Za-z0-9_]*)\s*")


@dataclass(frozen=True)
class Solid:
    """A 3D domain: a built-in solid or a mesh file.

    Attributes
    ----------
    shape, file
        The built-in solid, or the mesh file (the other is None).
    boundaries
        Face names a case may use in ``[boundary]``.
    lower, upper
        Bounding box.
    volume
        Volume (an upper bound for CSG) for the size estimate.
    file_elements
        Tetrahedra in the mesh file (0 for built-in solids).
    """

    shape: Shape3D | None = None
    file: Path | None = None
    boundaries: list[str] = field(default_factory=list)
    lower: Point3 = (0.0, 0.0, 0.0)
    upper: Point3 = (1.0, 1.0, 1.0)
    volume: float = 1.0
    file_elements: int = 0
    dim: int = 3

    @property
    def from_file(self) -> bool:
        """The mesh comes from a file (no geometry to mesh)."""
        return self.shape is None

    @property
    def described(self) -> str:
        """What the solid is, for messages."""
        return "a mesh file" if self.from_file else "a 3D domain"

    @property
    def curved(self) -> bool:
        """Whether the faces are curved (the mesh is then curved to the element order)."""
        return self.shape is not None and self.shape.curved

    def bounds(self) -> tuple[Point3, Point3]:
        return self.lower, self.upper


def solid(shape: Shape3D) -> Solid:
    """A :class:`Solid` for a built-in shape."""
    lower, upper = shape.bounds()
    return Solid(shape=shape, boundaries=sorted(shape.face_names()), lower=lower,
                 upper=upper, volume=shape.volume())


PRIMITIVES: dict[str, Callable[[str, Any], Shape3D]] = {
    "box": lambda name, spec: Box(tuple(spec.corner), tuple(spec.sizes), name=name),
    "ball": lambda name, spec: Ball(tuple(spec.center), spec.radius, name=name),
    "cylinder": lambda name, spec: Cylinder(tuple(spec.base), spec.radius, spec.height,
                                            name=name),
}
"""CSG primitives by their table's ``shape``: (name, table) -> shape."""


def primitive(name: str, spec: Any) -> Shape3D:
    """A named CSG primitive from its ``[geometry.primitives.<name>]`` table."""
    return PRIMITIVES[spec.shape](name, spec)


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
            from pdekit.core.registry import did_you_mean

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


def _csg(geometry: Any) -> Shape3D:
    shapes = {name: primitive(name, spec) for name, spec in geometry.primitives.items()}
    return combine(parse_combine(geometry.combine, list(shapes)), shapes)


SOLID_SHAPES_BUILT: dict[str, Callable[[Any], Shape3D]] = {
    "box": lambda g: Box(tuple(g.corner), tuple(g.sizes)),
    "ball": lambda g: Ball(tuple(g.center or (0.0, 0.0, 0.0)), g.radius),
    "cylinder": lambda g: Cylinder(tuple(g.base), g.radius, g.height),
    "fichera": lambda g: Fichera(tuple(g.center or (0.0, 0.0, 0.0)), g.half),
    "prism": lambda g: Prism(tuple(tuple(v) for v in g.vertices), g.height,
                             edge_names=tuple(g.edge_names) if g.edge_names else None),
    "csg": _csg,
}
"""The built-in solids by ``geometry.shape``: section -> shape (keys: :data:`SOLID_SHAPES`)."""


def build_solid(geometry: Any) -> Solid:
    """The :class:`Solid` of a 3D ``[geometry]`` section (not ``mesh``).

    Raises
    ------
    ValueError
        From the shape's own checks (the schema has checked the keys already).
    """
    return solid(SOLID_SHAPES_BUILT[geometry.shape](geometry))


def read_mesh_tets(path: Path) -> TetMesh | None:
    """The checked tetrahedra of a mesh file: a Netgen ``.vol``
    (:func:`~pdekit.fem.geometry.netgen_vol.read_vol`) or a Gmsh ``.msh``
    (:func:`~pdekit.fem.geometry.gmsh_file.read_gmsh_tets`; ``None`` when it holds no tetrahedra).

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        Saying what was expected (and on which line), for a file that is not a mesh
        pdekit reads.
    """
    suffix = path.suffix.lower()
    if suffix == ".vol":
        return read_vol(path)
    if suffix != ".msh":
        raise ValueError(f"a .vol or .msh file (got {path.suffix!r})")
    return read_gmsh_tets(path)


def mesh_file_solid(path: Path) -> Solid | None:
    """The :class:`Solid` of a 3D mesh file, or ``None`` when a ``.msh`` file holds no
    tetrahedra (a 2D Gmsh mesh, read by :mod:`pdekit.fem.geometry.gmsh_file` instead).

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        For a file that is not a 3D tetrahedral mesh pdekit reads (see
        :func:`read_mesh_tets`).
    """
    mesh = read_mesh_tets(path)
    if mesh is None:
        return None
    lower, upper = mesh.bounds()
    return Solid(file=path, boundaries=mesh.boundaries, lower=lower, upper=upper,
                 file_elements=len(mesh.tets))
