"""Process memory: keep freed arrays in the heap, measure the peak resident size, and
allocate aligned arrays.

**Retaining freed memory.**

glibc's ``malloc`` serves blocks above a threshold (128 KiB at first, a 100² field of
float64 is 78 KiB, a two-species state 156 KiB) with fresh ``mmap`` pages and returns
them with ``munmap`` when freed; it also trims the top of the heap once enough is free.
A time step that allocates a few such arrays then pays a page fault per 4 KiB on first
touch, every step: at 100² that was a third of an ETDRK4 step. Raising both thresholds
(``mallopt``, see ``man 3 mallopt``) lets freed blocks be reused at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import sys

import numpy as np

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 2**20
"""Blocks up to this size come from the heap (glibc's maximum on 64-bit systems)."""

TRIM_THRESHOLD = 128 * 2**20
"""Free memory at the top of the heap that is kept rather than trimmed."""


def retain_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process.

    Returns
    -------
    bool
        Whether both settings took effect (False off glibc, e.g. on macOS or musl).
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux's ``VmHWM`` (``/proc/self/status``) where available: ``getrusage``'s
    ``ru_maxrss`` survives ``execve``, so a run started from a big parent process would
    report the parent's peak. Elsewhere ``resource.getrusage`` (bytes on macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    scale = 1.0 if sys.platform.startswith("linux") else 1.0 / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024.0


def physical_memory_bytes() -> int:
    """Physical memory of the machine, in bytes (the budget of the size checks that
    refuse impossible cases before anything is allocated)."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def fits_in_memory(needed_bytes: float, share: float = 0.8) -> bool:
    """Whether ``needed_bytes`` fit in ``share`` of the physical memory."""
    return needed_bytes <= share * physical_memory_bytes()


def gib(size_bytes: float) -> str:
    """``12.3 GiB``: a byte count for messages."""
    return f"{size_bytes / 2**30:.3g} GiB"


CACHE_LINE = 64
"""Bytes: the alignment of :func:`empty_aligned` (≥ the SIMD width of AVX-512)."""


def empty_aligned(shape: tuple[int, ...] | int, dtype: np.dtype | type,
                  alignment: int = CACHE_LINE) -> np.ndarray:
    """An uninitialized C-contiguous array whose data start at a multiple of
    ``alignment`` bytes (NumPy guarantees only 16), as FFTW's SIMD code wants.

    Parameters
    ----------
    shape
        Array shape.
    dtype
        Element type.
    alignment
        Byte alignment of the first element (a multiple of the item size).
    """
    dtype = np.dtype(dtype)
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(size + alignment, dtype=np.uint8)
    offset = -raw.ctypes.data % alignment
    return raw[offset:offset + size].view(dtype).reshape(shape)


def is_aligned(array: np.ndarray, alignment: int = CACHE_LINE) -> bool:
    """Whether ``array`` is C-contiguous and starts at a multiple of ``alignment`` bytes."""
    return array.flags.c_contiguous and array.ctypes.data % alignment == 0
