"""ETDRK4: the fourth-order exponential time-differencing Runge–Kutta method.

For du/dt = L u + N(u) with L diagonal in a fast transform (eigenvalues λ), Cox &
Matthews (J. Comput. Phys. 176, 430–455, 2002, eq. 26–29) integrate the linear part
exactly and the nonlinear part with four stages:

    a   = E₂ u + Q N(u)
    b   = E₂ u + Q N(a)
    c   = E₂ a + Q (2 N(b) − N(u))
    u⁺  = E u + f₁ N(u) + 2 f₂ (N(a) + N(b)) + f₃ N(c)

with z = h λ, E = eᶻ, E₂ = e^{z/2}, Q = h (e^{z/2} − 1)/z and

    f₁ = h (−4 − z + eᶻ (4 − 3z + z²)) / z³
    f₂ = h ( 2 + z + eᶻ (z − 2)) / z³
    f₃ = h (−4 − 3z − z² + eᶻ (4 − z)) / z³.

These formulas cancel catastrophically for small |z|: they are evaluated by contour
integrals (Kassam & Trefethen 2005) in :mod:`pdekit.time.etd_coefficients`.

Embedded error estimate (for adaptive steps, :func:`etdrk4_embedded`): the same stages
give the second-order ETD2RK-type value (Cox & Matthews 2002, eq. 22, with the stage c
as predictor)

    u₂ = E u + h φ₁ N(u) + h φ₂ (N(c) − N(u)),  φ₁ = (eᶻ − 1)/z, φ₂ = (eᶻ − 1 − z)/z²,

and u⁺ − u₂ = O(h³) estimates the local error at no extra evaluation of N (the idea of
embedding a lower-order ETD method in ETDRK4's stages follows Whalen, Brio & Moloney,
J. Comput. Phys. 280, 579–601, 2015).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np

from pdekit.memory import empty_aligned
from pdekit.time.adaptive import Attempt
from pdekit.time.etd_coefficients import DistinctEigenvalues
from pdekit.time.methods import Step, register_method

if TYPE_CHECKING:
    from pdekit.time.problem import SemilinearProblem

__all__ = ["etdrk4", "etdrk4_embedded", "is_diagonal"]

CACHE_BYTES = 128 * 2**20
"""Memory the adaptive stepper may spend on cached coefficient sets."""


class DiagonalLinear(Protocol):
    """A linear part diagonal in some transform (what ETDRK4 needs of L)."""

    eigenvalues: np.ndarray

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Flat state -> transform coefficients (shape broadcastable with eigenvalues),
        into ``out`` if given."""

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Transform coefficients (which may be overwritten) -> flat state, into ``out``
        if given."""


def multiplier_table(distinct: DistinctEigenvalues, dt: float) -> np.ndarray:
    """The multipliers of one step at the distinct eigenvalues: one row per distinct
    eigenvalue, columns E, E₂, Q, 2Q, f₁, 2f₂, f₃, g₁, g₃ (in the order of
    :mod:`pdekit.time.etd_kernels`).

    ``2f₂`` and ``2Q`` fold constant factors in; the error estimate
    u⁺ − u₂ = g₁ N̂(u) + 2f₂ (N̂(a) + N̂(b)) + g₃ N̂(c) needs g₁ = f₁ − hφ₁ + hφ₂ and
    g₃ = f₃ − hφ₂ (E v cancels). Real for real eigenvalues (also when the spectra are
    complex); in the eigenvalues' precision."""
    c = distinct.distinct_coefficients(dt)
    table = np.stack([c.E, c.E2, c.Q, 2.0 * c.Q, c.f1, 2.0 * c.f2, c.f3,
                      c.f1 - c.p1 + c.p2, c.f3 - c.p2], axis=1)
    # computed in double precision, stored in the eigenvalues' (float32 for single runs)
    precision = distinct.values.dtype
    dtype = precision if table.dtype.kind == "f" else np.result_type(precision, np.complex64)
    return np.ascontiguousarray(table, dtype=dtype)


def is_diagonal(linear: object) -> bool:
    """Whether ``linear`` offers what ETDRK4 needs (eigenvalues and a transform pair)."""
    return all(hasattr(linear, name) for name in ("eigenvalues", "forward", "inverse"))


def _require_diagonal(problem: SemilinearProblem) -> DiagonalLinear:
    linear = problem.linear
    if not is_diagonal(linear):
        raise ValueError("etdrk4 needs a linear part diagonal in a fast transform "
                         "(FFT/DCT diffusion); for sparse matrices use ars222, ars443 or strang")
    return linear  # type: ignore[return-value]


class _SpectrumMemo:
    """Remembers the transforms of the last states handed out or taken in.

    A step returns inverse(new); the next step starts with forward() of that very
    array. Keeping the pair (array, spectrum) saves one forward transform per step.
    The arrays handed out are made read-only, so that an in-place change cannot leave
    a stale spectrum behind (a modified copy is a new object and is transformed anew).
    """

    def __init__(self, forward: Callable[[np.ndarray], np.ndarray], size: int = 2):
        self.forward, self.size = forward, size
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def __call__(self, u: np.ndarray) -> np.ndarray:
        for array, spectrum in self.pairs:
            if array is u:
                return spectrum
        spectrum = self.forward(u)
        self.remember(u, spectrum)
        return spectrum

    def remember(self, u: np.ndarray, spectrum: np.ndarray) -> None:
        self.pairs = [(u, spectrum), *self.pairs[: self.size - 1]]


class _Workspace:
    """Arrays one ETDRK4 step reuses: spectra of the stages and of N at them, and one
    physical-space field. A stage value is consumed by its inverse transform, so b
    takes a's buffer (as does the copy of u⁺'s spectrum the final inverse transform
    consumes), and c is formed in place of E₂ a. E₂ v and Q N̂(u) are recomputed where
    needed rather than stored: at 64³ the stage loops are bound by memory traffic, and a
    stored intermediate costs a write and a read of a whole spectrum.

    Fresh arrays of a few hundred kB each step would come from ``mmap`` and cost page
    faults on first touch (a third of a step at 100², see :mod:`pdekit.memory`). All are
    aligned for FFTW's SIMD code (:mod:`pdekit.time.fftw`), which would otherwise work
    on copies.
    """

    NAMES = ("nv", "na", "nb", "nc", "a", "e2a", "error")

    def __init__(self, spectrum: np.ndarray, state: np.ndarray):
        self.flat: dict[str, np.ndarray] = {}
        """The same buffers as flat views, for the compiled stage loops."""
        for name in self.NAMES:
            setattr(self, name, empty_aligned(spectrum.shape, spectrum.dtype))
            self.flat[name] = getattr(self, name).reshape(-1)
        self.field = empty_aligned(state.shape, state.dtype if state.dtype.kind == "f"
                                   else float)
        self.error_field = empty_aligned(self.field.shape, self.field.dtype)


class _ChunkedLoops:
    """Runs a stage loop of :mod:`pdekit.time.etd_kernels` on ``threads`` contiguous
    pieces of its flat arrays at once (the compiled loops release the GIL), so the
    stage arithmetic uses the cores the transforms use. Loops shorter than
    :attr:`MIN_CHUNK` per thread run whole, where handing pieces to threads costs more
    than it saves.
    """

    MIN_CHUNK = 2**15

    def __init__(self, threads: int):
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads - 1) if threads > 1 else None

    def __call__(self, loop: Callable[..., None], table: np.ndarray,
                 *arrays: np.ndarray) -> None:
        size = arrays[0].size
        pieces = min(self.threads, size // self.MIN_CHUNK)
        if self.pool is None or pieces < 2:
            loop(table, *arrays)
            return
        bounds = [size * j // pieces for j in range(pieces + 1)]
        futures = [self.pool.submit(loop, table, *(a[lo:hi] for a in arrays))
                   for lo, hi in zip(bounds[1:-1], bounds[2:])]
        loop(table, *(a[:bounds[1]] for a in arrays))
        for future in futures:
            future.result()


class _ETDRK4Step:
    """ETDRK4 on a transform-diagonal problem: stages in transform space (compiled
    loops, :mod:`pdekit.time.etd_kernels`), N in physical space, and the new state's
    spectrum remembered for the next step.

    Parameters
    ----------
    problem
        The semilinear problem.
    memo_size
        Spectra of recent states to remember.
    cache_size
        Multiplier tables (one per step size) to keep; ``None``: as many as fit in
        :data:`CACHE_BYTES`, 1 to 24.
    """

    def __init__(self, problem: SemilinearProblem, memo_size: int, cache_size: int | None):
        from pdekit.time import etd_kernels  # numba, loaded when a stepper is made

        self.kernels = etd_kernels
        self.run = _ChunkedLoops(getattr(problem.linear, "threads", 1))
        self.linear = _require_diagonal(problem)
        self.nonlinear = problem.nonlinear
        self.memo = _SpectrumMemo(self.linear.forward, size=memo_size)
        self.distinct = DistinctEigenvalues(self.linear.eigenvalues)
        self.cache: dict[float, np.ndarray] = {}
        if cache_size is None:  # as many tables as fit in the budget, 1 to 24
            table_bytes = 9 * self.distinct.values.nbytes
            cache_size = int(min(24, max(1, CACHE_BYTES // max(table_bytes, 1))))
        self.cache_size = cache_size
        self.work: _Workspace | None = None
        self.index: np.ndarray | None = None

    def _table(self, dt: float) -> np.ndarray:
        """The multiplier table of step ``dt`` (:func:`multiplier_table`), cached."""
        table = self.cache.get(dt)
        if table is None:
            if len(self.cache) >= self.cache_size:
                self.cache.pop(next(iter(self.cache)))
            table = self.cache[dt] = multiplier_table(self.distinct, dt)
        return table

    def _index(self, shape: tuple[int, ...]) -> np.ndarray:
        """Row of the multiplier table for every spectral coefficient (flat)."""
        if self.index is None or self.index.size != math.prod(shape):
            dtype = np.uint16 if self.distinct.values.size <= 2**16 else np.int32
            self.index = np.ascontiguousarray(
                np.broadcast_to(self.distinct.index.astype(dtype), shape)).reshape(-1)
        return self.index

    def _n_hat(self, spectrum: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Transform of N at the state with this spectrum (which is overwritten)."""
        return self.linear.forward(self.nonlinear(self.linear.inverse(spectrum,
                                                                      out=self.work.field)),
                                   out=out)

    def spectra(self, u: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """Spectra of u⁺ (a new array) and of the error estimate u⁺ − u₂ (a workspace
        array, valid until the next step)."""
        v = self.memo(u)
        if self.work is None or self.work.nv.shape != v.shape:
            self.work = _Workspace(v, u)
        w, kernels, flat, run = self.work, self.kernels, self.work.flat, self.run
        table, index = self._table(dt), self._index(v.shape)
        self.linear.forward(self.nonlinear(u), out=w.nv)
        run(kernels.first_stage, table, index, v.reshape(-1), flat["nv"], flat["a"],
            flat["e2a"])
        self._n_hat(w.a, w.na)
        run(kernels.second_stage, table, index, v.reshape(-1), flat["na"], flat["a"])  # b
        self._n_hat(w.a, w.nb)
        run(kernels.third_stage, table, index, flat["nv"], flat["nb"], flat["e2a"])  # c
        self._n_hat(w.e2a, w.nc)
        new = empty_aligned(v.shape, v.dtype)
        run(kernels.combine, table, index, v.reshape(-1), flat["nv"], flat["na"], flat["nb"],
            flat["nc"], new.reshape(-1), flat["error"])
        return new, w.error

    def finish(self, spectrum: np.ndarray) -> np.ndarray:
        """The state with this spectrum, read-only and remembered for the next step."""
        source = spectrum
        if not getattr(self.linear, "inverse_keeps_input", False):  # else it may overwrite it
            source = self.work.a
            source[...] = spectrum
        u = self.linear.inverse(source, out=empty_aligned(self.work.field.shape,
                                                          self.work.field.dtype))
        u.flags.writeable = False
        self.memo.remember(u, spectrum)
        return u

    def error_field(self, spectrum: np.ndarray) -> np.ndarray:
        """The error estimate in physical space (a workspace array)."""
        return self.linear.inverse(spectrum, out=self.work.error_field)


def etdrk4_embedded(problem: SemilinearProblem, cache_size: int | None = None) -> Attempt:
    """ETDRK4 with its embedded second-order estimate, for adaptive step control.

    Parameters
    ----------
    problem
        The semilinear problem (transform-diagonal linear part).
    cache_size
        Coefficient tables kept for reuse (most recent step sizes); by default as many
        as fit in :data:`CACHE_BYTES`, between 1 and 24. (A table has nine entries per
        distinct eigenvalue: 1.1 MB for the two species at 64³ on a cube, where making
        one costs about a step; on boxes with unequal spacings nearly every mode has its
        own eigenvalue.)

    Returns
    -------
    attempt
        ``attempt(u, dt) -> (u_new, error)``: the ETDRK4 value and the estimate
        u⁺ − u₂ of the local error (an array like ``u``). A step costs four
        evaluations of N, four forward and five inverse transforms.
    """
    stepper = _ETDRK4Step(problem, memo_size=3, cache_size=cache_size)

    def attempt(u: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        new, error = stepper.spectra(u, dt)
        return stepper.finish(new), stepper.error_field(error)

    return attempt


@register_method("etdrk4", order=4, needs_diagonal=True, embedded=etdrk4_embedded,
                 embedded_order=2)
def etdrk4(problem: SemilinearProblem, dt: float) -> Step:
    """One-step map of ETDRK4 (Cox–Matthews) for a transform-diagonal linear part.

    The stage values are combined in transform space; N is evaluated in physical space.
    A step costs four evaluations of N, four forward and four inverse transforms (the
    transform of the step's input is remembered from the previous step; the returned
    state is read-only for that reason).

    Raises
    ------
    ValueError
        If the problem's linear part is not diagonal in a transform (e.g. a sparse
        matrix): use an IMEX or splitting method there.
    """
    stepper = _ETDRK4Step(problem, memo_size=2, cache_size=1)

    def step(u: np.ndarray) -> np.ndarray:
        return stepper.finish(stepper.spectra(u, dt)[0])

    return step
