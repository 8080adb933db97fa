"""Uniform grids on a box in 1, 2 or 3 dimensions: periodic, or cell-centred with no-flux
(Neumann) walls.

Fields live on arrays of shape :attr:`UniformGrid.shape`, indexed ``[i]``, ``[i, j]`` or
``[i, j, k]`` with i along x, j along y, k along z; the state vectors of the integrators
are these arrays flattened in C order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


def _per_axis(value: float | Sequence[float], dim: int, what: str) -> tuple[float, ...]:
    values = tuple(value) if isinstance(value, (list, tuple, np.ndarray)) else (value,) * dim
    if len(values) != dim:
        raise ValueError(f"{what}: expected {dim} values (one per axis), got {len(values)}")
    return values


@dataclass(frozen=True, init=False)
class UniformGrid:
    """``shape[a]`` points along axis a of a box of sides ``lengths``, starting at
    ``origin`` (the lower corner), spacing ``lengths[a] / shape[a]``.

    Parameters
    ----------
    n
        Points per axis: one integer (the same on every axis, in ``dim`` dimensions) or one
        per axis (the dimension is then their number).
    length
        Side of the box: one number, or one per axis.
    x0
        Lower corner: one number, or one per axis (default: ``-length / 2``, a box centred
        at 0).
    dim
        Dimension when ``n`` is one integer (default 2).
    """

    shape: tuple[int, ...]
    lengths: tuple[float, ...]
    origin: tuple[float, ...]

    def __init__(self, n: int | Sequence[int], length: float | Sequence[float] = 2.0,
                 x0: float | Sequence[float] | None = None, dim: int | None = None):
        if isinstance(n, (list, tuple, np.ndarray)):
            shape = tuple(int(count) for count in n)
        else:
            shape = (int(n),) * (2 if dim is None else dim)
        if dim is not None and dim != len(shape):
            raise ValueError(f"dim = {dim} but {len(shape)} point counts")
        if not 1 <= len(shape) <= 3:
            raise ValueError(f"grids have 1, 2 or 3 axes, not {len(shape)}")
        lengths = tuple(float(x) for x in _per_axis(length, len(shape), "length"))
        origin = (tuple(-x / 2 for x in lengths) if x0 is None
                  else tuple(float(x) for x in _per_axis(x0, len(shape), "x0")))
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "lengths", lengths)
        object.__setattr__(self, "origin", origin)

    boundary = "periodic"
    """``"periodic"`` or ``"neumann"`` (set by the subclasses)."""

    @property
    def dim(self) -> int:
        """Number of axes (1, 2 or 3)."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of points."""
        return math.prod(self.shape)  # Python ints: no int64 overflow for absurd sizes

    @property
    def spacings(self) -> tuple[float, ...]:
        """Grid step per axis, h_a = length_a / n_a."""
        return tuple(length / count for length, count in zip(self.lengths, self.shape))

    def coordinates(self, axis: int = 0) -> np.ndarray:
        """The point coordinates along ``axis``."""
        raise NotImplementedError

    def axes_coordinates(self) -> list[np.ndarray]:
        """The point coordinates along every axis."""
        return [self.coordinates(axis) for axis in range(self.dim)]

    def wavenumbers(self, axis: int = 0) -> np.ndarray:
        """Angular wavenumbers along ``axis`` of the modes that diagonalize the Laplacian."""
        raise NotImplementedError

    def nyquist(self) -> float:
        """The largest angular wavenumber along the finest axis, π / min(h)."""
        return float(np.pi / min(self.spacings))


@dataclass(frozen=True, init=False)
class PeriodicGrid(UniformGrid):
    """Points on the periodic box Π [x0_a, x0_a + length_a).

    Point i along axis a sits at x0_a + i h_a.
    """

    boundary = "periodic"

    def coordinates(self, axis: int = 0) -> np.ndarray:
        return self.origin[axis] + self.spacings[axis] * np.arange(self.shape[axis])

    def wavenumbers(self, axis: int = 0) -> np.ndarray:
        """k = 2π m / length of the FFT modes along ``axis``, in FFT order."""
        return 2.0 * np.pi * np.fft.fftfreq(self.shape[axis], d=self.spacings[axis])


@dataclass(frozen=True, init=False)
class NeumannGrid(UniformGrid):
    """Cell-centred points in the closed box Π [x0_a, x0_a + length_a] with no-flux walls.

    Point i along axis a sits at the cell centre x0_a + (i + ½) h_a; the walls lie half a
    cell outside the outermost points, where the reflecting ghost values u[-1] = u[0],
    u[n] = u[n-1] make the centred flux vanish.
    """

    boundary = "neumann"

    def coordinates(self, axis: int = 0) -> np.ndarray:
        return self.origin[axis] + self.spacings[axis] * (np.arange(self.shape[axis]) + 0.5)

    def wavenumbers(self, axis: int = 0) -> np.ndarray:
        """k = π m / length of the cosine modes m = 0 … n-1 along ``axis``."""
        return np.pi * np.arange(self.shape[axis]) / self.lengths[axis]


Grid = PeriodicGrid | NeumannGrid
"""Either kind of grid."""


def make_grid(boundary: str, n: int | Sequence[int], length: float | Sequence[float],
              dim: int | None = None) -> Grid:
    """The grid of ``n`` points per axis on a box of sides ``length`` centred at 0."""
    if boundary == "periodic":
        return PeriodicGrid(n, length, dim=dim)
    if boundary == "neumann":
        return NeumannGrid(n, length, dim=dim)
    raise ValueError(f"unknown boundary {boundary!r}; available: periodic, neumann")
