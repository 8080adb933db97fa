"""How a 2D or 3D grid is split over MPI ranks for distributed FFTs: slab or pencil.

A *slab* decomposition splits one axis over all P ranks (one global transpose per
multidimensional transform); a *pencil* decomposition splits two axes of a 3D grid over
P₁ × P₂ ranks (two transposes, but up to n² ranks instead of n). The layouts are those of
mpi4py-fft (:mod:`pdekit.time.distributed`), which transforms the last axis first. No MPI
import: ``prepare`` refuses a grid too small for the ranks before anything starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Decomposition", "DecompositionError", "choose_decomposition"]


class DecompositionError(ValueError):
    """The grid cannot be split over the ranks as asked (the message says why)."""


@dataclass(frozen=True)
class Decomposition:
    """How a grid is split over ranks.

    Attributes
    ----------
    kind
        ``"slab"`` (the first axis split over all ranks) or ``"pencil"`` (the first two
        axes of a 3D grid split over a P₁ × P₂ process grid).
    process_grid
        Ranks per split axis: ``(P,)`` for a slab, ``(P₁, P₂)`` for a pencil.
    """

    kind: str
    process_grid: tuple[int, ...]


def _split_two(ranks: int) -> tuple[int, int]:
    """P = P₁ · P₂ with P₁ ≥ P₂ as close as possible (as MPI_Dims_create balances)."""
    second = max(d for d in range(1, math.isqrt(ranks) + 1) if ranks % d == 0)
    return ranks // second, second


def _spectral_lengths(shape: tuple[int, ...], cosine: bool) -> tuple[int, ...]:
    """Points per axis of the spectrum: the real FFT keeps n//2 + 1 of the last axis."""
    return shape if cosine else (*shape[:-1], shape[-1] // 2 + 1)


def _fits(shape: tuple[int, ...], cosine: bool, grid: tuple[int, ...]) -> str | None:
    """Why this process grid leaves some rank without points (None if it does not).

    mpi4py-fft transforms the last axis first and transposes towards the first: with a
    slab (P,) the physical layout splits axis 0 and the spectral one axis 1; with a
    pencil (P₁, P₂) the layouts split axes (0, 1), then (0, 2), then (1, 2).
    """
    spectral = _spectral_lengths(shape, cosine)
    if len(grid) == 1:
        needs = [(0, shape[0], grid[0]), (1, spectral[1], grid[0])]
    else:
        needs = [(0, shape[0], grid[0]), (1, shape[1], grid[1]), (1, shape[1], grid[0]),
                 (2, spectral[2], grid[1])]
    for axis, points, ranks in needs:
        if points < ranks:
            return (f"axis {axis} has {points} {'modes' if points != shape[axis] else 'points'}"
                    f" for {ranks} ranks")
    return None


def choose_decomposition(shape: tuple[int, ...], ranks: int, cosine: bool,
                         kind: str = "auto") -> Decomposition:
    """The slab or pencil decomposition of a 2D or 3D grid over ``ranks`` ranks.

    ``"auto"`` takes a slab where every rank gets points (one transpose per transform),
    else a balanced pencil (3D). ``"slab"`` and ``"pencil"`` insist.

    Raises
    ------
    DecompositionError
        For a 1D grid, a pencil in 2D, or a grid too small for the ranks.
    """
    if len(shape) < 2:
        raise DecompositionError("a 1D grid is not split over ranks (run it on one process)")
    if kind == "pencil" and len(shape) < 3:
        raise DecompositionError("a pencil decomposition needs a 3D grid")
    slab = (ranks,)
    pencil = _split_two(ranks) if len(shape) == 3 else None
    candidates = {"slab": [slab], "pencil": [pencil], "auto": [slab, pencil]}[kind]
    reasons = []
    for grid in candidates:
        if grid is None:
            continue
        reason = _fits(shape, cosine, grid)
        if reason is None:
            return Decomposition("slab" if len(grid) == 1 else "pencil", grid)
        reasons.append(f"{'slab' if len(grid) == 1 else 'pencil'} "
                       f"{'x'.join(map(str, grid))}: {reason}")
    raise DecompositionError(f"the {'x'.join(map(str, shape))} grid is too small to split "
                             f"over {ranks} ranks ({'; '.join(reasons)})")
