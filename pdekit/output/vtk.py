"""ParaView files: VTK ImageData (``.vti``) snapshots and a live ``.pvd`` time series.

The ``.vti`` writer is tiny (one uniform grid, base64-encoded float64 point data, float32
for single-precision fields), so FD runs need neither VTK nor meshio. A grid split over MPI
ranks is written as one ``.vti`` piece per rank (its points placed in the whole grid by
``start``) and a ``.pvti`` that lists the pieces (:func:`write_pvti`). Unstructured meshes
(FEM, PINN scattered points) go through meshio's ``.vtu`` writer and are listed in the same
:class:`PVDSeries`.
"""

from __future__ import annotations

import base64
import os
import struct
import zlib
from pathlib import Path
from typing import Mapping, Sequence
from xml.sax.saxutils import quoteattr

import numpy as np


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see either the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk must not leave half files behind
        raise


ZLIB_BLOCK = 1 << 20
"""Uncompressed bytes per zlib block (VTK decompresses block by block)."""

ZLIB_LEVEL = 6
"""zlib's default trade-off: near-best size at a fraction of level 9's time."""


def _encode(array: np.ndarray, compress: bool = True) -> str:
    """VTK XML inline binary encoding of float64 or float32 data (little-endian).

    Uncompressed: base64 of a UInt64 byte count followed by the data. Compressed
    (``compressor="vtkZLibDataCompressor"``): base64 of the header ``[blocks, block size,
    last block size, compressed size of each block]`` (UInt64), then base64 of the
    concatenated zlib blocks, encoded separately as VTK's reader expects.
    """
    raw = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    if not compress:
        return base64.b64encode(struct.pack("<Q", len(raw)) + raw).decode("ascii")
    blocks = [zlib.compress(raw[i:i + ZLIB_BLOCK], ZLIB_LEVEL)
              for i in range(0, max(len(raw), 1), ZLIB_BLOCK)]
    last = len(raw) - ZLIB_BLOCK * (len(blocks) - 1)
    header = struct.pack(f"<{3 + len(blocks)}Q", len(blocks), ZLIB_BLOCK, last,
                         *(len(b) for b in blocks))
    return (base64.b64encode(header) + base64.b64encode(b"".join(blocks))).decode("ascii")


def _extent(start: Sequence[int], shape: Sequence[int]) -> str:
    """VTK's ``x0 x1 y0 y1 z0 z1`` (inclusive point indices) of a block, padded to 3D."""
    start3 = list(start) + [0] * (3 - len(start))
    shape3 = list(shape) + [1] * (3 - len(shape))
    return " ".join(f"{a} {a + n - 1}" for a, n in zip(start3, shape3))


def _padded(values: Sequence[float], fill: float) -> str:
    return " ".join(map(repr, list(values) + [fill] * (3 - len(values))))


def write_vti(path: str | Path, origin: Sequence[float], spacing: Sequence[float],
              point_data: Mapping[str, np.ndarray], compress: bool = True,
              start: Sequence[int] | None = None) -> Path:
    """Write scalar fields on a uniform 1D, 2D or 3D grid as a VTK ImageData file.

    Parameters
    ----------
    path
        Output file (``.vti``).
    origin, spacing
        Coordinates of the first point and grid steps, one per axis (2 or 3 numbers).
    point_data
        Name -> array of shape ``(nx, ny)`` or ``(nx, ny, nz)`` indexed ``[i, j(, k)]``
        with ``i`` along x. All arrays share one shape.
    compress
        zlib-compress the arrays (a smooth 1024² field shrinks several-fold; ParaView
        reads both).
    start
        Index of the first point per axis in the whole grid, for a piece of a grid split
        over ranks (see :func:`write_pvti`); default 0 (a whole grid). The piece's extent
        is then ``start`` … ``start + shape - 1`` with the whole grid's ``origin``.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    # float32 fields (single-precision runs) stay Float32; anything else is written Float64
    arrays = {name: np.asarray(value, dtype=np.float32 if np.asarray(value).dtype == np.float32
                               else np.float64) for name, value in point_data.items()}
    shape = next(iter(arrays.values())).shape
    if any(a.shape != shape for a in arrays.values()):
        raise ValueError("all point-data arrays must have the same shape")
    dims = list(shape) + [1] * (3 - len(shape))
    extent = _extent(start or [0] * len(shape), shape)
    blocks = []
    for name, array in arrays.items():
        # VTK orders points with x fastest: transpose our [i, j, k] indexing.
        flat = array.reshape(dims).transpose(2, 1, 0).ravel()
        kind = "Float32" if array.dtype == np.float32 else "Float64"
        blocks.append(f'        <DataArray type="{kind}" Name={quoteattr(name)} '
                      f'format="binary">{_encode(flat, compress)}</DataArray>')
    scalars = quoteattr(next(iter(arrays)))
    text = (
        '<?xml version="1.0"?>\n'
        '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" '
        'header_type="UInt64"'
        + (' compressor="vtkZLibDataCompressor"' if compress else '') + '>\n'
        f'  <ImageData WholeExtent="{extent}" Origin="{_padded(origin, 0.0)}" '
        f'Spacing="{_padded(spacing, 1.0)}">\n'
        f'    <Piece Extent="{extent}">\n'
        f'      <PointData Scalars={scalars}>\n' + "\n".join(blocks) + '\n'
        '      </PointData>\n'
        '    </Piece>\n'
        '  </ImageData>\n'
        '</VTKFile>\n'
    )
    atomic_write_text(path, text)
    return path


def write_pvti(path: str | Path, shape: Sequence[int], origin: Sequence[float],
               spacing: Sequence[float], names: Sequence[str],
               pieces: Sequence[tuple[Sequence[int], Sequence[int], str | Path]]) -> Path:
    """Write a parallel ImageData index (``.pvti``) over pieces written by :func:`write_vti`.

    Parameters
    ----------
    path
        Output file (``.pvti``); pieces are referenced relative to its folder.
    shape, origin, spacing
        Points, first point's coordinates and steps per axis of the whole grid.
    names
        The point-data arrays every piece holds (Float64), in order.
    pieces
        ``(start, shape, file)`` of each piece: its first point's index per axis in the
        whole grid, its points per axis, and its ``.vti`` file.

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    arrays = "".join(f'      <PDataArray type="Float64" Name={quoteattr(name)}/>\n'
                     for name in names)
    rows = "".join(f'    <Piece Extent="{_extent(start, size)}" '
                   f'Source={quoteattr(os.path.relpath(Path(file), path.parent))}/>\n'
                   for start, size, file in pieces)
    atomic_write_text(path,
                      '<?xml version="1.0"?>\n'
                      '<VTKFile type="PImageData" version="1.0" byte_order="LittleEndian" '
                      'header_type="UInt64">\n'
                      f'  <PImageData WholeExtent="{_extent([0] * len(shape), shape)}" '
                      f'GhostLevel="0" Origin="{_padded(origin, 0.0)}" '
                      f'Spacing="{_padded(spacing, 1.0)}">\n'
                      f'    <PPointData Scalars={quoteattr(names[0])}>\n' + arrays
                      + '    </PPointData>\n' + rows + '  </PImageData>\n</VTKFile>\n')
    return path


class PVDSeries:
    """A ParaView collection (``.pvd``) that is a valid file after every :meth:`add`.

    Each call rewrites the small index atomically, so ParaView can open a run that is
    still going and always sees complete entries.

    Parameters
    ----------
    path
        The ``.pvd`` file; data files are referenced relative to its folder.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.entries: list[tuple[float, int, str]] = []
        self._write()

    def add(self, time: float, filename: str | Path, part: int = 0) -> None:
        """Register a data file written for ``time`` (``part`` for per-rank pieces)."""
        relative = os.path.relpath(Path(filename), self.path.parent)
        self.entries.append((float(time), part, relative))
        self._write()

    def _write(self) -> None:
        rows = "".join(
            f'    <DataSet timestep="{t!r}" group="" part="{part}" file={quoteattr(name)}/>\n'
            for t, part, name in self.entries)
        atomic_write_text(self.path,
                          '<?xml version="1.0"?>\n'
                          '<VTKFile type="Collection" version="0.1" byte_order="LittleEndian">\n'
                          '  <Collection>\n' + rows + '  </Collection>\n</VTKFile>\n')
