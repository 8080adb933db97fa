"""Netgen ``.vol`` text meshes, read and checked line by line without Netgen.

Netgen's own reader (``Mesh.Load``) trusts its input: a volume element naming a point the
file does not have (or point 0, or −3), a count larger than its entries, a NUL byte, or a
broken geometry after ``endmesh`` crash the process (signal 11) or make it hang, and a
``bcnames`` number beyond its count writes past an array. So pdekit never hands a ``.vol``
file to Netgen: :func:`read_vol` reads the sections Netgen writes (``mesh3d``
header; a keyword alone on its line, a count line, one entry per line), checks every entry
— numbers where numbers belong, point numbers ``1 … points`` — and returns the
tetrahedra, boundary triangles and names as a :class:`~pdekit.fem.geometry.tet_mesh.TetMesh`, from
which :func:`pdekit.fem.geometry.mesh3d.netgen_mesh` builds the Netgen mesh. Sections pdekit does
not use (edge segments, colours, identifications, …) are checked and skipped; nothing after
``endmesh`` (the geometry) is read: a mesh file's domain is its mesh.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np

from pdekit.fem.geometry.mesh_text import MeshLines, integers, reals
from pdekit.fem.geometry.tet_mesh import TetMesh, tet_mesh

SKIPPED = {
    "facedescriptors": "iiiii", "edgesegments": "iiii", "edgesegmentsgi": "iiiiii",
    "edgesegmentsgi2": "iiiiiiiiirir", "edgesegmentsgi3": "iiiirri", "pointelements": "ii",
    "identifications": "iii", "identificationnames": "w", "singular_points": "ir",
    "singular_edge_left": "ir", "singular_edge_right": "ir", "singular_face_inside": "ir",
    "singular_face_outside": "ir", "face_colours": "irrr", "face_transparencies": "ir",
    "edgedescriptors": "iiirri+", "cd2names": "n", "cd3names": "n",
}
"""Sections read only to check them: one letter per word of an entry (``i`` integer, ``r``
number, ``w`` word, ``n`` a number and a name, ``+`` more words may follow)."""

POINT_COLUMNS = {"edgesegments": (2, 3), "edgesegmentsgi": (2, 3), "edgesegmentsgi2": (2, 3),
                 "edgesegmentsgi3": (0, 1), "pointelements": (0,), "identifications": (0, 1),
                 "singular_points": (0,)}
"""Words of skipped entries that are point numbers (checked against the points)."""

SURFACE_EXTRA = {"surfaceelements": (0, 0), "surfaceelementsgi": (1, 0),
                 "surfaceelementsuv": (0, 2)}
"""Integers and numbers per point after a surface element's points."""

SECTIONS = {"dimension", "geomtype", "points", "volumeelements", "bcnames", "materials",
            "identificationtypes", *SURFACE_EXTRA, *SKIPPED}
"""The section keywords read (``curvedelements`` is refused, ``endmesh`` ends the mesh)."""


class _Vol:
    """What the sections of one file hold so far."""

    def __init__(self) -> None:
        self.dimension = 0
        self.points = array("d")
        self.tets = array("q")
        self.domains = array("q")
        self.triangles = array("q")
        self.labels = array("q")
        self.bcnames: dict[int, str] = {}
        self.materials: dict[int, str] = {}
        self.highest = (0, 0)  # the largest point number named, and its line

    def refer(self, numbers: list[int], lines: MeshLines) -> None:
        """Note point numbers named on the current line (the points may come later)."""
        if min(numbers) < 1:
            raise lines.fail(f"point numbers from 1, not {min(numbers)}")
        if max(numbers) > self.highest[0]:
            self.highest = (max(numbers), lines.number)


def _entry(lines: MeshLines, words: list[str], name: str, shape: str) -> list[str]:
    """An entry of a section, its words checked against ``shape``."""
    fixed = shape.rstrip("+")
    if len(words) < len(fixed) or (len(words) > len(fixed) and not shape.endswith("+")
                                   and fixed != "n"):
        raise lines.fail(f"{len(fixed)} words per {name} entry")
    try:
        for letter, word in zip(fixed, words):
            if letter in "in":
                integers([word])
            elif letter == "r":
                reals([word])
    except ValueError:
        raise lines.fail(f"{name} entries of the form {shape!r} (i: integer, r: number, "
                         "n: number and name)") from None
    return words


def _named(lines: MeshLines, name: str, count: int, table: dict[int, str]) -> None:
    """``bcnames``/``materials``: ``number name`` lines (Netgen numbers bcnames 1 … count)."""
    for words in lines.entries(count, f"{name} entries"):
        number = integers(_entry(lines, words, name, "n")[:1])[0]
        if number < 1 or (name == "bcnames" and number > count):
            raise lines.fail(f"{name} numbered 1 … {count if name == 'bcnames' else 'n'}")
        if len(words) > 1:  # an empty name leaves the number unnamed
            table[number] = " ".join(words[1:])


def _points(vol: _Vol, lines: MeshLines, count: int) -> None:
    for words in lines.entries(count, "points"):
        try:
            if len(words) != 3:
                raise ValueError
            vol.points.extend(reals(words))
        except ValueError:
            raise lines.fail("point coordinates 'x y z' (three finite numbers)") from None


def _volume(vol: _Vol, lines: MeshLines, count: int) -> None:
    for words in lines.entries(count, "volume elements"):
        try:
            numbers = integers(words)
        except ValueError:
            raise lines.fail("volume elements of integers") from None
        if len(numbers) < 2 or numbers[1] != 4:
            raise lines.fail("tetrahedra 'domain 4 p1 p2 p3 p4' (pdekit reads tetrahedral "
                             "meshes)")
        if len(numbers) != 6:
            raise lines.fail("4 points per tetrahedron")
        if numbers[0] < 0:
            raise lines.fail("a domain number of 0 or more")
        vol.domains.append(numbers[0] or 1)  # Netgen reads domain 0 as 1
        vol.tets.extend(numbers[2:])
        vol.refer(numbers[2:], lines)


def _surface(vol: _Vol, lines: MeshLines, count: int, name: str) -> None:
    ints, reals_per_point = SURFACE_EXTRA[name]
    for words in lines.entries(count, f"{name} entries"):
        try:
            head = integers(words[:5])
            if len(head) < 5:
                raise ValueError
        except ValueError:
            raise lines.fail(f"{name} entries 'surface bc domin domout np p1 …'") from None
        np_ = head[4] or 3  # Netgen reads 0 points as 3
        if np_ != 3:
            raise lines.fail("boundary triangles (3 points; pdekit reads tetrahedral meshes)")
        if len(words) != 8 + 3 * (ints + reals_per_point):
            raise lines.fail(f"{8 + 3 * (ints + reals_per_point)} words per {name} entry")
        try:
            nodes = integers(words[5:8 + 3 * ints])[:3]
            reals(words[8 + 3 * ints:])
        except ValueError:
            raise lines.fail(f"{name} entries of numbers") from None
        surface, bc, domin, domout = head[:4]
        if surface < 1 or bc < 1 or domin < 0 or domout < 0:
            raise lines.fail("surface and boundary numbers from 1, domain numbers from 0")
        vol.triangles.extend(nodes)
        vol.labels.append(bc)
        vol.refer(nodes, lines)


def _skip(vol: _Vol, lines: MeshLines, count: int, name: str) -> None:
    columns = POINT_COLUMNS.get(name, ())
    shape = SKIPPED[name]
    entries = (lines.take(f"{count} {name} entries") for _ in range(count)) if shape == "w" \
        else lines.entries(count, f"{name} entries")  # names are words, not numbers
    for entry in entries:
        words = _entry(lines, entry, name, shape)
        if columns:
            vol.refer(integers([words[k] for k in columns]), lines)


def _identification_types(lines: MeshLines, count: int) -> None:
    """``count`` integers, on one line as Netgen writes them (or on several)."""
    seen = 0
    while seen < count:
        words = lines.take("identificationtypes integers")
        try:
            integers(words)
        except ValueError:
            raise lines.fail("identificationtypes integers") from None
        seen += len(words)
    if seen != count:
        raise lines.fail(f"{count} identificationtypes")


def _section(vol: _Vol, lines: MeshLines, name: str) -> None:
    """Read one section whose keyword line was just read."""
    if name == "curvedelements":
        raise lines.fail("a straight-sided mesh (no curvedelements section)")
    if name not in SECTIONS:
        raise lines.fail(f"a Netgen .vol section keyword (points, volumeelements, …), "
                         f"not {name!r}")
    count = lines.count(name if name in ("dimension", "geomtype") else f"{name} entries")
    if name == "dimension":
        if count != 3:
            raise lines.fail(f"dimension 3 (pdekit reads 3D .vol meshes), not {count}")
        vol.dimension = count
    elif name == "geomtype":
        pass  # the kind of geometry after endmesh, which is not read
    elif name == "points":
        _points(vol, lines, count)
    elif name == "volumeelements":
        _volume(vol, lines, count)
    elif name in SURFACE_EXTRA:
        _surface(vol, lines, count, name)
    elif name in ("bcnames", "materials"):
        _named(lines, name, count, vol.bcnames if name == "bcnames" else vol.materials)
    elif name == "identificationtypes":
        _identification_types(lines, count)
    else:
        _skip(vol, lines, count, name)


def read_vol(path: str | Path) -> TetMesh:
    """Read and check a whole Netgen ``.vol`` text mesh.

    Raises
    ------
    OSError
        When the file cannot be read.
    ValueError
        Saying what was expected (and on which line), for anything that is not a 3D
        tetrahedral Netgen mesh with valid point numbers.
    """
    vol = _Vol()
    with MeshLines(path, (3,)) as lines:
        header = False
        for line in lines:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue  # blank lines and comments between sections
            if len(words) != 1:
                raise lines.fail("a section keyword alone on its line")
            if not header:
                if words != ["mesh3d"]:
                    raise lines.fail("a Netgen .vol text mesh starting with 'mesh3d'")
                header = True
            elif words[0] == "endmesh":
                break
            else:
                _section(vol, lines, words[0])
        if not header:
            raise ValueError("a Netgen .vol text mesh starting with 'mesh3d' (the file "
                             "holds none)")
    if vol.dimension != 3:
        raise ValueError("a 3D Netgen mesh (a 'dimension' section with 3)")
    npoints = len(vol.points) // 3
    if not vol.tets or not npoints:
        raise ValueError("a 3D Netgen mesh with volume elements and points")
    highest, line = vol.highest
    if highest > npoints:
        raise ValueError(f"point numbers 1 … {npoints} (the file has {npoints} points; line "
                         f"{line} names point {highest})")
    points = np.frombuffer(vol.points, dtype=np.float64).reshape(-1, 3)
    tets = np.frombuffer(vol.tets, dtype=np.int64).reshape(-1, 4) - 1
    triangles = np.frombuffer(vol.triangles, dtype=np.int64).reshape(-1, 3) - 1
    return tet_mesh(points, tets, np.frombuffer(vol.domains, dtype=np.int64),
                    vol.materials, triangles, np.frombuffer(vol.labels, dtype=np.int64),
                    vol.bcnames)
