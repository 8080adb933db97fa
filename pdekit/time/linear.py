"""Linear parts L of du/dt = L u + N(u): products and cached shifted solves.

Integrators need three things from L: the product L u, solves with (I - c L) for a few
fixed c (implicit sub-steps; the factorization is computed once per c, not per step),
and a bound on the spectral radius for explicit stability limits.
"""

from __future__ import annotations

from typing import Callable, Protocol

import ducc0
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

Solve = Callable[[np.ndarray], np.ndarray]


class LinearPart(Protocol):
    """What the integrators need of the linear operator L."""

    def matvec(self, u: np.ndarray) -> np.ndarray:
        """L u."""

    def resolvent(self, c: float) -> Solve:
        """A function u -> (I - c L)^{-1} u, factorized once for this ``c``."""

    def spectral_radius(self) -> float:
        """An upper bound on |λ| over the eigenvalues λ of L."""


class SparseLinear:
    """L as a scipy.sparse matrix; shifted systems factorized by SuperLU and cached.

    Parameters
    ----------
    matrix
        Square sparse matrix.
    """

    def __init__(self, matrix: sp.spmatrix):
        self.matrix = sp.csr_matrix(matrix)
        self._solvers: dict[float, Solve] = {}

    def matvec(self, u: np.ndarray) -> np.ndarray:
        return self.matrix @ u

    def resolvent(self, c: float) -> Solve:
        if c not in self._solvers:
            identity = sp.identity(self.matrix.shape[0], format="csc")
            # Minimum degree on A + Aᵀ suits the symmetric stencils of diffusion: about
            # half the fill of the default COLAMD ordering (2.5x faster solves at 100²).
            self._solvers[c] = splu(sp.csc_matrix(identity - c * self.matrix),
                                    permc_spec="MMD_AT_PLUS_A").solve
        return self._solvers[c]

    def spectral_radius(self) -> float:
        # Gershgorin: max absolute row sum (exact for the periodic (2d+1)-point Laplacian).
        return float(np.max(np.abs(self.matrix).sum(axis=1)))


class ZeroLinear:
    """L = 0 (reaction-only runs).

    It is trivially diagonal (identity transform, eigenvalue 0), so exponential
    integrators accept it too.
    """

    eigenvalues = np.zeros(1)

    def matvec(self, u: np.ndarray) -> np.ndarray:
        return np.zeros_like(u)

    def resolvent(self, c: float) -> Solve:
        return lambda u: u.copy()

    def spectral_radius(self) -> float:
        return 0.0

    def exponential(self, c: float) -> Solve:
        return lambda u: u.copy()

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return u.copy()
        out[...] = u
        return out

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None:
            return coefficients
        out[...] = coefficients
        return out


class TransformDiagonalLinear:
    """L diagonal in a fast orthogonal transform (FFT, DCT): the common machinery.

    The state is a concatenation of ``nblocks`` blocks (e.g. species), each a field of
    shape ``shape`` flattened in C order. Subclasses provide the transform pair; L is the
    multiplication of the transformed blocks by :attr:`eigenvalues`. Products, shifted
    solves, the exact exponential exp(c L) and any other function f(c L) (such as the
    φ-functions of exponential integrators) then cost one forward and one inverse
    transform per block and need no factorization.

    Attributes
    ----------
    eigenvalues
        Real array of shape ``(nblocks, *spectral_shape)``: L in transform space.
    shape
        Grid shape of one block.
    threads
        Threads per transform.
    inverse_keeps_input
        Whether :meth:`inverse` leaves its coefficients as they were (then a caller that
        still needs them can skip a copy).
    """

    inverse_keeps_input = False

    def __init__(self, eigenvalues: np.ndarray, shape: tuple[int, ...], threads: int = 1):
        self.eigenvalues = eigenvalues
        self.shape = tuple(shape)
        self.threads = threads
        self._axes = tuple(range(1, len(self.shape) + 1))

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Flat state -> transform coefficients of shape ``eigenvalues.shape``
        (written into ``out`` if given)."""
        raise NotImplementedError

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Transform coefficients -> flat real state (inverse of :meth:`forward`).

        ``coefficients`` may be overwritten (it is scratch space for the transform);
        the result is written into ``out`` (a flat array) if given.
        """
        raise NotImplementedError

    def apply_multiplier(self, u: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
        """f(L) u for the diagonal ``multiplier`` = f(eigenvalues) (broadcastable)."""
        return self.inverse(self.forward(u) * multiplier)

    def matvec(self, u: np.ndarray) -> np.ndarray:
        return self.apply_multiplier(u, self.eigenvalues)

    def resolvent(self, c: float) -> Solve:
        multiplier = 1.0 / (1.0 - c * self.eigenvalues)
        return lambda u: self.apply_multiplier(u, multiplier)

    def exponential(self, c: float) -> Solve:
        """A function u -> exp(c L) u (exact solution of du/dt = L u over time c)."""
        multiplier = np.exp(c * self.eigenvalues)
        return lambda u: self.apply_multiplier(u, multiplier)

    def spectral_radius(self) -> float:
        return float(np.max(np.abs(self.eigenvalues)))


class FourierDiagonalLinear(TransformDiagonalLinear):
    """L diagonal in the discrete Fourier basis (constant coefficients, periodic grid).

    Block b is multiplied by ``symbols[b]`` in real-FFT space. The transforms are FFTW's
    (:class:`pdekit.time.fftw.RealFFT`, planned by measurement): 1.2–1.3× faster than
    ``ducc0`` on one thread at 64³ and 128³, and 1.6–1.8× on two.

    Parameters
    ----------
    symbols
        Eigenvalues per block, each of shape ``shape`` in full FFT order (as from
        ``numpy.fft.fftfreq``); only the half-spectrum of the real FFT is kept.
    shape
        Grid shape of one block.
    threads
        Threads per transform.
    dtype
        Real floating type of the eigenvalues (and of the states transformed): float64,
        or float32 for single-precision runs (transforms in that precision).
    """

    def __init__(self, symbols: list[np.ndarray], shape: tuple[int, ...], threads: int = 1,
                 dtype: np.dtype | type = np.float64):
        from pdekit.time.fftw import RealFFT

        half = shape[-1] // 2 + 1
        super().__init__(np.stack([np.asarray(s, dtype=dtype)[..., :half] for s in symbols]),
                         shape, threads)
        self.fft = RealFFT(len(symbols), self.shape, dtype, threads)

    @property
    def symbols(self) -> np.ndarray:
        """The half-spectrum eigenvalues (alias of :attr:`eigenvalues`)."""
        return self.eigenvalues

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self.fft.forward(u, out=out)

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self.fft.inverse(coefficients, out=out).reshape(-1)


class CosineDiagonalLinear(TransformDiagonalLinear):
    """L diagonal in the orthonormal type-II discrete cosine basis.

    The DCT-II vectors cos(π m (i + ½) / n) are the eigenvectors of the second difference
    with reflecting (no-flux) ends on a cell-centred grid (Strang, "The discrete cosine
    transform", SIAM Rev. 41, 1999), so Neumann diffusion gets the same exact, transform
    based sub-steps as periodic diffusion gets from the FFT. The orthonormal DCT-III
    (``ducc0.fft``) is its inverse. (FFTW's REDFT10/01 took 1.3–3.5× longer than ducc0's
    DCTs from 100² to 128³, one or two threads: the periodic grids alone use FFTW.)

    Parameters
    ----------
    symbols
        Eigenvalues per block, each of shape ``shape`` indexed by the DCT mode numbers.
    shape
        Grid shape of one block.
    threads
        Threads per transform.
    dtype
        Real floating type of the eigenvalues, as for :class:`FourierDiagonalLinear`.
    """

    def __init__(self, symbols: list[np.ndarray], shape: tuple[int, ...], threads: int = 1,
                 dtype: np.dtype | type = np.float64):
        super().__init__(np.stack([np.asarray(s, dtype=dtype) for s in symbols]), shape,
                         threads)

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        blocks = u.reshape((len(self.eigenvalues), *self.shape))
        return ducc0.fft.dct(blocks, type=2, axes=self._axes, inorm=1, out=out,
                             nthreads=self.threads)

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        blocks = coefficients if out is None else out.reshape(coefficients.shape)
        return ducc0.fft.dct(coefficients, type=3, axes=self._axes, inorm=1, out=blocks,
                             nthreads=self.threads).reshape(-1)


class BlockDiagonalLinear:
    """L = diag(L_1, …, L_m) on a state of m equal consecutive blocks.

    Keeping the blocks apart lets each shifted system be factorized on its own, which
    for sparse direct solvers is markedly cheaper than one factorization of the whole.
    """

    def __init__(self, parts: list[LinearPart]):
        self.parts = parts

    def _split(self, u: np.ndarray) -> list[np.ndarray]:
        return np.split(u, len(self.parts))

    def matvec(self, u: np.ndarray) -> np.ndarray:
        return np.concatenate([p.matvec(b) for p, b in zip(self.parts, self._split(u))])

    def resolvent(self, c: float) -> Solve:
        solves = [p.resolvent(c) for p in self.parts]
        return lambda u: np.concatenate([s(b) for s, b in zip(solves, self._split(u))])

    def spectral_radius(self) -> float:
        return max(p.spectral_radius() for p in self.parts)
