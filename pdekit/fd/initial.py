"""Initial data of a reaction–diffusion case: noise, a perturbed box, a file, a restart.

:func:`initial_data` checks the case's ``[initial]`` section and returns the fields as a
function of a *block* of the grid (a range of global indices per axis), so that each rank
of a distributed run evaluates or reads only its own part of the same field;
:func:`load_initial` evaluates it on the whole grid (the single-process path).
"""

from __future__ import annotations

import math

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pdekit.fd.grid import Grid
from pdekit.fd.noise import (band_limited_noise, default_k_max, mode_lattice, white_noise,
                             white_noise_from_global_index)

if TYPE_CHECKING:
    from pdekit.fd.schema import InitialSection

Block = tuple[tuple[int, int], ...]
"""Half-open global index range ``(start, stop)`` per axis."""

Fields = tuple[np.ndarray, np.ndarray]

FINITE_CHECK_CHUNK = 1 << 22
"""Values per chunk when a memory-mapped file is checked for NaN and infinities."""


class InitialDataError(Exception):
    """Unusable initial data: ``key`` (in ``[initial]``), what was expected, what was given."""

    def __init__(self, key: str, expected: str, given: object = None):
        super().__init__(expected)
        self.key, self.expected, self.given = key, expected, given


@dataclass(frozen=True)
class InitialData:
    """The initial fields of a case as a function of a block of the grid.

    Attributes
    ----------
    fields
        ``fields(block) -> (u, v)``, arrays of the block's shape; every block of the same
        grid gets the values of the same global field.
    t0
        Start time (0, or the time a restart file was written at).
    """

    fields: Callable[[Block], Fields]
    t0: float


def whole(grid: Grid) -> Block:
    """The block of all points of ``grid``."""
    return tuple((0, n) for n in grid.shape)


def block_points(grid: Grid, block: Block) -> list[np.ndarray]:
    """Coordinates per axis of the points of ``block``."""
    return [x[a:b] for x, (a, b) in zip(grid.axes_coordinates(), block)]


def spot_field(grid: Grid, background: float, inside: float, size: float,
               points: list[np.ndarray] | None = None) -> np.ndarray:
    """``background`` everywhere except ``inside`` on the central box of side ``size`` ×
    length per axis (Pearson's 1993 initial perturbation when size ≈ 20/256); at
    ``points`` (coordinates per axis; default: all grid points)."""
    points = grid.axes_coordinates() if points is None else points
    boxes = [np.abs(x - (x0 + length / 2)) <= 0.5 * size * length
             for x, x0, length in zip(points, grid.origin, grid.lengths)]
    field = np.full(tuple(len(x) for x in points), background, dtype=float)
    field[np.ix_(*boxes)] = inside
    return field


def noise_fields(initial: InitialSection, grid: Grid, block: Block | None = None,
                 distributed: bool = False) -> Fields:
    """The zero-mean perturbations of u and v (in this order, from ``initial.seed``) on
    ``block`` (default: the whole grid).

    ``distributed`` selects white noise from (seed, global index)
    (:func:`~pdekit.fd.noise.white_noise_from_global_index`), the same on any number of
    ranks; otherwise white noise is drawn from a generator over the whole grid (the
    single-process path's field). Band-limited noise is the same field either way.

    Raises
    ------
    InitialDataError
        When the band of band-limited noise needs too many modes.
    """
    if initial.noise == "white":
        if distributed:
            index = np.meshgrid(*[np.arange(a, b) for a, b in block or whole(grid)],
                                indexing="ij")
            return tuple(white_noise_from_global_index(initial.seed, species, grid.shape,
                                                       index, std)
                         for species, std in enumerate((initial.std_u, initial.std_v)))
        rng = np.random.default_rng(initial.seed)
        return white_noise(rng, grid, initial.std_u), white_noise(rng, grid, initial.std_v)
    k_max = _check_band(initial, grid)
    rng = np.random.default_rng(initial.seed)
    points = None if block is None else block_points(grid, block)
    return (band_limited_noise(rng, grid, initial.std_u, k_max, points),
            band_limited_noise(rng, grid, initial.std_v, k_max, points))


def _check_band(initial: InitialSection, grid: Grid) -> float:
    """The band-limited noise's k_max, refused when it needs too many modes."""
    k_max = initial.noise_k_max or default_k_max(grid.lengths)
    try:
        mode_lattice(grid, k_max)
    except ValueError as error:
        raise InitialDataError("noise_k_max", str(error), k_max) from None
    return k_max


def npz_member(path: Path, name: str) -> np.ndarray:
    """Array ``name`` of an ``.npz`` file, memory-mapped when it is stored uncompressed (as
    ``np.savez`` writes it), so that a block of it reads only that block; else read whole.
    """
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name + ".npy")
    if info.compress_type != zipfile.ZIP_STORED:
        with np.load(path) as data:
            return data[name]
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)  # the zip local file header; name and extra field follow
        fh.seek(info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                + int.from_bytes(header[28:30], "little"))
        version = np.lib.format.read_magic(fh)
        shape, fortran, dtype = np.lib.format._read_array_header(fh, version)
        offset = fh.tell()
    return np.memmap(path, dtype=dtype, mode="r", shape=shape, offset=offset,
                     order="F" if fortran else "C")


def _count_non_finite(array: np.ndarray) -> int:
    """NaN and infinite values of a (possibly memory-mapped) array, read in chunks."""
    flat = array.reshape(-1) if array.flags.c_contiguous else np.ravel(array)
    return sum(int(np.count_nonzero(~np.isfinite(flat[i:i + FINITE_CHECK_CHUNK])))
               for i in range(0, flat.size, FINITE_CHECK_CHUNK))


def _open_fields(initial: InitialSection, path: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """u, v (memory-mapped where the format allows) and t0 of a file or restart folder."""
    t0 = 0.0
    if initial.type == "restart":
        state = path / "final_state.npz"
        if not state.is_file():
            raise InitialDataError("path", "a finished pdekit turing run folder (with "
                                   "final_state.npz)", initial.path)
        with np.load(state) as data:
            t0 = float(data["t"])
        return npz_member(state, "u"), npz_member(state, "v"), t0
    if path.suffix == ".npz":
        return npz_member(path, "u"), npz_member(path, "v"), t0
    u, v = np.load(path, mmap_mode="r")
    return u, v, t0


def _file_data(initial: InitialSection, grid: Grid, folder: Path) -> InitialData:
    assert initial.path is not None  # the schema asks for a path with these types
    path = Path(initial.path)
    if not path.is_absolute() and not path.exists():
        path = folder / path
    # a FIFO, device or socket would block or stream forever: regular files only
    wanted = path / "final_state.npz" if initial.type == "restart" else path
    if wanted.exists() and not wanted.is_file():
        raise InitialDataError("path", "a regular file (not a pipe, device or socket)",
                               initial.path)
    try:
        u, v, t0 = _open_fields(initial, path)
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise InitialDataError("path", "an existing .npy (2 × grid shape) or .npz (u, v) file",
                               f"{initial.path} ({error})") from None
    kinds = {np.asarray(u).dtype.kind, np.asarray(v).dtype.kind}  # views: nothing is read
    if not kinds <= set("fiu"):  # complex (imaginary parts would be dropped), strings, records
        raise InitialDataError("path", "real fields (float or integer values)",
                               f"{initial.path} ({u.dtype} and {v.dtype})")
    if not math.isfinite(t0):
        raise InitialDataError("path", "a restart file whose time t is finite",
                               f"{initial.path} (t = {t0})")
    if np.shape(u) != grid.shape or np.shape(v) != grid.shape:
        raise InitialDataError("path", f"fields of shape {grid.shape}",
                               f"{np.shape(u)} and {np.shape(v)}")
    bad = _count_non_finite(u) + _count_non_finite(v)
    if bad:
        raise InitialDataError("path", "fields with finite values only",
                               f"{initial.path} ({bad} NaN or infinite values)")

    def fields(block: Block) -> Fields:
        where = tuple(slice(a, b) for a, b in block)
        return np.array(u[where], dtype=float), np.array(v[where], dtype=float)

    return InitialData(fields, t0)


def initial_data(initial: InitialSection, grid: Grid, steady: tuple[float, float] | None,
                 folder: Path, distributed: bool = False) -> InitialData:
    """The initial fields of a case as a function of a block, and the start time.

    Parameters
    ----------
    initial
        The case's ``[initial]`` section.
    grid
        The case's grid (the fields' shape).
    steady
        The model's homogeneous steady state, the default mean of the noise and the
        background of the ``spot`` data (None if it could not be found).
    folder
        Where relative paths are looked up when they do not exist from the working folder
        (the case file's folder).
    distributed
        For a run split over ranks: white noise from global indices (see
        :func:`noise_fields`). Files are checked here (shape, finite values) and read
        block by block later.

    Raises
    ------
    InitialDataError
        For unusable files, or when a steady state is needed but unknown.
    """
    if initial.type not in ("noise", "spot"):
        return _file_data(initial, grid, folder)
    means = []
    for species, mean, index in (("u", initial.mean_u, 0), ("v", initial.mean_v, 1)):
        if mean is None:
            if steady is None:
                raise InitialDataError(f"mean_{species}", "a value: the model's "
                                       "homogeneous steady state (the default) was not "
                                       "found; or set model.steady_guess")
            mean = steady[index]
        means.append(mean)
    if initial.noise == "band-limited":
        _check_band(initial, grid)

    def fields(block: Block) -> Fields:
        full = block == whole(grid) and not distributed
        u, v = noise_fields(initial, grid, None if full else block, distributed)
        if initial.type == "noise":
            return u + means[0], v + means[1]
        points = None if full else block_points(grid, block)
        u += spot_field(grid, means[0], initial.spot_u, initial.spot_size, points)
        v += spot_field(grid, means[1], initial.spot_v, initial.spot_size, points)
        return u, v

    return InitialData(fields, 0.0)


def load_initial(initial: InitialSection, grid: Grid, steady: tuple[float, float] | None,
                 folder: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """Initial (u, v, t0) of a single-process case on the whole grid (see
    :func:`initial_data`).

    Raises
    ------
    InitialDataError
        For unusable files, or when a steady state is needed but unknown.
    """
    data = initial_data(initial, grid, steady, folder)
    u, v = data.fields(whole(grid))
    return u, v, data.t0
