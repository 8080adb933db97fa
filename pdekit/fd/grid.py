"""Uniform grids on a square: periodic, or cell-centred with no-flux (Neumann) walls."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _SquareGrid:
    """n × n points with spacing h = length / n on a square starting at x0."""

    n: int
    length: float = 2.0
    x0: float = -1.0

    @property
    def h(self) -> float:
        return self.length / self.n

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n)


@dataclass(frozen=True)
class PeriodicGrid(_SquareGrid):
    """n × n points on the periodic square [x0, x0 + length)².

    Point (i, j) sits at (x0 + i h, x0 + j h) with h = length / n; arrays are indexed
    ``[i, j]`` with i along x.
    """

    def coordinates(self) -> np.ndarray:
        """The 1D point coordinates along each axis."""
        return self.x0 + self.h * np.arange(self.n)

    def wavenumbers(self) -> np.ndarray:
        """Angular wavenumbers k = 2π m / length of the FFT modes, in FFT order."""
        return 2.0 * np.pi * np.fft.fftfreq(self.n, d=self.h)


@dataclass(frozen=True)
class NeumannGrid(_SquareGrid):
    """n × n cell-centred points on the closed square [x0, x0 + length]² with no-flux walls.

    Point (i, j) sits at the cell centre (x0 + (i + ½) h, x0 + (j + ½) h), h = length / n;
    the walls lie half a cell outside the outermost points, where the reflecting ghost
    values u[-1] = u[0], u[n] = u[n-1] make the centred flux vanish.
    """

    def coordinates(self) -> np.ndarray:
        """The 1D point coordinates (cell centres) along each axis."""
        return self.x0 + self.h * (np.arange(self.n) + 0.5)

    def wavenumbers(self) -> np.ndarray:
        """Angular wavenumbers k = π m / length of the cosine modes m = 0 … n-1."""
        return np.pi * np.arange(self.n) / self.length


Grid = PeriodicGrid | NeumannGrid
"""Either kind of square grid."""


def make_grid(boundary: str, n: int, length: float) -> Grid:
    """The grid of ``n`` points per side on a square of side ``length`` centred at 0."""
    if boundary == "periodic":
        return PeriodicGrid(n, length, -length / 2)
    if boundary == "neumann":
        return NeumannGrid(n, length, -length / 2)
    raise ValueError(f"unknown boundary {boundary!r}; available: periodic, neumann")
