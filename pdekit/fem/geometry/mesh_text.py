"""Mesh files read as text, safely: a size bound from the memory, then lines streamed.

Nothing reads a mesh file whole. :class:`MeshLines` first refuses a file whose size
implies more elements than this machine could solve (:func:`check_file_size`), then hands
out its lines from 1 MiB chunks, never more bytes than the file had when it was opened (a
file that grows, or a special file that reports no size, gets no further). Binary data — a
NUL byte, bytes that are not UTF-8 — and a line longer than :data:`MAX_LINE_BYTES` stop the
reading at once, so a sparse or garbage file of any size is refused after its first chunk.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import BinaryIO, Iterator

from pdekit.fem.solve import size
from pdekit.memory import fits_in_memory, gib, physical_memory_bytes

CHUNK_BYTES = 2**20
"""Bytes read at a time."""

MAX_LINE_BYTES = 2**20
"""Longest line read. The longest lines of real files — a Gmsh 4.1 volume entity listing its
bounding surfaces, a Netgen surface element with its uv parameters — hold a few hundred
bytes; the bound keeps one endless line from filling the memory."""

NUMBER_START = frozenset("+-.0123456789")
"""How the entries of a block begin."""

FILE_BYTES_PER_ELEMENT = 128.0
"""Bytes a mesh file spends per element of its top dimension, its share of the nodes, the
boundary elements and the headers included: at most 63 measured (Netgen meshes of the unit
ball and cube at maxh 0.1, 14 770 and 4 785 tetrahedra: Netgen ``.vol`` 53 and 63 bytes,
Gmsh 2.2 text 56 and 57, Gmsh 4.1 text 42 and 39; the unit square with 20 000 triangles in
Gmsh 2.2: 39), doubled and rounded up. Coarse meshes spend more per element, but they are
small."""


def solve_bytes(elements: float, dim: int) -> float:
    """Memory of the cheapest eigen run on ``elements`` elements (order 1, no refinement,
    the smallest Krylov space), from the estimates of :mod:`pdekit.fem.solve.size`."""
    if dim == 3:
        return size.level_size_3d(elements, 1, 0, 0.0, 1).bytes
    return size.level_size(elements, 0.0, 1, 0, 0.0, 1).bytes


def max_elements(dims: tuple[int, ...]) -> float:
    """The most elements a run on this machine holds: the largest count whose cheapest run
    (:func:`solve_bytes`, in the cheaper of ``dims``) fits in memory."""
    low, high = 1.0, size.MAX_COARSE_ELEMENTS
    for _ in range(100):  # bisection in log(elements): to 1e-13 relative
        middle = math.sqrt(low * high)
        if fits_in_memory(min(solve_bytes(middle, dim) for dim in dims)):
            low = middle
        else:
            high = middle
    return low


def check_file_size(path: Path, file_bytes: int, dims: tuple[int, ...]) -> None:
    """Refuse a mesh file too large for any run here, before reading it.

    Parameters
    ----------
    path
        The file (for the message).
    file_bytes
        Its size.
    dims
        The dimensions it may hold (a Gmsh file: 2 or 3; a Netgen ``.vol``: 3).

    Raises
    ------
    ValueError
        When the elements the size implies (:data:`FILE_BYTES_PER_ELEMENT`) exceed
        :func:`max_elements`.
    """
    most = max_elements(dims)
    if file_bytes > most * FILE_BYTES_PER_ELEMENT:
        raise ValueError(f"a mesh file of at most {gib(most * FILE_BYTES_PER_ELEMENT)} on "
                         f"this machine ({path.name}: {gib(file_bytes)}, about "
                         f"{file_bytes / FILE_BYTES_PER_ELEMENT:.2g} elements; a run on "
                         f"{most:.2g} fills {gib(0.8 * physical_memory_bytes())})")


class MeshFileError(ValueError):
    """A mesh file that exists but cannot be read (2D Gmsh, 3D Gmsh or Netgen)."""


class MeshLines:
    """The lines of a text mesh file, streamed, with their numbers for messages.

    Use as a context manager; iterate for the lines (``str``, newline removed).

    Parameters
    ----------
    path
        The mesh file.
    dims
        The dimensions it may hold (for :func:`check_file_size`).

    Raises
    ------
    OSError
        When the file cannot be opened.
    ValueError
        From :func:`check_file_size`; while iterating, at binary data or an endless line.

    Attributes
    ----------
    number
        The number of the line last handed out (from 1).
    max_count
        :func:`max_elements`: the most entries a block may announce.
    """

    def __init__(self, path: str | Path, dims: tuple[int, ...]):
        self.path = Path(path)
        self.number = 0
        self._stream: BinaryIO = open(self.path, "rb")
        try:
            self._left = os.fstat(self._stream.fileno()).st_size
            check_file_size(self.path, self._left, dims)
        except BaseException:
            self._stream.close()
            raise
        self.max_count = max_elements(dims)
        self._lines = self._read()

    def __enter__(self) -> "MeshLines":
        return self

    def __exit__(self, *_: object) -> None:
        self._stream.close()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        return line

    def _read(self) -> Iterator[str]:
        pending = b""
        while self._left > 0:
            chunk = self._stream.read(min(CHUNK_BYTES, self._left))
            if not chunk:
                break
            self._left -= len(chunk)
            if b"\0" in chunk:
                line = self.number + (pending + chunk[:chunk.index(b"\0")]).count(b"\n") + 1
                raise ValueError(f"a text mesh, not binary data (a NUL byte on line {line})")
            *lines, pending = (pending + chunk).split(b"\n")
            for raw in lines:
                yield self._decode(raw)
            if len(pending) > MAX_LINE_BYTES:
                self.number += 1
                raise self.fail(f"lines of at most {MAX_LINE_BYTES} bytes")
        if pending:
            yield self._decode(pending)

    def _decode(self, raw: bytes) -> str:
        if len(raw) > MAX_LINE_BYTES:
            raise ValueError(f"lines of at most {MAX_LINE_BYTES} bytes (line {self.number + 1})")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"a text mesh, not binary data (line {self.number + 1} is not "
                             "UTF-8)") from None

    def take(self, what: str) -> list[str]:
        """The next line split in words (a blank line or the end of the file is an error)."""
        line = next(self, None)
        if line is None:
            raise ValueError(f"{what} (the file ends early)")
        words = line.split()
        if not words:
            raise self.fail(f"{what}, no blank lines")
        return words

    def entries(self, count: int, what: str) -> Iterator[list[str]]:
        """The words of the next ``count`` lines, the entries a block announced; each starts
        with a number (a keyword or a ``$`` line there means the count was wrong)."""
        for done in range(count):
            words = self.take(f"{count} {what} as announced")
            if words[0][0] not in NUMBER_START:
                raise self.fail(f"{count} {what} as announced, not {words[0][:40]!r} after "
                                f"{done}")
            yield words

    def count(self, what: str) -> int:
        """The next line as one count of at most :attr:`max_count` (entries of a block)."""
        words = self.take(f"a count of {what}")
        try:
            (count,) = integers(words)
        except ValueError:
            raise self.fail(f"one count of {what}") from None
        if count < 0:
            raise self.fail(f"a count of {what}, not {count}")
        self.check_count(count, what)
        return count

    def check_count(self, count: int, what: str) -> None:
        """Refuse more entries than a run here holds (:func:`max_elements`)."""
        if count > self.max_count:
            raise self.fail(f"at most {self.max_count:.3g} {what} on this machine (the file "
                            f"announces {count})")

    def fail(self, what: str) -> ValueError:
        """A :class:`ValueError` saying ``what`` was expected at the current line."""
        return ValueError(f"{what} (line {self.number})")


def integers(words: list[str]) -> list[int]:
    """Decimal integers (``ValueError`` for anything else: ``1_000``, non-ASCII digits)."""
    if not all(word.isascii() and "_" not in word for word in words):
        raise ValueError("not plain integers")
    return [int(word) for word in words]


def reals(words: list[str]) -> list[float]:
    """Finite decimal numbers (``ValueError`` for ``nan``, ``inf``, ``1_0``, overflow)."""
    if not all(word.isascii() and "_" not in word for word in words):
        raise ValueError("not plain numbers")
    values = [float(word) for word in words]
    if not all(map(math.isfinite, values)):
        raise ValueError("not finite")
    return values
