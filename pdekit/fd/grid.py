"""Uniform periodic grids on a square."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PeriodicGrid:
    """n × n points on the periodic square [x0, x0 + length)².

    Point (i, j) sits at (x0 + i h, x0 + j h) with h = length / n; arrays are indexed
    ``[i, j]`` with i along x.
    """

    n: int
    length: float = 2.0
    x0: float = -1.0

    @property
    def h(self) -> float:
        return self.length / self.n

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n, self.n)

    def coordinates(self) -> np.ndarray:
        """The 1D point coordinates along each axis."""
        return self.x0 + self.h * np.arange(self.n)

    def wavenumbers(self) -> np.ndarray:
        """Angular wavenumbers k = 2π m / length of the FFT modes, in FFT order."""
        return 2.0 * np.pi * np.fft.fftfreq(self.n, d=self.h)
