"""Collocation points in an interval or a rectangle (NumPy only).

Samplers: ``"uniform"`` (independent uniform random points, as in the seed), ``"sobol"``
and ``"halton"`` (scrambled low-discrepancy sequences from :mod:`scipy.stats.qmc`; Sobol'
1967, Halton 1960, Owen scrambling) and ``"grid"`` (a tensor grid of cell midpoints).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

SAMPLERS = ("uniform", "sobol", "halton", "grid")

Bounds = Sequence[tuple[float, float]]


def unit_samples(n: int, dim: int, sampler: str, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in ``[0, 1)^dim`` (``[0, 1]`` for ``"grid"``: cell midpoints).

    For ``"grid"`` in 2D, ``n`` is rounded to the nearest square ``m^2``.
    """
    if sampler == "uniform":
        return rng.random((n, dim))
    if sampler in ("sobol", "halton"):
        from scipy.stats import qmc

        seed = int(rng.integers(2**31))
        engine = (qmc.Sobol(dim, scramble=True, seed=seed) if sampler == "sobol"
                  else qmc.Halton(dim, scramble=True, seed=seed))
        if sampler == "sobol":
            # Sobol' points are balanced in blocks of 2^m: draw the next power of two, keep n.
            return engine.random_base2(max(0, math.ceil(math.log2(max(n, 1)))))[:n]
        return engine.random(n)
    if sampler == "grid":
        m = max(1, round(n ** (1.0 / dim)))
        axis = (np.arange(m) + 0.5) / m
        mesh = np.meshgrid(*([axis] * dim), indexing="ij")
        return np.stack([c.ravel() for c in mesh], axis=1)
    raise ValueError(f"unknown sampler {sampler!r}; available: {', '.join(SAMPLERS)}")


def interior_points(bounds: Bounds, n: int, sampler: str, seed: int) -> np.ndarray:
    """``n`` collocation points inside the box ``bounds`` (shape ``[n, dim]``)."""
    rng = np.random.default_rng(seed)
    low = np.array([b[0] for b in bounds], float)
    high = np.array([b[1] for b in bounds], float)
    return low + (high - low) * unit_samples(n, len(bounds), sampler, rng)


def boundary_points(bounds: Bounds, per_side: int, sampler: str, seed: int) -> np.ndarray:
    """Points on the boundary of the box.

    In 1D the boundary is the two end points (``per_side`` is ignored). In 2D each of the
    four sides gets ``per_side`` points, drawn with ``sampler`` along the side (``"grid"``:
    evenly spaced including the corners).
    """
    if len(bounds) == 1:
        return np.array([[bounds[0][0]], [bounds[0][1]]], float)
    rng = np.random.default_rng(seed + 1_000_003)
    (x0, x1), (y0, y1) = bounds
    sides = []
    for fixed_axis, value in ((1, y0), (0, x1), (1, y1), (0, x0)):
        lo, hi = (x0, x1) if fixed_axis == 1 else (y0, y1)
        if sampler == "grid":
            t = np.linspace(0.0, 1.0, per_side)
        else:
            t = unit_samples(per_side, 1, sampler, rng)[:, 0]
        s = lo + (hi - lo) * t
        side = np.empty((per_side, 2))
        side[:, fixed_axis] = value
        side[:, 1 - fixed_axis] = s
        sides.append(side)
    return np.concatenate(sides, axis=0)


def evaluation_grid(bounds: Bounds, n: int) -> tuple[list[np.ndarray], np.ndarray]:
    """A uniform grid with ``n`` points per axis, boundary included.

    Returns
    -------
    axes, points
        The 1D coordinate arrays and all points, shape ``[n**dim, dim]`` in ``ij`` order
        (the first axis varies slowest), so ``values.reshape([n] * dim)`` is indexed
        ``[i, j]`` with ``i`` along x.
    """
    axes = [np.linspace(lo, hi, n) for lo, hi in bounds]
    mesh = np.meshgrid(*axes, indexing="ij")
    return axes, np.stack([c.ravel() for c in mesh], axis=1)
