"""Distributed grids for two-species reaction–diffusion on a PETSc DMDA.

A grid of ``shape = (n_0, ..., n_{d-1})`` points (d = 1, 2, 3) is a DMDA with two
interleaved degrees of freedom (u, v), a STAR stencil of width 1, and axis ``i`` of
``shape`` mapped to PETSc's axis ``i`` (x, y, z).  Arrays handed to callers are numpy
arrays indexed ``[i_0, ..., i_{d-1}]`` by *global* grid indices, exactly like a serial
array of ``shape`` (C order).

Boundaries:

``periodic``
    ``DM_BOUNDARY_PERIODIC``; PETSc fills the ghosts.
``neumann``
    No flux on a *cell-centred* grid: the ghost beyond a wall equals the wall cell
    (``u_{-1} = u_0``, ``u_n = u_{n-1}``).  This is not ``DM_BOUNDARY_MIRROR`` (which
    reflects about the first point, ``u_{-1} = u_1``), so the DMDA is
    ``DM_BOUNDARY_GHOSTED`` and :func:`fill_neumann_ghosts` sets those ghosts; the
    assembled matrix folds the same rule into its diagonal.  Multigrid coarsening then
    uses the cell-centred (``Q0``) interpolation, which halves ``n``.

Also here: seeded noise that depends only on (seed, global index), gathering a field to
rank 0, and ``.npz`` restart files readable with any number of ranks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from petsc4py import PETSc

from pdekit.fd.initial import npz_member

Ranges = tuple[tuple[int, int], ...]
BOUNDARIES = ("periodic", "neumann")


def create_dmda(shape: Sequence[int], boundary: str, comm=None) -> PETSc.DMDA:
    """Create the two-component DMDA for ``shape`` points with ``boundary`` conditions."""
    if boundary not in BOUNDARIES:
        raise ValueError(f"boundary must be one of {BOUNDARIES}, not {boundary!r}")
    if not 1 <= len(shape) <= 3 or min(shape) < 3:
        raise ValueError(f"shape must have 1 to 3 axes of at least 3 points, got {tuple(shape)}")
    kind = PETSc.DM.BoundaryType.PERIODIC if boundary == "periodic" else PETSc.DM.BoundaryType.GHOSTED
    da = PETSc.DMDA().create(dim=len(shape), dof=2, sizes=tuple(int(n) for n in shape),
                             boundary_type=(kind,) * len(shape),
                             stencil_type=PETSc.DMDA.StencilType.STAR, stencil_width=1,
                             comm=comm or PETSc.COMM_WORLD)
    if boundary == "neumann":
        da.setInterpolationType(PETSc.DMDA.InterpolationType.Q0)
    return da


def owned_ranges(da: PETSc.DMDA) -> Ranges:
    """Half-open global index range ``(start, stop)`` per axis owned by this rank."""
    return tuple((int(a), int(b)) for a, b in da.getRanges())


def global_index_arrays(ranges: Ranges) -> tuple[np.ndarray, ...]:
    """Integer arrays (one per axis, shape of the owned block) of the global indices."""
    return tuple(np.meshgrid(*[np.arange(a, b) for a, b in ranges], indexing="ij"))


def field_view(flat: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """View a PETSc (x fastest, dof innermost) array as ``[i_0, ..., i_{d-1}, dof]``."""
    d = len(sizes)
    return flat.reshape(tuple(reversed(sizes)) + (2,)).transpose(*reversed(range(d)), d)


def fill_neumann_ghosts(ghosted: np.ndarray, ranges: Ranges, shape: Sequence[int]) -> None:
    """Set wall ghosts of a ghosted local array (view from :func:`field_view`) to the wall cell."""
    for axis, ((start, stop), n) in enumerate(zip(ranges, shape)):
        moved = np.moveaxis(ghosted, axis, 0)
        if start == 0:
            moved[0] = moved[1]
        if stop == n:
            moved[-1] = moved[-2]


def laplacian(ghosted: np.ndarray, spacing: Sequence[float]) -> np.ndarray:
    """The (2d+1)-point Laplacian ``sum_i (w_{i+1} - 2 w_i + w_{i-1}) / h_i^2`` on the owned block.

    ``ghosted`` has one ghost layer on every side (last axis: the two components).
    """
    d = len(spacing)
    inner = (slice(1, -1),) * d
    centre = ghosted[inner]
    out = np.zeros(centre.shape)
    for axis, h in enumerate(spacing):
        lo = inner[:axis] + (slice(0, -2),) + inner[axis + 1:]
        hi = inner[:axis] + (slice(2, None),) + inner[axis + 1:]
        out += (ghosted[lo] - 2.0 * centre + ghosted[hi]) / (h * h)
    return out


def _local_point_index(da: PETSc.DMDA) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple[int, ...]]:
    """Ghosted-local point numbers of the owned points, their ghosted coordinates, ghost sizes."""
    ranges, granges = owned_ranges(da), da.getGhostRanges()
    gsizes = tuple(int(b - a) for a, b in granges)
    coords = tuple(c.ravel() + (a - ga) for c, (a, _), (ga, _) in
                   zip(np.meshgrid(*[np.arange(b - a) for a, b in ranges], indexing="ij"), ranges, granges))
    strides = np.cumprod((1,) + gsizes[:-1])
    point = sum(c * s for c, s in zip(coords, strides))
    return point.astype(PETSc.IntType), coords, gsizes


def decoupled_matrix(da: PETSc.DMDA) -> PETSc.Mat:
    """An AIJ matrix on the DMDA layout whose rows couple a component only to itself.

    Half the nonzeros of ``da.createMatrix()`` (which couples u and v at every stencil
    point); for operators without u–v coupling such as ``shift I - D Δ_h``.
    """
    d, n_local = da.getDim(), 2 * int(np.prod([b - a for a, b in da.getRanges()]))
    mat = PETSc.Mat().createAIJ(size=((n_local, None), (n_local, None)), bsize=2,
                                nnz=(2 * d + 1, 2 * d), comm=da.getComm())
    mat.setLGMap(da.getLGMap())
    return mat


def assemble_laplacian(da: PETSc.DMDA, shape: Sequence[int], spacing: Sequence[float],
                       boundary: str, scale: Sequence[float], coupled: bool = False) -> PETSc.Mat:
    """Assemble ``diag(scale) * Laplacian`` (both components, no u–v coupling).

    Neumann walls are folded in: a missing neighbour adds its weight to the diagonal.  With
    ``coupled`` the matrix has the full 2x2 pattern of ``da.createMatrix()`` (room for the
    reaction Jacobian); otherwise that of :func:`decoupled_matrix`.
    """
    mat = da.createMatrix() if coupled else decoupled_matrix(da)
    point, coords, gsizes = _local_point_index(da)
    strides = np.cumprod((1,) + gsizes[:-1])
    ranges = owned_ranges(da)
    cols = [point]
    weights = [np.full(point.shape, -2.0 * sum(1.0 / h**2 for h in spacing))]
    for axis, h in enumerate(spacing):
        glob = coords[axis] - 1 + ranges[axis][0]  # global index along this axis
        for step, wall in ((-1, 0), (+1, shape[axis] - 1)):
            neighbour = point + step * strides[axis]
            if boundary == "neumann":
                neighbour = np.where(glob == wall, point, neighbour)
            cols.append(neighbour)
            weights.append(np.full(point.shape, 1.0 / h**2))
    cols_p, w = np.stack(cols, axis=1), np.stack(weights, axis=1)
    for c in range(2):
        rows = (2 * point + c)[:, None].astype(PETSc.IntType)
        mat.setValuesLocalRCV(rows, (2 * cols_p + c).astype(PETSc.IntType), scale[c] * w,
                              addv=PETSc.InsertMode.ADD_VALUES)
    mat.assemble()
    return mat


def assemble_point_blocks(da: PETSc.DMDA, mat: PETSc.Mat, blocks: np.ndarray,
                          points: np.ndarray | None = None) -> None:
    """Overwrite ``mat`` with a block-diagonal matrix of 2x2 blocks ``blocks[..., 4]`` (row-major).

    ``blocks`` has the owned block's shape plus a trailing axis ``(f_u, f_v, g_u, g_v)``;
    ``points`` (optional, for reuse) is ``local_points(da)``.
    """
    points = local_points(da) if points is None else points
    mat.zeroEntries()
    values = np.ascontiguousarray(blocks.reshape(-1, 4))  # same C order as ``points``
    mat.setValuesBlockedLocalRCV(points, points, values, addv=PETSc.InsertMode.INSERT_VALUES)
    mat.assemble()


def local_points(da: PETSc.DMDA) -> np.ndarray:
    """Ghosted-local point numbers of the owned points (C order over the owned block), as a column."""
    return np.ascontiguousarray(_local_point_index(da)[0][:, None])


# --------------------------------------------------------------------------- gather / restart
def _mpi(comm):
    comm = comm or PETSc.COMM_WORLD
    return comm.tompi4py() if isinstance(comm, PETSc.Comm) else comm


def gather_to_root(fields: Sequence[np.ndarray], ranges: Ranges, shape: Sequence[int],
                   comm=None) -> list[np.ndarray] | None:
    """Assemble owned blocks of each field into global arrays of ``shape`` on rank 0 (else ``None``)."""
    mpi = _mpi(comm)
    pieces = mpi.gather((tuple(ranges), [np.ascontiguousarray(f) for f in fields]), root=0)
    if mpi.rank != 0:
        return None
    out = [np.empty(tuple(shape)) for _ in fields]
    for rng, arrays in pieces:
        where = tuple(slice(a, b) for a, b in rng)
        for full, piece in zip(out, arrays):
            full[where] = piece
    return out


def write_restart(path: str | Path, u: np.ndarray, v: np.ndarray, ranges: Ranges,
                  shape: Sequence[int], t: float, comm=None, **meta) -> None:
    """Write the global ``u``, ``v`` and time ``t`` to an uncompressed ``.npz`` from rank 0 (collective)."""
    fields = gather_to_root([u, v], ranges, shape, comm)
    mpi = _mpi(comm)
    error = None
    if mpi.rank == 0:
        try:
            np.savez(Path(path), u=fields[0], v=fields[1], t=np.float64(t),
                     shape=np.asarray(shape, dtype=np.int64), **meta)
        except OSError as exc:
            error = f"could not write restart file {path}: {exc}"
    error = mpi.bcast(error, root=0)
    if error:
        raise OSError(error)


def read_restart(path: str | Path) -> tuple[Callable[[tuple[np.ndarray, ...]], tuple[np.ndarray, np.ndarray]], float, tuple[int, ...]]:
    """Open a restart file: ``(initial, t, shape)``; ``initial`` reads only the points it is asked for.

    ``initial`` has the signature :func:`pdekit.fd.petsc_ts.solve_petsc` expects, so each
    rank reads its own slice whatever the number of ranks that wrote the file.
    """
    path = Path(path)
    with np.load(path) as data:
        t = float(data["t"])
    u, v = npz_member(path, "u"), npz_member(path, "v")
    shape = tuple(int(n) for n in u.shape)

    def initial(index_arrays):
        where = tuple(np.asarray(a) for a in index_arrays)
        return np.array(u[where]), np.array(v[where])

    return initial, t, shape


# --------------------------------------------------------------------------- multigrid
def cell_centred_interpolation(fine: PETSc.DMDA, coarse: PETSc.DMDA) -> PETSc.Mat:
    """Cell-centred (bi/tri)linear prolongation from ``coarse`` (n/2 cells per axis) to ``fine``.

    Per axis, fine cell ``i`` lies in coarse cell ``c = i // 2`` and takes ``3/4`` of it and
    ``1/4`` of the next coarse cell on its side (``c - 1`` for even ``i``, ``c + 1`` for odd);
    past a wall that neighbour is ``c`` itself (the no-flux ghost rule).  Both components are
    interpolated alike.  PETSc's own DMDA interpolations are vertex-centred, hence this one.
    """
    fshape, cshape = fine.getSizes(), coarse.getSizes()
    ranges = owned_ranges(fine)
    parts = []
    for i, nc in zip(global_index_arrays(ranges), cshape):
        i = i.ravel()
        c = i // 2
        other = np.clip(np.where(i % 2 == 0, c - 1, c + 1), 0, nc - 1)
        parts.append(((c, 0.75), (other, 0.25)))
    d = len(fshape)
    cols, weights = [], []
    for choice in np.ndindex(*(2,) * d):
        natural = np.zeros_like(parts[0][0][0])
        w = np.ones(natural.shape)
        for axis in reversed(range(d)):
            idx, wt = parts[axis][choice[axis]]
            natural = natural * cshape[axis] + idx
            w = w * wt
        cols.append(natural)
        weights.append(w)
    natural_cols = np.stack(cols, axis=1).astype(PETSc.IntType)
    fine_natural = np.ravel_multi_index(tuple(a.ravel() for a in reversed(global_index_arrays(ranges))),
                                        tuple(reversed(fshape))).astype(PETSc.IntType)
    nf, nc_local = len(fine_natural), int(np.prod([b - a for a, b in owned_ranges(coarse)]))
    mat = PETSc.Mat().createAIJ(size=((2 * nf, None), (2 * nc_local, None)),
                                nnz=(2**d, 2**d), comm=fine.getComm())
    w = np.stack(weights, axis=1)
    fine_ao, coarse_ao = fine.getAO(), coarse.getAO()   # DMDA AOs number every dof
    for comp in range(2):
        rows = fine_ao.app2petsc((2 * fine_natural + comp).astype(PETSc.IntType))
        cols_c = coarse_ao.app2petsc((2 * natural_cols + comp).ravel().astype(PETSc.IntType))
        mat.setValuesRCV(rows[:, None].astype(PETSc.IntType),
                         cols_c.reshape(-1, 2**d).astype(PETSc.IntType), w,
                         addv=PETSc.InsertMode.ADD_VALUES)
    mat.assemble()
    return mat


def set_cell_centred_interpolations(pc: PETSc.PC, da: PETSc.DMDA) -> tuple[list, list]:
    """Give every level of a PCMG the cell-centred prolongation; returns the coarse DMDAs and matrices."""
    das, mats = [], []
    fine = da
    for level in range(pc.getMGLevels() - 1, 0, -1):
        coarse = fine.coarsen()
        mats.append(cell_centred_interpolation(fine, coarse))
        pc.setMGInterpolation(level, mats[-1])
        das.append(coarse)
        fine = coarse
    return das, mats


def mg_levels(shape: Sequence[int], procs: Sequence[int]) -> int:
    """Levels of factor-2 coarsening that keep every axis even and >= 3 (and 2 per rank) points."""
    levels = 1
    while levels < 8 and all(n % 2**levels == 0 and n // 2**levels >= max(3, 2 * p)
                             for n, p in zip(shape, procs)):
        levels += 1
    return levels
