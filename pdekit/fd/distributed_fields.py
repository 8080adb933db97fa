"""Fields of a grid split over MPI ranks in blocks: ghost points for output pieces, regions
gathered on rank 0, ``final_state.npz`` written in slabs, global statistics and the
dominant wavenumber from the distributed spectrum.

Every function is collective (all ranks of ``comm`` call it in the same order). A rank's
block is given by its first point per axis (``start``) and its array's shape; blocks tile
the grid (a slab or pencil decomposition, :mod:`pdekit.time.decomposition`).
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from pathlib import Path
from typing import Any, Sequence

import numpy as np


def with_upper_ghosts(field: np.ndarray, axis_comms: Sequence[tuple[int, Any]]) -> np.ndarray:
    """``field`` extended by the first point of the next rank's block along each split axis
    (none past the grid's end): the one-point overlap VTK's parallel image reader needs
    between pieces (:mod:`pdekit.fd.pieces`).

    ``axis_comms`` lists ``(axis, comm)`` for the axes split in this layout, ``comm``
    the ranks sharing this rank's other coordinates, ordered along the axis. The axes are
    extended one after the other, so the corner points come along.
    """
    from mpi4py import MPI

    for axis, comm in axis_comms:
        if comm.size == 1:
            continue
        send = np.ascontiguousarray(np.take(field, [0], axis=axis))
        receive = np.empty_like(send)
        below = comm.rank - 1 if comm.rank > 0 else MPI.PROC_NULL
        above = comm.rank + 1 if comm.rank < comm.size - 1 else MPI.PROC_NULL
        comm.Sendrecv(send, dest=below, recvbuf=receive, source=above)
        if above != MPI.PROC_NULL:
            field = np.concatenate([field, receive], axis=axis)
    return field


def gather_region(field: np.ndarray, start: Sequence[int], region: Sequence[slice],
                  comm: Any) -> np.ndarray | None:
    """The part ``region`` (slices of the whole grid, steps of 1) of a field split in
    blocks, assembled on rank 0 (None elsewhere). Each rank sends only what of its block
    falls in the region: a mid-plane costs a plane, not the volume."""
    low = [max(r.start, s) for r, s in zip(region, start)]
    high = [min(r.stop, s + n) for r, s, n in zip(region, start, field.shape)]
    piece = None
    if all(h > lo for lo, h in zip(low, high)):
        local = tuple(slice(lo - s, h - s) for lo, h, s in zip(low, high, start))
        piece = (low, np.ascontiguousarray(field[local]))
    pieces = comm.gather(piece, root=0)
    if pieces is None:
        return None
    out = np.empty([r.stop - r.start for r in region], dtype=field.dtype)
    for item in pieces:
        if item is not None:
            corner, data = item
            where = tuple(slice(c - r.start, c - r.start + n)
                          for c, r, n in zip(corner, region, data.shape))
            out[where] = data
    return out


def write_npz_in_slabs(path: Path, fields: dict[str, np.ndarray], start: Sequence[int],
                       shape: Sequence[int], comm: Any, small: dict[str, Any]) -> None:
    """Write the whole ``fields`` (blocks of a grid of ``shape``) and the ``small`` values
    as an uncompressed ``.npz`` from rank 0, the format of :func:`numpy.savez`.

    Rank 0 gathers one slab of the first axis at a time (the first-axis blocks of the
    decomposition) and appends it to the member's ``.npy`` data, so it never holds more
    than a slab of a field. The file appears complete or not at all (written under a
    temporary name, then renamed); a failed write raises the same ``OSError`` on every
    rank.
    """
    starts = sorted({s for s in comm.allgather(int(start[0]))}) + [int(shape[0])]
    root = comm.rank == 0
    temporary = path.with_name(f".{path.name}.tmp")
    error = None
    archive = None
    if root:
        try:
            archive = zipfile.ZipFile(temporary, "w", allowZip64=True)
        except OSError as exc:
            error = str(exc)
    for name, field in fields.items():
        member = None
        if archive is not None and error is None:
            try:
                member = archive.open(f"{name}.npy", "w", force_zip64=True)
                header = {"descr": np.lib.format.dtype_to_descr(field.dtype),
                          "fortran_order": False, "shape": tuple(int(n) for n in shape)}
                np.lib.format.write_array_header_2_0(member, header)
            except OSError as exc:
                error = str(exc)
        for low, high in zip(starts[:-1], starts[1:]):
            region = (slice(low, high), *(slice(0, n) for n in shape[1:]))
            slab = gather_region(field, start, region, comm)
            if member is not None and error is None:
                try:
                    member.write(slab.tobytes())
                except OSError as exc:
                    error = str(exc)
        if member is not None:
            try:
                member.close()
            except OSError as exc:
                error = error or str(exc)
    if archive is not None:
        try:
            if error is None:
                for name, value in small.items():
                    buffer = io.BytesIO()
                    np.save(buffer, np.asarray(value))
                    archive.writestr(f"{name}.npy", buffer.getvalue())
            archive.close()
            if error is None:
                os.replace(temporary, path)
        except OSError as exc:
            error = str(exc)
        if error is not None:
            temporary.unlink(missing_ok=True)
    error = comm.bcast(error, root=0)
    if error is not None:
        raise OSError(f"could not write {path.name}: {error}")


def field_statistics(fields: dict[str, np.ndarray], size: int, comm: Any
                     ) -> dict[str, dict[str, float]]:
    """min, max and mean of each field over all ranks (two reductions)."""
    from mpi4py import MPI

    names = list(fields)
    extremes = np.array([v for f in fields.values() for v in (-float(f.min()), float(f.max()))])
    sums = np.array([float(np.sum(f, dtype=np.float64)) for f in fields.values()])
    comm.Allreduce(MPI.IN_PLACE, extremes, op=MPI.MAX)
    comm.Allreduce(MPI.IN_PLACE, sums, op=MPI.SUM)
    return {name: {"min": -float(extremes[2 * i]), "max": float(extremes[2 * i + 1]),
                   "mean": float(sums[i]) / size} for i, name in enumerate(names)}


def dominant_wavenumber(spectrum: np.ndarray, block: Sequence[slice], shape: Sequence[int],
                        lengths: Sequence[float], neumann: bool, comm: Any) -> float:
    """|k| of the shell with the most power (k > 0), from this rank's block of a field's
    spectrum (real FFT with the last axis halved, or DCT-II, as
    :class:`pdekit.time.distributed.PencilTransform` makes it).

    The shells, the modes' wavenumbers and the power (up to one factor for the whole
    spectrum) are those of :func:`pdekit.fd.stability.radial_power_spectrum` on the
    gathered field: a half-spectrum mode 0 < m < n/2 of the last axis stands for itself
    and its conjugate (weight 2); an unnormalized DCT-II coefficient relates to the
    orthonormal one by a factor 1/√2 on every axis where m = 0 (weight ½ per such axis).
    One reduction of the shell totals.
    """
    from mpi4py import MPI

    dim = len(shape)
    power = np.abs(spectrum) ** 2
    if neumann:
        modes = [np.arange(n, dtype=float) for n in shape]
        spacings = [np.pi / length for length in lengths]
        for axis in range(dim):
            weight = np.where(modes[axis][block[axis]] == 0, 0.5, 1.0)
            power = power * weight.reshape([-1 if a == axis else 1 for a in range(dim)])
    else:
        modes = [np.fft.fftfreq(n, d=1.0 / n) for n in shape]
        modes[-1] = np.arange(shape[-1] // 2 + 1, dtype=float)
        spacings = [2.0 * np.pi / length for length in lengths]
        last = modes[-1][block[-1]]
        weight = np.where((last == 0) | (2 * last == shape[-1]), 1.0, 2.0)
        power = power * weight.reshape([1] * (dim - 1) + [-1])
    step = min(spacings)
    scaled = [m * (dk / step) for m, dk in zip(modes, spacings)]
    radius = np.sqrt(sum(np.reshape(x[where] ** 2, [-1 if a == axis else 1 for a in range(dim)])
                         for axis, (x, where) in enumerate(zip(scaled, block))))
    shells = int(np.rint(math.sqrt(sum(float(np.max(np.abs(x))) ** 2 for x in scaled)))) + 1
    totals = np.bincount(np.rint(radius).astype(int).ravel(), weights=power.ravel(),
                         minlength=shells)
    comm.Allreduce(MPI.IN_PLACE, totals, op=MPI.SUM)
    totals[0] = 0.0
    return float(step * int(np.argmax(totals)))
