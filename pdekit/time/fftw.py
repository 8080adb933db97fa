"""Real-to-complex FFTs through FFTW (pyFFTW), planned once per shape.

FFTW (Frigo & Johnson, "The design and implementation of FFTW3", Proc. IEEE 93(2),
216–231, 2005) chooses among its algorithms by timing them (``FFTW_MEASURE``). On the
3D grids of the ``turing`` kind that pays: at 64³ (two species, float32) a forward
transform takes 1.0 ms against ducc0's 1.3 ms on one thread, and 0.5 ms against 0.8 ms
on two, where FFTW's threads scale and ducc0's barely do. The measurements
("wisdom") are kept in a per-user cache file, so a shape is timed once per machine
and later runs plan at once.

FFTW's SIMD code needs aligned arrays. pyFFTW copies a misaligned input into the
plan's current input array, which after an earlier call may be the caller's own array,
so :class:`RealFFT` never hands it one: misaligned inputs go through a private scratch
array, and :func:`pdekit.memory.empty_aligned` makes arrays that need no copy.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pyfftw

from pdekit.memory import empty_aligned, is_aligned

__all__ = ["RealFFT", "wisdom_path"]

# CACHE_LINE (64 bytes) covers pyFFTW's simd_alignment (16, 32 or 64 for SSE2 to AVX-512)

PLANNING_FLAGS = ("FFTW_MEASURE",)
"""Time candidate algorithms once per shape (0.2–1.4 s from 48³ to 128³ and 1024², 4–7 s
at 256³ on one thread), then remember."""

PLANNING_TIME_LIMIT = 10.0
"""Seconds FFTW may spend timing candidates for one plan: beyond it, it takes the best
found so far (larger grids than 256³ would otherwise plan for minutes)."""

_wisdom_loaded = False


WISDOM_MAGIC = b"pdekit-fftw-wisdom 2\n"
"""First line of a wisdom file (version 2: plain bytes with a checksum; version 1 files
were pickles and are never read)."""

MAX_WISDOM_BYTES = 4 * 2**20
"""Largest wisdom file read: FFTW's text for hundreds of plans is a few hundred kB."""


def wisdom_path() -> Path:
    """The file FFTW's measurements are kept in: one per CPU model and FFTW build,
    under ``$PDEKIT_CACHE_DIR`` or ``$XDG_CACHE_HOME/pdekit`` (default ``~/.cache``)."""
    root = os.environ.get("PDEKIT_CACHE_DIR")
    if root is None:
        root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pdekit"
    key = f"{platform.machine()} {_cpu_model()} pyfftw {pyfftw.__version__}"
    return Path(root) / f"fftw-wisdom-{hashlib.sha1(key.encode()).hexdigest()[:12]}.bin"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def encode_wisdom(wisdom: tuple[bytes, ...]) -> bytes:
    """The file content for FFTW's wisdom (one bytes string per precision): the magic
    line, a SHA-256 line, then each part as a length line and its bytes. No pickle: a
    cache file is data, never code."""
    body = b"".join(b"%d\n" % len(part) + part for part in wisdom)
    return WISDOM_MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def decode_wisdom(data: bytes) -> tuple[bytes, ...] | None:
    """The wisdom parts of a file written by :func:`encode_wisdom`, or ``None`` for
    anything else (another format, a truncated or altered file, parts that are not
    FFTW's wisdom text). The cache is untrusted input: nothing here executes it."""
    if not data.startswith(WISDOM_MAGIC):
        return None
    digest, _, body = data[len(WISDOM_MAGIC):].partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    parts = []
    while body:
        length, newline, rest = body.partition(b"\n")
        if not newline or not length.isdigit() or int(length) > len(rest):
            return None
        part, body = rest[:int(length)], rest[int(length):]
        # FFTW's wisdom is printable ASCII text starting "(fftw-3" (empty when unused)
        if part and not (part.startswith(b"(fftw-3") and part.isascii()
                         and all(32 <= c < 127 or c in (9, 10, 13) for c in part)):
            return None
        parts.append(part)
    return tuple(parts) if len(parts) == 3 else None


def _load_wisdom() -> None:
    """Import the cached measurements once per process. A missing, oversized, damaged or
    foreign file is ignored (planning then takes longer and rewrites it), silently."""
    global _wisdom_loaded
    if _wisdom_loaded:
        return
    _wisdom_loaded = True
    try:
        with open(wisdom_path(), "rb") as file:
            data = file.read(MAX_WISDOM_BYTES + 1)
    except OSError:
        return
    wisdom = decode_wisdom(data) if len(data) <= MAX_WISDOM_BYTES else None
    if wisdom is not None:
        pyfftw.import_wisdom(wisdom)


def _save_wisdom(wisdom: tuple[bytes, ...]) -> None:
    """Write the measurements atomically (a concurrent run sees the old or the new
    file, never half of one); an unwritable cache is skipped silently. A uniquely named
    temporary file (not :func:`pdekit.output.vtk.atomic_write_text`'s fixed one) keeps
    runs that finish planning at once from writing into each other's."""
    path = wisdom_path()
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            temporary = Path(file.name)
            file.write(encode_wisdom(wisdom))
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:  # a full disk must not leave the half file behind
            temporary.unlink(missing_ok=True)


class RealFFT:
    """Forward real FFT and its normalized inverse over the trailing axes of a stack
    of fields, shape ``(blocks, *shape)``.

    Parameters
    ----------
    blocks
        Fields transformed together (species).
    shape
        Grid shape of one field.
    dtype
        float64 or float32 (complex128 or complex64 spectra).
    threads
        FFTW threads per transform.

    Attributes
    ----------
    planning_seconds
        Time spent making the two plans (≈ 0 when the cache knew the shape).
    """

    def __init__(self, blocks: int, shape: tuple[int, ...], dtype: np.dtype | type,
                 threads: int = 1):
        self.real_dtype = np.dtype(dtype)
        self.complex_dtype = np.result_type(self.real_dtype, np.complex64)
        self.real_shape = (blocks, *shape)
        self.spectral_shape = (blocks, *shape[:-1], shape[-1] // 2 + 1)
        self.threads = threads
        self._axes = tuple(range(1, len(shape) + 1))
        self._scratch: dict[str, np.ndarray] = {}
        _load_wisdom()
        before = pyfftw.export_wisdom()
        start = time.perf_counter()
        # FFTW_MEASURE times candidate algorithms on (and overwrites) these arrays. Only
        # the plans hold them, until their first calls swap in the caller's arrays.
        real = empty_aligned(self.real_shape, self.real_dtype)
        spectral = empty_aligned(self.spectral_shape, self.complex_dtype)
        self._plans = {
            direction: pyfftw.FFTW(source, target, axes=self._axes, direction=direction,
                                   flags=self._flags(direction, PLANNING_FLAGS),
                                   threads=threads, planning_timelimit=PLANNING_TIME_LIMIT)
            for direction, source, target in (("FFTW_FORWARD", real, spectral),
                                              ("FFTW_BACKWARD", spectral, real))}
        del real, spectral
        self.planning_seconds = time.perf_counter() - start
        wisdom = pyfftw.export_wisdom()
        if wisdom != before:
            _save_wisdom(wisdom)

    @staticmethod
    def _flags(direction: str, flags: tuple[str, ...]) -> tuple[str, ...]:
        # a multidimensional complex-to-real transform destroys its input anyway
        return (*flags, "FFTW_DESTROY_INPUT") if direction == "FFTW_BACKWARD" else flags

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Spectrum of the stacked fields ``u`` (any array of ``blocks·prod(shape)``
        values), written into ``out`` if given."""
        u = self._aligned(u.reshape(self.real_shape), "real", self.real_dtype)
        return self._run("FFTW_FORWARD", u, out, self.spectral_shape, self.complex_dtype)

    def inverse(self, spectrum: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The fields (shape ``(blocks, *shape)``) of ``spectrum``, divided by the number
        of grid points (the inverse of :meth:`forward`). ``spectrum`` may be overwritten;
        the result goes into ``out`` if given."""
        spectrum = self._aligned(spectrum.reshape(self.spectral_shape), "spectral",
                                 self.complex_dtype)
        return self._run("FFTW_BACKWARD", spectrum, out, self.real_shape, self.real_dtype)

    def _aligned(self, array: np.ndarray, name: str, dtype: np.dtype) -> np.ndarray:
        """``array`` itself, or a copy in a scratch array (made on first need) if it is
        misaligned or of another dtype."""
        if is_aligned(array) and array.dtype == dtype:
            return array
        scratch = self._scratch.get(name)
        if scratch is None:
            scratch = self._scratch[name] = empty_aligned(array.shape, dtype)
        scratch[...] = array
        return scratch

    def _run(self, direction: str, source: np.ndarray, out: np.ndarray | None,
             shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        target = None if out is None else out.reshape(shape)
        direct = target is not None and is_aligned(target) and target.dtype == dtype
        result = target if direct else empty_aligned(shape, dtype)
        # pyFFTW's default normalise_idft=True: the forward transform unscaled, the
        # inverse divided by the number of points (False would scale the forward one)
        self._plans[direction](source, result)
        if target is None:
            return result
        if not direct:  # FFTW writes only into aligned arrays of its own dtype
            target[...] = result
        return out
