"""FFTW transforms (pdekit.time.fftw): exact against NumPy's FFT, safe with arrays of
any alignment, and the measured plans kept in the cache directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pdekit.memory import empty_aligned, is_aligned
from pdekit.time.fftw import RealFFT
from pdekit.time.linear import FourierDiagonalLinear


def misaligned(values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` whose data start 16 bytes past a 64-byte boundary."""
    raw = np.empty(values.nbytes + 128, dtype=np.uint8)
    offset = (16 - raw.ctypes.data) % 64
    array = raw[offset:offset + values.nbytes].view(values.dtype).reshape(values.shape)
    array[...] = values
    assert not is_aligned(array)
    return array


@pytest.mark.parametrize("shape", [(30,), (12, 10), (9, 7, 5), (8, 6, 10)])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_forward_and_inverse_match_numpy(shape, dtype, tol):
    rng = np.random.default_rng(3)
    u = rng.standard_normal((2, *shape)).astype(dtype)
    axes = tuple(range(1, len(shape) + 1))
    expected = np.fft.rfftn(u.astype(np.float64), axes=axes)
    kept = u.copy()
    fft = RealFFT(2, shape, dtype, threads=2)
    spectrum = fft.forward(u)  # the first call plans: it must leave u alone
    np.testing.assert_array_equal(u, kept)
    assert spectrum.dtype == np.result_type(dtype, np.complex64)
    assert np.abs(spectrum - expected).max() <= tol * np.abs(expected).max()
    back = fft.inverse(spectrum.copy())
    assert back.dtype == dtype
    assert np.abs(back - u).max() <= 10 * tol * np.abs(u).max()


def test_misaligned_arrays_are_copied_never_written():
    """pyFFTW copies a misaligned input into its current input array, which after an
    earlier call is a caller's array: RealFFT must keep earlier inputs intact."""
    shape = (16, 12)
    rng = np.random.default_rng(4)
    fft = RealFFT(2, shape, np.float64)
    first = empty_aligned((2, *shape), np.float64)
    first[...] = rng.standard_normal(first.shape)
    kept = first.copy()
    reference = fft.forward(first).copy()
    second = misaligned(rng.standard_normal((2, *shape)))
    out = misaligned(np.zeros((2, 16, 7), dtype=np.complex128))
    result = fft.forward(second, out=out)
    assert result is out
    np.testing.assert_array_equal(first, kept)  # the earlier input is untouched
    np.testing.assert_allclose(out, np.fft.rfftn(second, axes=(1, 2)), atol=1e-12)
    np.testing.assert_array_equal(fft.forward(first), reference)
    back = misaligned(np.zeros((2, *shape)))
    fft.inverse(misaligned(reference), out=back)
    np.testing.assert_allclose(back, first, atol=1e-13)


def test_read_only_state_and_flat_output():
    """ETDRK4 hands out read-only states and reads flat results."""
    symbols = [-np.ones((8, 8)), -2 * np.ones((8, 8))]
    linear = FourierDiagonalLinear(symbols, (8, 8))
    u = np.linspace(0.0, 1.0, 128)
    u.flags.writeable = False
    flat = np.empty(128)
    linear.inverse(linear.forward(u), out=flat)
    np.testing.assert_allclose(flat, u, atol=1e-15)
    np.testing.assert_allclose(linear.matvec(u), linear.inverse(linear.forward(u)
                                                                * linear.eigenvalues))


PLAN = """
import sys
import numpy as np
import pdekit.time.fftw as fftw
if sys.argv[1] == "wisdom-only":  # FFTW refuses to plan what its wisdom does not know
    fftw.PLANNING_FLAGS = ("FFTW_MEASURE", "FFTW_WISDOM_ONLY")
fftw.RealFFT(2, (18, 14, 6), np.float32, threads=2)
print(fftw.wisdom_path())
"""


def plan_in_fresh_process(mode: str, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PDEKIT_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-c", PLAN, mode], env=env, capture_output=True,
                          text=True, timeout=120)


def test_measured_plans_are_kept_in_the_cache(tmp_path):
    """A second process plans from the file the first wrote, without timing anew."""
    assert plan_in_fresh_process("wisdom-only", tmp_path).returncode != 0  # nothing known
    first = plan_in_fresh_process("measure", tmp_path)
    assert first.returncode == 0, first.stderr
    assert Path(first.stdout.strip()).parent == tmp_path
    assert Path(first.stdout.strip()).stat().st_size > 0
    second = plan_in_fresh_process("wisdom-only", tmp_path)
    assert second.returncode == 0, second.stderr


def test_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("PDEKIT_CACHE_DIR", str(blocked / "cache"))
    fft = RealFFT(1, (22,), np.float64)
    u = np.arange(22.0)
    np.testing.assert_allclose(fft.inverse(fft.forward(u)).ravel(), u, atol=1e-13)
    assert blocked.read_text() == "not a directory"


def test_failed_cache_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    import pdekit.time.fftw as fftw

    monkeypatch.setenv("PDEKIT_CACHE_DIR", str(tmp_path))

    def full_disk(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(fftw.os, "replace", full_disk)
    fftw.RealFFT(1, (34,), np.float64)  # a shape no other test plans: new wisdom to save
    assert list(tmp_path.iterdir()) == []


PLANTED = """
import os, pickle, sys
class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[1],))
with open(sys.argv[2], "wb") as file:
    pickle.dump(Payload(), file)
"""


def plant_pickle(target: Path, witness: Path) -> None:
    """Write a pickle at ``target`` that creates ``witness`` when unpickled."""
    subprocess.run([sys.executable, "-c", PLANTED, str(witness), str(target)], check=True)


def test_planted_pickle_in_the_cache_never_runs(tmp_path):
    """The cache is untrusted input: a pickle planted under the wisdom file's name (and
    under the name pdekit used for pickles before) is data that is ignored, never run;
    planning goes on and the file is replaced by real wisdom."""
    witness = tmp_path / "code-ran"
    probe = plan_in_fresh_process("measure", tmp_path / "probe")  # learn the file name
    name = Path(probe.stdout.strip()).name
    cache = tmp_path / "cache"
    cache.mkdir()
    plant_pickle(cache / name, witness)
    plant_pickle(cache / name.replace(".bin", ".pickle"), witness)
    result = plan_in_fresh_process("measure", cache)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no traceback, no warning
    assert not witness.exists()
    assert (cache / name).read_bytes().startswith(b"pdekit-fftw-wisdom")


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "huge"])
def test_damaged_cache_is_ignored_and_rebuilt(tmp_path, damage):
    from pdekit.time.fftw import MAX_WISDOM_BYTES, decode_wisdom

    first = plan_in_fresh_process("measure", tmp_path)
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    good = path.read_bytes()
    assert decode_wisdom(good) is not None
    damaged = {"truncated": good[:-7],
               "flipped": good[:-3] + bytes([good[-3] ^ 1]) + good[-2:],
               "garbage": os.urandom(300),
               "huge": good + b" " * MAX_WISDOM_BYTES}[damage]
    assert decode_wisdom(damaged) is None
    path.write_bytes(damaged)
    # FFTW knows nothing from a damaged file: planning from wisdom alone fails ...
    assert plan_in_fresh_process("wisdom-only", tmp_path).returncode != 0
    # ... a normal run plans anew, silently, and writes a good file again
    again = plan_in_fresh_process("measure", tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert decode_wisdom(path.read_bytes()) is not None
