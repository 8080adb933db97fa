"""ParaView snapshots of a finite-element ``turing`` run split over MPI ranks.

Every rank writes its :class:`~pdekit.fe.distribute.Piece` of each snapshot as
``fields_NNNNN_pRRRR.vtu`` (u, v at the piece's vertices; the values of vertices owned by
another rank come through one PETSc scatter, Dirichlet vertices show the held value);
once every piece is on disk (a gather, which also collects write errors) rank 0 writes
``fields_NNNNN.pvtu`` naming them and adds it to ``fields.pvd``, which is valid after each
write. A failed write on any rank raises the same ``OSError`` on every rank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from pdekit.fe.distribute import Part
from pdekit.fem.output.modes3d import write_pvtu
from pdekit.output import PVDSeries


class PieceSnapshots:
    """``on_output(t, w)`` for the integrators, on every rank (collective).

    Parameters
    ----------
    folder
        The run folder (made by rank 0 before any rank writes into it).
    comm
        The mpi4py communicator.
    part
        This rank's rows and piece.
    held
        (c_u, c_v) shown at Dirichlet vertices.
    """

    def __init__(self, folder: Path, comm: Any, part: Part, held: tuple[float, float]):
        from petsc4py import PETSc

        self.folder, self.comm, self.part, self.held = folder, comm, part, held
        self.series = PVDSeries(folder / "fields.pvd") if comm.rank == 0 else None
        self.count = 0
        piece = part.piece
        self._owned = piece.dofs >= 0
        wanted = piece.dofs[self._owned].astype(PETSc.IntType)
        self._global = PETSc.Vec().createMPI((part.n, part.size), comm=comm)
        self._local = PETSc.Vec().createSeq(len(wanted), comm=PETSc.COMM_SELF)
        self._scatter = PETSc.Scatter().create(
            self._global, PETSc.IS().createGeneral(wanted, comm=PETSc.COMM_SELF),
            self._local, None)
        self._insert = (PETSc.InsertMode.INSERT_VALUES, PETSc.ScatterMode.FORWARD)

    def values(self, w: np.ndarray) -> dict[str, np.ndarray]:
        """u, v at this piece's vertices (collective)."""
        n = self.part.n
        fields = {}
        for species, name in enumerate(("u", "v")):
            self._global.array[:] = w[species * n:(species + 1) * n]
            self._scatter.scatter(self._global, self._local, *self._insert)
            values = np.full(len(self._owned), self.held[species])
            values[self._owned] = self._local.array
            fields[name] = values
        return fields

    def __call__(self, t: float, w: np.ndarray) -> None:
        import meshio

        fields = self.values(w)
        name = f"fields_{self.count:05d}"
        piece, error = self.part.piece, None
        path = self.folder / f"{name}_p{self.comm.rank:04d}.vtu"
        if len(piece.cells):
            try:
                meshio.write(str(path), meshio.Mesh(piece.points, [(piece.kind, piece.cells)],
                                                    point_data=fields), binary=True)
            except OSError as exc:
                error = f"rank {self.comm.rank}: {exc}"
        reports = self.comm.gather((path.name if len(piece.cells) else None, error), root=0)
        if reports is not None:
            error = next((e for _, e in reports if e is not None), None)
            if error is None:
                try:
                    index = self.folder / f"{name}.pvtu"
                    write_pvtu(index, [p for p, _ in reports if p is not None], ("u", "v"))
                    self.series.add(t, index)  # type: ignore[union-attr]
                except OSError as exc:
                    error = f"rank 0: {exc}"
        error = self.comm.bcast(error, root=0)
        if error is not None:
            raise OSError(f"could not write snapshot {name}: {error}")
        self.count += 1
