"""ParaView files: VTK ImageData (``.vti``) snapshots and a live ``.pvd`` time series.

The ``.vti`` writer is tiny (one uniform grid, base64-encoded float64 point data), so FD
runs need neither VTK nor meshio. Unstructured meshes (FEM, PINN scattered points) go
through meshio's ``.vtu`` writer and are listed in the same :class:`PVDSeries`.
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
    """VTK XML inline binary encoding of float64 data.

    Uncompressed: base64 of a UInt64 byte count followed by the data. Compressed
    (``compressor="vtkZLibDataCompressor"``): base64 of the header ``[blocks, block size,
    last block size, compressed size of each block]`` (UInt64), then base64 of the
    concatenated zlib blocks, encoded separately as VTK's reader expects.
    """
    raw = np.ascontiguousarray(array, dtype="<f8").tobytes()
    if not compress:
        return base64.b64encode(struct.pack("<Q", len(raw)) + raw).decode("ascii")
    blocks = [zlib.compress(raw[i:i + ZLIB_BLOCK], ZLIB_LEVEL)
              for i in range(0, max(len(raw), 1), ZLIB_BLOCK)]
    last = len(raw) - ZLIB_BLOCK * (len(blocks) - 1)
    header = struct.pack(f"<{3 + len(blocks)}Q", len(blocks), ZLIB_BLOCK, last,
                         *(len(b) for b in blocks))
    return (base64.b64encode(header) + base64.b64encode(b"".join(blocks))).decode("ascii")


def write_vti(path: str | Path, origin: Sequence[float], spacing: Sequence[float],
              point_data: Mapping[str, np.ndarray], compress: bool = True) -> Path:
    """Write scalar fields on a uniform 2D or 3D grid as a VTK ImageData file.

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

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    arrays = {name: np.asarray(value, dtype=float) for name, value in point_data.items()}
    shape = next(iter(arrays.values())).shape
    if any(a.shape != shape for a in arrays.values()):
        raise ValueError("all point-data arrays must have the same shape")
    dims = list(shape) + [1] * (3 - len(shape))
    origin3 = list(origin) + [0.0] * (3 - len(origin))
    spacing3 = list(spacing) + [1.0] * (3 - len(spacing))
    extent = " ".join(f"0 {d - 1}" for d in dims)
    blocks = []
    for name, array in arrays.items():
        # VTK orders points with x fastest: transpose our [i, j, k] indexing.
        flat = array.reshape(dims).transpose(2, 1, 0).ravel()
        blocks.append(f'        <DataArray type="Float64" Name={quoteattr(name)} '
                      f'format="binary">{_encode(flat, compress)}</DataArray>')
    scalars = quoteattr(next(iter(arrays)))
    text = (
        '<?xml version="1.0"?>\n'
        '<VTKFile type="ImageData" version="1.0" byte_order="LittleEndian" '
        'header_type="UInt64"'
        + (' compressor="vtkZLibDataCompressor"' if compress else '') + '>\n'
        f'  <ImageData WholeExtent="{extent}" Origin="{" ".join(map(repr, origin3))}" '
        f'Spacing="{" ".join(map(repr, spacing3))}">\n'
        f'    <Piece Extent="{extent}">\n'
        f'      <PointData Scalars={scalars}>\n' + "\n".join(blocks) + '\n'
        '      </PointData>\n'
        '    </Piece>\n'
        '  </ImageData>\n'
        '</VTKFile>\n'
    )
    atomic_write_text(path, text)
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
