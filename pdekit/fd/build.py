"""Turn the numbers of a reaction–diffusion case into a problem the integrators can run.

Plain functions on models and grids (no TOML, no case objects): the ``turing`` kind
(:mod:`pdekit.fd.run`) and the benchmarks both use them.
"""

from __future__ import annotations

import numpy as np

from pdekit.fd.grid import Grid, NeumannGrid
from pdekit.fd.laplacian import laplacian, laplacian_eigenvalues
from pdekit.fd.models import ReactionModel
from pdekit.memory import empty_aligned
from pdekit.time import (BlockDiagonalLinear, CosineDiagonalLinear, FourierDiagonalLinear,
                         LinearPart, SemilinearProblem, SparseLinear, ZeroLinear)
from pdekit.time.problem import no_nonlinearity


def diffusion_operator(grid: Grid, coefficients: tuple[float, float],
                       diffusion: str = "transform", threads: int = 1,
                       dtype: np.dtype | type = np.float64) -> LinearPart:
    """L = diag(D_u, D_v) ⊗ Δ_h on the stacked state [u.ravel(), v.ravel()].

    Parameters
    ----------
    grid
        Periodic or Neumann grid.
    coefficients
        (D_u, D_v).
    diffusion
        ``"fft"``: diagonal in a fast transform (FFT on periodic grids, DCT-II on Neumann
        grids; exact exponentials, needed by ETDRK4); ``"sparse"``: CSR matrices with
        cached SuperLU factorizations, one per species.
    threads
        Threads per fast transform.
    dtype
        Floating point of the fast transforms' eigenvalues (float32 for single-precision
        runs; the sparse path is float64).
    """
    d_u, d_v = coefficients
    if diffusion == "transform":
        symbol = laplacian_eigenvalues(grid)
        cls = CosineDiagonalLinear if isinstance(grid, NeumannGrid) else FourierDiagonalLinear
        return cls([d_u * symbol, d_v * symbol], grid.shape, threads=threads, dtype=dtype)
    if diffusion == "sparse":
        matrix = laplacian(grid)
        return BlockDiagonalLinear([SparseLinear(d_u * matrix), SparseLinear(d_v * matrix)])
    raise ValueError(f"unknown diffusion {diffusion!r}; available: transform, sparse")


def reaction_rhs(model: ReactionModel, size: int):
    """N(w) for the stacked state w = [u.ravel(), v.ravel()] of ``size`` points each."""
    def reaction(w: np.ndarray) -> np.ndarray:
        # aligned: the fast transforms read it without a copy (pdekit.time.fftw)
        out = empty_aligned(w.shape, w.dtype if w.dtype.kind == "f" else float)
        model.reaction_into(w[:size], w[size:], out[:size], out[size:])
        return out

    return reaction


def build_problem(model: ReactionModel, grid: Grid, terms: str = "full",
                  diffusion: str = "transform", threads: int = 1,
                  dtype: np.dtype | type = np.float64) -> SemilinearProblem:
    """du/dt = L w + N(w) for the stacked state w = [u.ravel(), v.ravel()].

    ``terms`` is ``"full"``, ``"reaction"`` (L = 0) or ``"diffusion"`` (N = 0);
    ``diffusion`` picks the representation of the same (2d+1)-point Laplacian (see
    :func:`diffusion_operator`); ``threads`` and ``dtype`` are passed to the fast
    transforms (the state must have that ``dtype`` too).
    """
    size = grid.size
    linear: LinearPart = (ZeroLinear() if terms == "reaction"
                          else diffusion_operator(grid, model.diffusion, diffusion, threads,
                                                  dtype))
    if terms == "diffusion":
        return SemilinearProblem(linear, no_nonlinearity)
    return SemilinearProblem(linear, reaction_rhs(model, size))
