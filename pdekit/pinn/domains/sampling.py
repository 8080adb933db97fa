"""Unit-cube samples and rejection sampling for collocation points (NumPy only).

Samplers (as in :mod:`pdekit.pinn.points`): ``"uniform"`` (independent uniform points),
``"sobol"`` and ``"halton"`` (scrambled low-discrepancy sequences from
:mod:`scipy.stats.qmc`; Sobol' 1967, Halton 1960, Owen scrambling) and ``"grid"`` (cell
midpoints of a tensor grid).
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sequence

import numpy as np

SAMPLERS = ("uniform", "sobol", "halton", "grid")

Bounds = Sequence[tuple[float, float]]


def check_sampler(sampler: str) -> None:
    """Raise ``ValueError`` unless ``sampler`` is one of :data:`SAMPLERS`."""
    if sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampler!r}; expected one of {', '.join(SAMPLERS)}")


def check_count(n: int) -> int:
    """``n`` as an int, or ``ValueError`` if it is not a positive integer."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected a positive number of points, got {n!r}")
    return int(n)


def grid_midpoints(m: int, dim: int) -> np.ndarray:
    """The ``m^dim`` cell midpoints of a tensor grid on ``[0, 1]^dim`` (``ij`` order)."""
    axis = (np.arange(m) + 0.5) / m
    mesh = np.meshgrid(*([axis] * dim), indexing="ij")
    return np.stack([c.ravel() for c in mesh], axis=1)


def unit_stream(dim: int, sampler: str, seed: int) -> Iterator[np.ndarray]:
    """Successive batches of one deterministic sequence in ``[0, 1)^dim``.

    Sobol' batches double in size (so every prefix drawn is a power of two, where the
    sequence is balanced); the concatenated batches are the same sequence whatever the
    number of batches taken, so "the first ``n`` accepted points" depends only on the seed.
    """
    check_sampler(sampler)
    rng = np.random.default_rng(seed)
    if sampler == "uniform":
        while True:
            yield rng.random((1024, dim))
    from scipy.stats import qmc

    qseed = int(rng.integers(2**31))
    if sampler == "sobol":
        engine = qmc.Sobol(dim, scramble=True, seed=qseed)
        yield engine.random_base2(10)
        drawn = 1024
        while True:
            yield engine.random(drawn)
            drawn *= 2
    elif sampler == "halton":
        engine = qmc.Halton(dim, scramble=True, seed=qseed)
        while True:
            yield engine.random(1024)
    raise ValueError("the grid sampler has no stream")


def unit_samples(n: int, dim: int, sampler: str, seed: int) -> np.ndarray:
    """``n`` points of :func:`unit_stream` (``"grid"``: ``n`` midpoints along each axis
    when ``dim == 1``; ``round(n^(1/dim))^dim`` points otherwise)."""
    n = check_count(n)
    check_sampler(sampler)
    if sampler == "grid":
        return grid_midpoints(max(1, round(n ** (1.0 / dim))), dim)
    if sampler == "sobol":
        from scipy.stats import qmc

        qseed = int(np.random.default_rng(seed).integers(2**31))
        engine = qmc.Sobol(dim, scramble=True, seed=qseed)
        return engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]
    return next(_take(unit_stream(dim, sampler, seed), n))


def _take(stream: Iterator[np.ndarray], n: int) -> Iterator[np.ndarray]:
    batches, have = [], 0
    for batch in stream:
        batches.append(batch)
        have += len(batch)
        if have >= n:
            yield np.concatenate(batches)[:n]
            return


def rejection_sample(accept: Callable[[np.ndarray], np.ndarray], bounds: Bounds, n: int,
                     sampler: str, seed: int, fraction: float = 1.0) -> np.ndarray:
    """The first ``n`` points of a sequence in the box ``bounds`` for which ``accept`` holds.

    Points are drawn batch after batch until ``n`` are accepted, so the count is exact and the
    result is deterministic for a seed. With ``"grid"`` the box gets a tensor grid of cell
    midpoints sized so that about ``n`` of them are accepted (``fraction`` is the expected
    acceptance rate, the domain's volume over the box's), and all accepted midpoints are
    returned: the count is then only approximately ``n``.
    """
    n = check_count(n)
    check_sampler(sampler)
    low = np.array([b[0] for b in bounds], float)
    high = np.array([b[1] for b in bounds], float)
    dim = len(bounds)
    if sampler == "grid":
        m = max(1, round((n / fraction) ** (1.0 / dim)))
        pts = low + (high - low) * grid_midpoints(m, dim)
        return pts[accept(pts)]
    kept, have = [], 0
    for batch in unit_stream(dim, sampler, seed):
        pts = low + (high - low) * batch
        pts = pts[accept(pts)]
        kept.append(pts)
        have += len(pts)
        if have >= n:
            return np.concatenate(kept)[:n]
        if len(kept) > 60 and have == 0:
            raise ValueError("no sample point falls in the domain (is its volume zero?)")
    raise AssertionError("unreachable")
