"""Random initial perturbations: white noise per grid point, or band-limited noise that is
the same physical field at every resolution.

Both can be evaluated on any block of the grid, so that every rank of a distributed run
computes its own part of the same field: band-limited noise at the block's coordinates
(:func:`band_limited_noise` with ``points``), white noise from (seed, global index) alone
(:func:`white_noise_from_global_index`; the single-process path keeps its generator-drawn
:func:`white_noise`).

White noise of standard deviation σ per point spreads its variance over all N grid modes,
so each mode gets σ²/N: refining a 100² grid to 1024² puts about 100 times less energy
into the unstable band, and a Turing instability then starts from almost nothing (issue
11 D). Band-limited noise is instead a fixed random trigonometric polynomial,

    periodic:  η(x) = Re Σ_{0 < |k_m| ≤ k_max} c_m exp(i k_m · (x − x0)),  k_m = 2π m / L,
    no-flux:   η(x) = Σ_{0 < |k_m| ≤ k_max} a_m Π_a cos(k_{m,a} (x_a − x0_a)),  k_m = π m / L,

with Gaussian coefficients drawn from the seed in a fixed order over a lattice of modes
that depends only on the box and ``k_max``, never on the grid. Every grid samples the
same function; modes above a grid's Nyquist wavenumber are left out (a coarse grid
cannot carry them, and leaving them out keeps them from aliasing onto low modes), so
the spectrum below the cutoff is identical on all grids fine enough to carry it. The
coefficients are scaled so that the variance averaged over the box is σ² (exactly, in
expectation, on a grid that carries all modes), and the mean k = 0 mode is excluded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pdekit.fd.grid import Grid, NeumannGrid

DEFAULT_WAVES = 32
"""Default cutoff of band-limited noise: 32 waves across the longest side of the box."""

MAX_MODES = 1 << 22
"""Largest lattice of modes drawn for band-limited noise (64 MiB of coefficients)."""


def default_k_max(lengths: tuple[float, ...]) -> float:
    """2π · 32 / max(length): the default cutoff of band-limited noise."""
    return 2.0 * math.pi * DEFAULT_WAVES / max(lengths)


def white_noise(rng: np.random.Generator, grid: Grid, std: float) -> np.ndarray:
    """Independent N(0, std²) values per grid point."""
    return rng.normal(0.0, std, grid.shape)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (Steele, Lea & Flood 2014) on uint64 arrays, wrapping."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def noise_from_global_index(seed: int, shape: Sequence[int],
                            index_arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Standard normal variates, one per grid point, fixed by ``(seed, global linear index)`` alone.

    The linear index is the C-order index ``k`` of the point in an array of ``shape``.  Two
    uniforms are the SplitMix64 outputs number ``2k+1`` and ``2k+2`` of a stream whose state
    starts at ``mix64(seed)``; Box–Muller turns them into one normal.  Any rank, any
    decomposition and any subset of points get the same value at the same point, so 1, 2
    or 4 ranks start from the same field.  Vectorized (no per-point generator objects).
    """
    k = np.ravel_multi_index(tuple(np.asarray(a, dtype=np.int64) for a in index_arrays),
                             tuple(int(n) for n in shape)).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = _mix64(np.array([np.uint64(seed % 2**64)], dtype=np.uint64))[0]
        state = key + (np.uint64(2) * k + np.uint64(1)) * _GOLDEN
        bits1, bits2 = _mix64(state), _mix64(state + _GOLDEN)
    u1 = ((bits1 >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53  # in (0, 1)
    u2 = (bits2 >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def white_noise_from_global_index(seed: int, species: int, shape: Sequence[int],
                                  index_arrays: Sequence[np.ndarray], std: float) -> np.ndarray:
    """White noise of species 0 (u) or 1 (v) at the given points: N(0, std²) values fixed by
    (seed, species, global index) alone, the same on any number of ranks (the points are
    numbered in an array of shape ``(2, *shape)``)."""
    species_index = np.full(np.shape(index_arrays[0]), species, dtype=np.int64)
    return std * noise_from_global_index(seed, (2, *shape), (species_index, *index_arrays))


def mode_lattice(grid: Grid, k_max: float) -> list[np.ndarray]:
    """Integer mode numbers per axis of the box's modes up to ``k_max`` (grid-independent):
    −M … M (periodic, M = ⌊k_max L / 2π⌋) or 0 … M (no-flux, M = ⌊k_max L / π⌋).

    Raises
    ------
    ValueError
        When the lattice would hold more than :data:`MAX_MODES` modes.
    """
    if isinstance(grid, NeumannGrid):
        lattice = [np.arange(int(k_max * length / math.pi) + 1) for length in grid.lengths]
    else:
        lattice = [np.arange(-(m := int(k_max * length / (2 * math.pi))), m + 1)
                   for length in grid.lengths]
    count = math.prod(len(m) for m in lattice)
    if count > MAX_MODES:
        raise ValueError(f"at most {MAX_MODES} random modes ({count} for k_max = "
                         f"{k_max:g} on this box)")
    return lattice


def band_limited_noise(rng: np.random.Generator, grid: Grid, std: float, k_max: float,
                       points: list[np.ndarray] | None = None) -> np.ndarray:
    """A band-limited random field of box-averaged variance ``std²``, sampled on ``grid``.

    Parameters
    ----------
    rng
        Random generator; the coefficients are drawn from it in a fixed order over the
        mode lattice of :func:`mode_lattice`, so equal seeds give equal fields on every
        grid of the same box.
    grid
        The grid (its box, its boundary and the Nyquist limit per axis).
    std
        Standard deviation of the field (averaged over the box).
    k_max
        Largest |k| of the modes.
    points
        Coordinates per axis to sample at (default: all grid points); a part of the grid
        (e.g. one process's block) gets the values of the whole field there.
    """
    lattice = mode_lattice(grid, k_max)
    neumann = isinstance(grid, NeumannGrid)
    spacing = [(math.pi if neumann else 2 * math.pi) / length for length in grid.lengths]
    mesh = np.meshgrid(*[m * dk for m, dk in zip(lattice, spacing)], indexing="ij")
    inside = sum(k**2 for k in mesh) <= k_max**2
    inside[tuple(np.searchsorted(m, 0) for m in lattice)] = False  # no mean mode
    if neumann:
        coefficients = rng.standard_normal(inside.shape) * inside
        # box average of Π_a cos²(k_a x_a): ½ per axis with m_a ≠ 0
        halves = np.prod([np.where(m != 0, 0.5, 1.0) for m in
                          np.meshgrid(*lattice, indexing="ij")], axis=0)
        weight = float(halves[inside].sum())
        coefficients *= std / math.sqrt(weight) if weight else 0.0
    else:
        coefficients = (rng.standard_normal(inside.shape)
                        + 1j * rng.standard_normal(inside.shape)) * inside
        # each mode adds Var Re(c e^{iθ}) = E|c|²/2 = 1 before scaling
        count = int(inside.sum())
        coefficients *= std / math.sqrt(count) if count else 0.0
    points = grid.axes_coordinates() if points is None else points
    field = coefficients
    for axis, modes in enumerate(lattice):
        # modes a grid cannot carry: periodic |m| < n/2, cosine m < n
        keep = modes < grid.shape[axis] if neumann else 2 * np.abs(modes) < grid.shape[axis]
        phase = np.outer(points[axis] - grid.origin[axis], modes[keep] * spacing[axis])
        basis = np.cos(phase) if neumann else np.exp(1j * phase)
        # contract the leading mode axis; the point axis is appended at the end
        field = np.tensordot(np.compress(keep, field, axis=0), basis, axes=([0], [1]))
    return np.ascontiguousarray(field.real)
