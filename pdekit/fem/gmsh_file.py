"""Gmsh ``.msh`` files (text format 2.x), read and checked in full without Netgen.

:func:`read_gmsh_summary` parses the whole file the way ``netgen.read_gmsh.ReadGmsh``
will: ``$MeshFormat`` (version 2, ASCII), ``$PhysicalNames``, ``$Nodes`` and
``$Elements`` (types Netgen reads, enough tags, known nodes, physical groups that carry a
name). Whatever Netgen would choke on — a header-only file, binary data, a truncated
block, a 3D mesh, a blank line — is a :class:`ValueError` saying what was expected, found
before anything runs. The summary (boundary names, element count, bounding box) feeds the
size estimate of :mod:`pdekit.fem.size`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

NODES_PER_TYPE = {15: 1, 1: 2, 8: 3, 2: 3, 9: 6, 3: 4, 16: 8}
"""Gmsh element type -> node count, for the 0D/1D/2D types Netgen's reader takes."""

DIMENSION = {15: 0, 1: 1, 8: 1, 2: 2, 9: 2, 3: 2, 16: 2}
SOLID_TYPES = {4, 5, 6, 7, 11, 17, 18, 19}
"""3D element types (a 3D mesh is not a 2D eigen domain)."""


@dataclass(frozen=True)
class GmshSummary:
    """What a checked Gmsh file holds.

    Attributes
    ----------
    boundaries
        The 1D physical names (the boundary names; maybe none).
    elements
        Number of 2D elements (triangles and quadrilaterals).
    lower, upper
        Bounding box corners of the nodes (x, y).
    """

    boundaries: list[str]
    elements: int
    lower: tuple[float, float]
    upper: tuple[float, float]

    @property
    def extent(self) -> float:
        """Diameter of the bounding box."""
        return math.hypot(self.upper[0] - self.lower[0], self.upper[1] - self.lower[1])


class _Lines:
    """The file's lines with their numbers, for messages that point at the fault."""

    def __init__(self, text: str):
        self._lines = text.splitlines()
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.number >= len(self._lines):
            raise StopIteration
        self.number += 1
        return self._lines[self.number - 1]

    def take(self, what: str) -> list[str]:
        """The next line split in words (a blank line or the end of file is an error)."""
        line = next(self, None)
        if line is None:
            raise ValueError(f"{what} (the file ends early)")
        words = line.split()
        if not words:
            raise ValueError(f"{what}, no blank lines (line {self.number})")
        return words

    def fail(self, what: str) -> ValueError:
        return ValueError(f"{what} (line {self.number})")


def _count(lines: _Lines, block: str) -> int:
    words = lines.take(f"a count after ${block}")
    try:
        count = int(words[0])
    except ValueError:
        raise lines.fail(f"a count after ${block}") from None
    if count < 0:
        raise lines.fail(f"a count after ${block}")
    return count


def _end(lines: _Lines, block: str) -> None:
    if lines.take(f"$End{block}") != [f"$End{block}"]:
        raise lines.fail(f"$End{block} after the announced number of lines")


def read_gmsh_summary(path: str | Path) -> GmshSummary:
    """Parse and check a whole Gmsh 2.x text mesh.

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        Saying what was expected, for anything Netgen's reader would fail on.
    """
    raw = Path(path).read_bytes()
    if b"\0" in raw:
        raise ValueError("a text mesh, not binary data")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("a text mesh, not binary data") from None
    lines = _Lines(text)
    if lines.take("a $MeshFormat header") != ["$MeshFormat"]:
        raise lines.fail("a $MeshFormat header")
    version = lines.take("the format line '2.2 0 8'")
    if len(version) != 3 or not version[0].startswith("2") or version[1] != "0":
        raise lines.fail(f"format 2.x ASCII ('2.2 0 8'), not {' '.join(version)!r}")
    _end(lines, "MeshFormat")
    names: dict[tuple[int, int], str] = {}
    nodes: dict[int, tuple[float, float]] = {}
    elements_2d = 0
    seen_elements = False
    for line in lines:
        words = line.split()
        if not words:
            raise lines.fail("no blank lines")
        if words[0] == "$PhysicalNames":
            for _ in range(_count(lines, "PhysicalNames")):
                parts = lines.take("a physical name line 'dim tag \"name\"'")
                if (len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit()
                        or len(parts[2]) < 3 or not parts[2].startswith('"')
                        or not parts[2].endswith('"')):
                    raise lines.fail("physical names as 'dim tag \"name\"' (no spaces in "
                                     "names)")
                names[int(parts[0]), int(parts[1])] = parts[2][1:-1]
            _end(lines, "PhysicalNames")
        elif words[0] == "$Nodes":
            for _ in range(_count(lines, "Nodes")):
                parts = lines.take("a node line 'id x y z'")
                try:
                    number, x, y, z = int(parts[0]), *map(float, parts[1:4])
                except (ValueError, TypeError, IndexError):
                    raise lines.fail("a node line 'id x y z'") from None
                if len(parts) != 4 or not all(map(math.isfinite, (x, y, z))):
                    raise lines.fail("a node line 'id x y z' of finite numbers")
                if number in nodes:
                    raise lines.fail(f"distinct node ids (node {number} repeats)")
                nodes[number] = (x, y)
            _end(lines, "Nodes")
        elif words[0] == "$Elements":
            seen_elements = True
            for _ in range(_count(lines, "Elements")):
                parts = lines.take("an element line 'id type ntags tags... nodes...'")
                try:
                    numbers = [int(word) for word in parts]
                except ValueError:
                    raise lines.fail("an element line of integers") from None
                if len(numbers) < 3:
                    raise lines.fail("an element line 'id type ntags tags... nodes...'")
                kind, ntags = numbers[1], numbers[2]
                if kind in SOLID_TYPES:
                    raise lines.fail("a 2D mesh (found a 3D element)")
                if kind not in NODES_PER_TYPE:
                    raise lines.fail(f"element types Netgen reads (points, lines, triangles, "
                                     f"quadrilaterals), not type {kind}")
                if ntags < 2 or len(numbers) != 3 + ntags + NODES_PER_TYPE[kind]:
                    raise lines.fail(f"at least 2 tags and {NODES_PER_TYPE[kind]} nodes "
                                     f"for element type {kind}")
                if not nodes:
                    raise lines.fail("$Nodes before $Elements")
                missing = [n for n in numbers[3 + ntags:] if n not in nodes]
                if missing:
                    raise lines.fail(f"elements on declared nodes (node {missing[0]} is not "
                                     "in $Nodes)")
                physical, dim = numbers[3], DIMENSION[kind]
                if physical != 0 and (dim, physical) not in names:
                    raise lines.fail(f"a name in $PhysicalNames for physical group {physical} "
                                     f"of dimension {dim}")
                elements_2d += dim == 2
            _end(lines, "Elements")
    if not seen_elements:
        raise ValueError("a mesh with $Nodes and $Elements blocks")
    if not elements_2d:
        raise ValueError("a 2D mesh with triangles or quadrilaterals")
    xs = [point[0] for point in nodes.values()]
    ys = [point[1] for point in nodes.values()]
    boundaries = [name for (dim, _), name in names.items() if dim == 1]
    return GmshSummary(boundaries, elements_2d, (min(xs), min(ys)), (max(xs), max(ys)))
