"""Snapshots of a grid split over MPI ranks: one ``.vti`` piece per rank, a ``.pvti`` and
the live ``fields.pvd`` written by rank 0.

Every rank writes its block of u and v as ``fields_NNNNN_pRRRR.vti`` (zlib-compressed,
its extent placed in the whole grid, overlapping the next rank's block by one point per
axis, as VTK's parallel image reader needs to fill the cells between pieces); once all pieces of a snapshot exist (a gather, which
also collects the write errors), rank 0 writes ``fields_NNNNN.pvti`` listing them and adds
it to ``fields.pvd``, so ParaView can open the series while the run goes on. A failed
write on any rank raises the same ``OSError`` on every rank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pdekit.fd.grid import Grid
from pdekit.fd.initial import Block
from pdekit.fd.run import animation_frame
from pdekit.output import PVDSeries, write_pvti, write_vti


class PieceSnapshots:
    """``on_output(t, u, v, block)`` for :func:`pdekit.fd.petsc_ts.solve_petsc` with
    ``output_overlap=True``.

    Parameters
    ----------
    folder
        The run folder (made by rank 0 before any rank writes into it).
    grid
        The whole grid.
    comm
        The mpi4py communicator of the run.
    vtk
        Write the ParaView series.
    frames
        Keep animation frames of u on rank 0 (each snapshot gathers u there).

    Attributes
    ----------
    series
        The ``fields.pvd`` on rank 0 (None elsewhere or without ``vtk``).
    frames
        ``(t, frame)`` pairs on rank 0 when an animation is wanted, else None.
    """

    def __init__(self, folder: Path, grid: Grid, comm: Any, vtk: bool, frames: bool):
        self.folder, self.grid, self.comm, self.vtk = folder, grid, comm, vtk
        root = comm.rank == 0
        self.series = PVDSeries(folder / "fields.pvd") if vtk and root else None
        self.frames: list[tuple[float, np.ndarray]] | None = [] if frames and root else None
        self.want_frames = frames
        self.origin = [float(x[0]) for x in grid.axes_coordinates()]
        self.count = 0

    def __call__(self, t: float, u: np.ndarray, v: np.ndarray, block: Block) -> None:
        if self.vtk:
            self._write(t, u, v, block)
        if self.want_frames:
            from pdekit.fd.petsc_grid import gather_to_root

            gathered = gather_to_root([u], block, self.grid.shape, self.comm)
            if self.frames is not None:
                self.frames.append((t, animation_frame(gathered[0])))
        self.count += 1

    def _write(self, t: float, u: np.ndarray, v: np.ndarray, block: Block) -> None:
        name = f"fields_{self.count:05d}"
        piece = self.folder / f"{name}_p{self.comm.rank:04d}.vti"
        start = [a for a, _ in block]
        error = None
        try:
            write_vti(piece, self.origin, self.grid.spacings, {"u": u, "v": v}, start=start)
        except OSError as exc:
            error = f"rank {self.comm.rank}: {exc}"
        reports = self.comm.gather((start, list(u.shape), piece.name, error), root=0)
        if reports is not None:
            error = next((r[3] for r in reports if r[3] is not None), None)
            if error is None:
                try:
                    index = write_pvti(self.folder / f"{name}.pvti", self.grid.shape,
                                       self.origin, self.grid.spacings, ["u", "v"],
                                       [(s, n, self.folder / f) for s, n, f, _ in reports])
                    self.series.add(t, index)  # type: ignore[union-attr]
                except OSError as exc:
                    error = f"rank 0: {exc}"
        error = self.comm.bcast(error, root=0)
        if error is not None:
            raise OSError(f"could not write snapshot {name}: {error}")
