"""Gmsh ``.msh`` text files, read and checked line by line without Netgen.

:func:`read_gmsh_summary` checks a 2D mesh (format 2.x, ASCII) the way
``netgen.read_gmsh.ReadGmsh`` will read it: ``$MeshFormat``, ``$PhysicalNames``, ``$Nodes``
and ``$Elements`` (types Netgen reads, enough tags, known nodes, physical groups that carry a
name). Whatever Netgen would choke on — a header-only file, binary data, a truncated block, a
3D mesh, a blank line — is a :class:`ValueError` saying what was expected, found before
anything runs. The summary (boundary names, element count, bounding box) feeds the size
estimate of :mod:`pdekit.fem.solve.size`.

:func:`read_gmsh_tets` reads a tetrahedral mesh (format 2.x or 4.1, ASCII) with the same
checks into a :class:`~pdekit.fem.geometry.tet_mesh.TetMesh` (boundary names: the names of the
triangles' physical groups), which :func:`pdekit.fem.geometry.mesh3d.netgen_mesh` hands to Netgen.
Both stream the file (:class:`~pdekit.fem.geometry.mesh_text.MeshLines`); node tags are kept in
arrays, 8 bytes each.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pdekit.fem.geometry.mesh_text import MeshLines, integers, reals
from pdekit.fem.geometry.tet_mesh import TetMesh, tet_mesh

NODES_PER_TYPE = {15: 1, 1: 2, 8: 3, 2: 3, 9: 6, 3: 4, 16: 8, 4: 4}
"""Gmsh element type -> node count: the 0D/1D/2D types Netgen's reader takes, and the
tetrahedron."""

DIMENSION = {15: 0, 1: 1, 8: 1, 2: 2, 9: 2, 3: 2, 16: 2, 4: 3}
SOLID_TYPES = {4, 5, 6, 7, 11, 17, 18, 19}
"""3D element types (a 3D mesh is not a 2D eigen domain)."""

TETRAHEDRON, TRIANGLE = 4, 2
WITH_TETRAHEDRA = {15, 1, TRIANGLE, TETRAHEDRON}
"""Types a tetrahedral mesh may hold: points and lines (skipped), boundary triangles."""


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


class _Nodes:
    """The node tags of ``$Nodes``: distinct, looked up by sorting (or by range, when
    they are ``low … high`` without gaps, as Gmsh writes them)."""

    def __init__(self, tags: array, lines: MeshLines):
        given = np.frombuffer(tags, dtype=np.int64)
        self.order = np.argsort(given, kind="stable")
        self.sorted = given[self.order]
        repeated = np.flatnonzero(self.sorted[1:] == self.sorted[:-1])
        if len(repeated):
            raise lines.fail(f"distinct node ids (node {self.sorted[repeated[0]]} repeats)")
        count = len(self.sorted)
        self.low = int(self.sorted[0]) if count else 1
        self.dense = not count or int(self.sorted[-1]) - self.low + 1 == count
        self.high = self.low + count - 1

    def missing(self, nodes: list[int]) -> int | None:
        """A node of ``nodes`` that is not a tag, or ``None``."""
        if self.dense:
            return next((n for n in nodes if not self.low <= n <= self.high), None)
        where = np.searchsorted(self.sorted, nodes)
        return next((n for n, k in zip(nodes, where)
                     if k >= len(self.sorted) or self.sorted[k] != n), None)

    def rows(self, nodes: np.ndarray) -> np.ndarray:
        """Row of each tag in ``$Nodes`` (all tags known)."""
        return self.order[np.searchsorted(self.sorted, nodes)]


class _Gmsh:
    """One file being read: its blocks so far."""

    def __init__(self, solid: bool):
        self.solid = solid  # reading a tetrahedral mesh (else a 2D one, as ReadGmsh)
        self.version = 2
        self.names: dict[tuple[int, int], str] = {}
        self.entities: dict[tuple[int, int], list[int]] | None = None
        self.tags = array("q")
        self.coords = array("d")
        self.nodes: _Nodes | None = None
        self.elements_seen = False
        self.elements_2d = 0
        self.first_line: dict[int, int] = {}
        self.tets, self.tet_groups = array("q"), array("q")
        self.triangles, self.triangle_groups = array("q"), array("q")

    def element(self, lines: MeshLines, kind: int, physical: int, nodes: list[int]) -> None:
        """Check and keep one element (its node count is checked already)."""
        if self.nodes is None:
            raise lines.fail("$Nodes before $Elements")
        missing = self.nodes.missing(nodes)
        if missing is not None:
            raise lines.fail(f"elements on declared nodes (node {missing} is not in $Nodes)")
        dim = DIMENSION[kind]
        if (physical != 0 and (dim, physical) not in self.names
                and (not self.solid or kind == TRIANGLE)):
            # Netgen's own Gmsh export writes physical numbers without this block
            raise lines.fail(f"a name in $PhysicalNames for physical group {physical} "
                             f"of dimension {dim} (pdekit names boundaries by them: add a "
                             f"line '{dim} {physical} \"name\"' to a $PhysicalNames block)")
        self.first_line.setdefault(kind, lines.number)
        self.elements_2d += dim == 2
        if self.solid and kind == TETRAHEDRON:
            self.tets.extend(nodes)
            self.tet_groups.append(physical)
        elif self.solid and kind == TRIANGLE:
            self.triangles.extend(nodes)
            self.triangle_groups.append(physical)


def _kind(lines: MeshLines, gmsh: _Gmsh, kind: int) -> int:
    """The node count of element type ``kind``, refusing types the reader cannot take."""
    if kind in SOLID_TYPES:
        if not gmsh.solid:
            raise lines.fail("a 2D mesh (found a 3D element)")
        if kind != TETRAHEDRON:
            raise lines.fail(f"tetrahedra (type 4; pdekit reads tetrahedral meshes), "
                             f"not type {kind}")
    if kind not in NODES_PER_TYPE:
        raise lines.fail(f"element types Netgen reads (points, lines, triangles, "
                         f"quadrilaterals), not type {kind}")
    return NODES_PER_TYPE[kind]


def _numbers(lines: MeshLines, what: str, count: int | None = None) -> list[int]:
    """The next line as integers (``count`` of them when given)."""
    return _integers(lines, lines.take(what), what, count)


def _integers(lines: MeshLines, words: list[str], what: str,
              count: int | None = None) -> list[int]:
    """``words`` as integers (``count`` of them when given)."""
    try:
        numbers = integers(words)
    except ValueError:
        raise lines.fail(what) from None
    if count is not None and len(numbers) != count:
        raise lines.fail(what)
    return numbers


def _end(lines: MeshLines, block: str) -> None:
    if lines.take(f"$End{block}") != [f"$End{block}"]:
        raise lines.fail(f"$End{block} after the announced number of lines")


def _physical_names(lines: MeshLines, gmsh: _Gmsh) -> None:
    for words in lines.entries(lines.count("$PhysicalNames lines"), "physical names"):
        line = " ".join(words)
        parts = line.split(maxsplit=2)
        if (len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit()
                or len(parts[2]) < 3 or not parts[2].startswith('"')
                or not parts[2].endswith('"') or (" " in parts[2] and not gmsh.solid)):
            raise lines.fail("physical names as 'dim tag \"name\"' (no spaces in names)")
        gmsh.names[int(parts[0]), int(parts[1])] = parts[2][1:-1]
    _end(lines, "PhysicalNames")


def _node_coordinates(lines: MeshLines, gmsh: _Gmsh, words: list[str]) -> None:
    try:
        gmsh.coords.extend(reals(words[:3]))
    except ValueError:
        raise lines.fail("a node line 'id x y z' of finite numbers") from None


def _nodes2(lines: MeshLines, gmsh: _Gmsh) -> None:
    for parts in lines.entries(lines.count("$Nodes lines"), "node lines"):
        try:
            (number,) = integers(parts[:1])
        except ValueError:
            raise lines.fail("a node line 'id x y z'") from None
        if len(parts) != 4:
            raise lines.fail("a node line 'id x y z'")
        _node_coordinates(lines, gmsh, parts[1:])
        gmsh.tags.append(number)
    _end(lines, "Nodes")


def _elements2(lines: MeshLines, gmsh: _Gmsh) -> None:
    for words in lines.entries(lines.count("$Elements lines"), "element lines"):
        numbers = _integers(lines, words, "an element line of integers 'id type ntags "
                                          "tags... nodes...'")
        if len(numbers) < 3:
            raise lines.fail("an element line 'id type ntags tags... nodes...'")
        kind, ntags = numbers[1], numbers[2]
        count = _kind(lines, gmsh, kind)
        if ntags < 2 or len(numbers) != 3 + ntags + count:
            raise lines.fail(f"at least 2 tags and {count} nodes for element type {kind}")
        gmsh.element(lines, kind, numbers[3], numbers[3 + ntags:])
    _end(lines, "Elements")


def _entities4(lines: MeshLines, gmsh: _Gmsh) -> None:
    """``$Entities``: the physical groups of each point, curve, surface and volume."""
    counts = _numbers(lines, "four counts after $Entities", 4)
    if min(counts) < 0:
        raise lines.fail("four counts after $Entities")
    lines.check_count(sum(counts), "entities")
    gmsh.entities = {}
    for dim, count in enumerate(counts):
        what = (f"an entity of dimension {dim}: tag, {'x y z' if dim == 0 else 'bounding box'}"
                f", physical groups{', bounding entities' if dim else ''}")
        for words in lines.entries(count, f"entities of dimension {dim}"):
            box = 4 if dim == 0 else 7  # the tag, then a point or a bounding box
            try:
                (tag,) = integers(words[:1])
                reals(words[1:box])
                (groups,) = integers(words[box:box + 1])
                physical = integers(words[box + 1:box + 1 + groups])
                end = box + 1 + groups
                if dim:
                    (bounding,) = integers(words[end:end + 1])
                    integers(words[end + 1:])
                    end += 1 + bounding
            except ValueError:
                raise lines.fail(what) from None
            if len(words) != end or len(physical) != groups:
                raise lines.fail(what)
            gmsh.entities[dim, tag] = physical
    _end(lines, "Entities")


def _nodes4(lines: MeshLines, gmsh: _Gmsh) -> None:
    blocks, total, low, high = _numbers(lines, "'blocks nodes minTag maxTag' after $Nodes", 4)
    if blocks < 0 or total < 0:
        raise lines.fail("'blocks nodes minTag maxTag' after $Nodes")
    lines.check_count(max(blocks, total), "nodes")
    seen = 0
    for _ in range(blocks):
        dim, _tag, parametric, count = _numbers(
            lines, "a node block 'entityDim entityTag parametric numNodes'", 4)
        if not 0 <= dim <= 3 or parametric not in (0, 1) or count < 0:
            raise lines.fail("a node block 'entityDim entityTag parametric numNodes'")
        for words in lines.entries(count, "node tags"):
            (number,) = _integers(lines, words, "one node tag per line", 1)
            if not low <= number <= high:
                raise lines.fail(f"node tags {low} … {high} (as $Nodes announces)")
            gmsh.tags.append(number)
        width = 3 + dim * parametric
        for words in lines.entries(count, "node coordinate lines"):
            if len(words) != width:
                raise lines.fail(f"{width} coordinates per node of this block")
            _node_coordinates(lines, gmsh, words)
        seen += count
    if seen != total:
        raise lines.fail(f"{total} nodes as $Nodes announces (the blocks hold {seen})")
    _end(lines, "Nodes")


def _elements4(lines: MeshLines, gmsh: _Gmsh) -> None:
    assert gmsh.entities is not None  # $Entities was required before $Nodes
    blocks, total, _, _ = _numbers(lines, "'blocks elements minTag maxTag' after "
                                          "$Elements", 4)
    if blocks < 0 or total < 0:
        raise lines.fail("'blocks elements minTag maxTag' after $Elements")
    lines.check_count(max(blocks, total), "elements")
    seen = 0
    for _ in range(blocks):
        dim, tag, kind, count = _numbers(
            lines, "an element block 'entityDim entityTag elementType numElements'", 4)
        nodes = _kind(lines, gmsh, kind)
        if DIMENSION[kind] != dim or count < 0:
            raise lines.fail(f"elements of type {kind} in an entity of dimension "
                             f"{DIMENSION[kind]}")
        groups = gmsh.entities.get((dim, tag))
        if groups is None:
            raise lines.fail(f"an entity of $Entities (no entity {tag} of dimension {dim})")
        if kind == TRIANGLE and len(groups) > 1:
            raise lines.fail(f"one physical group per boundary surface (surface {tag} is "
                             f"in {len(groups)})")
        for words in lines.entries(count, "element lines"):
            numbers = _integers(lines, words, f"an element line 'tag' and {nodes} nodes",
                                1 + nodes)
            gmsh.element(lines, kind, groups[0] if groups else 0, numbers[1:])
        seen += count
    if seen != total:
        raise lines.fail(f"{total} elements as $Elements announces (the blocks hold {seen})")
    _end(lines, "Elements")


def _skip(lines: MeshLines, block: str) -> None:
    """A block pdekit does not use, up to its ``$End`` line."""
    while True:
        words = lines.take(f"$End{block}")
        if words[0].startswith("$"):
            if words != [f"$End{block}"]:
                raise lines.fail(f"$End{block} before {words[0]}")
            return


def _read(path: str | Path, solid: bool) -> _Gmsh:
    """Read a whole file (``solid``: a tetrahedral mesh, format 2.x or 4.1; else a 2D mesh
    in format 2.x, as Netgen's reader takes it)."""
    gmsh = _Gmsh(solid)
    with MeshLines(path, (2, 3)) as lines:
        if lines.take("a $MeshFormat header") != ["$MeshFormat"]:
            raise lines.fail("a $MeshFormat header")
        version = lines.take("the format line '2.2 0 8'")
        if len(version) != 3 or version[1] != "0" or not (
                version[0].startswith("2") or (solid and version[0] == "4.1")):
            wanted = "2.x or 4.1 ASCII ('2.2 0 8', '4.1 0 8')" if solid else \
                ("2.x ASCII ('2.2 0 8') for a 2D mesh (4.1 is read for 3D tetrahedral "
                 "meshes; `gmsh -2 -format msh22` writes 2.2)")
            raise lines.fail(f"format {wanted}, not {' '.join(version)!r}")
        gmsh.version = 4 if version[0] == "4.1" else 2
        _end(lines, "MeshFormat")
        done: set[str] = set()
        for line in lines:
            words = line.split()
            if not words:
                raise lines.fail("no blank lines")
            block = words[0][1:]
            if not words[0].startswith("$") or len(words) != 1:
                raise lines.fail(f"a $Section line, not {words[0][:40]!r}")
            if block in done:
                raise lines.fail(f"one ${block} block")
            done.add(block)
            if block == "PhysicalNames":
                _physical_names(lines, gmsh)
            elif block == "Entities" and gmsh.version == 4:
                _entities4(lines, gmsh)
            elif block == "Nodes":
                if gmsh.version == 4 and gmsh.entities is None:
                    raise lines.fail("$Entities before $Nodes (format 4.1)")
                (_nodes4 if gmsh.version == 4 else _nodes2)(lines, gmsh)
                gmsh.nodes = _Nodes(gmsh.tags, lines)
            elif block == "Elements":
                gmsh.elements_seen = True
                (_elements4 if gmsh.version == 4 else _elements2)(lines, gmsh)
            else:
                _skip(lines, block)
    if not gmsh.elements_seen:
        raise ValueError("a mesh with $Nodes and $Elements blocks")
    return gmsh


def read_gmsh_summary(path: str | Path) -> GmshSummary:
    """Parse and check a whole Gmsh 2.x text mesh of a 2D domain.

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        Saying what was expected, for anything Netgen's reader would fail on.
    """
    gmsh = _read(path, solid=False)
    if not gmsh.elements_2d:
        raise ValueError("a 2D mesh with triangles or quadrilaterals")
    xyz = np.frombuffer(gmsh.coords, dtype=np.float64).reshape(-1, 3)
    low, high = xyz.min(axis=0), xyz.max(axis=0)
    if low[2] != high[2]:  # Netgen's 2D mesh drops z: a surface in space would fold
        raise ValueError(f"a planar 2D mesh, all nodes at one z (z runs from {low[2]:.3g} "
                         f"to {high[2]:.3g}: a surface in 3D is not a 2D domain)")
    boundaries = [name for (dim, _), name in gmsh.names.items() if dim == 1]
    return GmshSummary(boundaries, gmsh.elements_2d, (float(low[0]), float(low[1])),
                       (float(high[0]), float(high[1])))


def read_gmsh_tets(path: str | Path) -> TetMesh | None:
    """Read and check a tetrahedral Gmsh mesh (format 2.x or 4.1, ASCII).

    Returns
    -------
    TetMesh or None
        ``None`` when the file holds no tetrahedra (a 2D mesh:
        :func:`read_gmsh_summary` says what is wrong with it).

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        Saying what was expected (and on which line).
    """
    gmsh = _read(path, solid=True)
    if not gmsh.tets:
        return None
    stray = sorted(set(gmsh.first_line) - WITH_TETRAHEDRA)
    if stray:
        raise ValueError(f"triangles (type 2) on the boundary of a tetrahedral mesh, not type "
                         f"{stray[0]} (line {gmsh.first_line[stray[0]]})")
    assert gmsh.nodes is not None  # elements need nodes
    points = np.frombuffer(gmsh.coords, dtype=np.float64).reshape(-1, 3)
    tets = gmsh.nodes.rows(np.frombuffer(gmsh.tets, dtype=np.int64)).reshape(-1, 4)
    triangles = gmsh.nodes.rows(np.frombuffer(gmsh.triangles, dtype=np.int64)).reshape(-1, 3)
    materials = {tag: name for (dim, tag), name in gmsh.names.items() if dim == 3}
    names = {tag: name for (dim, tag), name in gmsh.names.items() if dim == 2}
    return tet_mesh(points, tets, np.frombuffer(gmsh.tet_groups, dtype=np.int64), materials,
                    triangles, np.frombuffer(gmsh.triangle_groups, dtype=np.int64), names)
