"""The run folder: where a run writes, and how it is swapped in only when it succeeds.

A run writes into ``<out>.running/`` (ParaView can open its ``.pvd`` while it runs).
On success ``summary.json`` is written last and the folder replaces ``<out>/`` in two
renames; the previous good result is removed only after the new one is in place. On
failure the folder becomes ``<out>.failed/`` with an ``error.json``, and ``<out>/``, the
previous good result, is left untouched.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterator

from pdekit.errors import interrupt_signal
from pdekit.output.folders import (SUFFIXES, is_ours, mark, remove_ours, sibling,
                                   previous as previous_folder)
from pdekit.output.lock import RunLock
from pdekit.output.vtk import atomic_write_text

REPORTED_PACKAGES = ("pdekit", "numpy", "scipy", "ducc0", "pyfftw", "numba", "matplotlib",
                     "meshio", "pydantic", "ngsolve", "netgen-mesher", "petsc4py", "slepc4py",
                     "mpi4py", "tensorflow-cpu", "tensorflow")


def package_versions() -> dict[str, str]:
    """Installed versions of pdekit's main dependencies (read from metadata, no imports)."""
    found = {"python": platform.python_version()}
    for name in REPORTED_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            module = sys.modules.get(name)
            if module is not None and hasattr(module, "__version__"):
                found[name] = str(module.__version__)
    return found


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and paths inside ``value`` to plain JSON types."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "tolist"):  # numpy scalar or array
        return to_jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no inf/NaN: "inf", "-inf", "nan"
    return value


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    atomic_write_text(path, json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")


def step_postfix(dt: float, steps: int) -> str:
    """The postfix of a time-stepping bar: ``"dt = 0.0123, step 152"``."""
    return f"dt = {dt:.3g}, step {steps}"


class TimeStepBar:
    """A tqdm bar over simulated time that also counts steps: ``update(dt)`` advances
    the bar by dt and shows the step's size and number in the postfix.

    The clock starts after the first step: that one also pays one-time costs (compiled
    kernels, FFT plans) and, counted, made the first ETA tens of minutes for a
    two-second run.
    """

    def __init__(self, bar: Any):
        self.bar, self.steps = bar, 0

    def update(self, dt: float) -> None:
        if self.steps == 0:
            self.bar.unpause()
        self.steps += 1
        self.bar.set_postfix_str(step_postfix(dt, self.steps), refresh=False)
        self.bar.update(dt)

    def close(self) -> None:
        self.bar.close()


def describe(error: BaseException) -> str:
    """The sentence ``error.json`` gives for a failure: the error's message, or for an
    interrupt the signal and where the run stopped (its ``note``, if the kind left one)."""
    if isinstance(error, KeyboardInterrupt):
        text = f"interrupted by {signal.Signals(interrupt_signal(error)).name}"
        note = getattr(error, "note", None)
        return f"{text}; {note}" if note else text
    return str(error)


class RunContext:
    """Everything a plugin needs to write a run: folder, phase timer, progress, log.

    Parameters
    ----------
    final_dir
        Where the finished run will live (``results/<name>`` by default).
    quiet
        Suppress progress bars and messages.
    rank
        MPI rank; only rank 0 manages the folder and writes ``summary.json``.
    case_name
        Recorded in the marker of the folders the run makes.
    lock
        The run folder's lock (:mod:`pdekit.output.lock`), taken by the caller before
        anything else so that a refusal touches nothing; when omitted, :meth:`prepare`
        takes it. Released when the run's folder is in place or marked failed.

    Every folder a run makes is marked (:mod:`pdekit.output.folders`); a folder without
    the marker is never replaced, renamed or deleted.
    """

    def __init__(self, final_dir: Path, quiet: bool = False, rank: int = 0,
                 case_name: str = "", lock: RunLock | None = None):
        self.final_dir = Path(final_dir)
        self.dir = sibling(self.final_dir, SUFFIXES[0])
        self.failed_dir = sibling(self.final_dir, SUFFIXES[1])
        self.case_name = case_name or self.final_dir.name
        self.quiet = quiet
        self.rank = rank
        self.lock = lock if lock is not None else RunLock(self.final_dir, "output folder",
                                                          "--out")
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()
        self.keep_data = False
        """Whether the kind should hand back its in-memory results (the Python API)."""

    @property
    def is_root(self) -> bool:
        return self.rank == 0

    def prepare(self) -> None:
        """Take the lock, then create an empty, marked staging folder (clearing one an
        interrupted run left: with the lock held, no live run owns it).

        Only rank 0 touches the folder: other ranks hand their data to rank 0, which
        writes it. (A rank creating the folder too raced rank 0's clean-up under MPI.)

        Raises
        ------
        pdekit.output.lock.RunInProgress
            When another run of this case holds the lock (nothing is touched).
        """
        if not self.is_root:
            return
        self.lock.acquire()
        try:
            remove_ours(self.dir)
            mark(self.dir, self.case_name)
        except BaseException:
            self.lock.release()
            raise

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a phase of the run; repeated phases add up."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def progress(self, total: float, desc: str, unit: str = "it",
                 time_steps: bool = False, start: float = 0.0,
                 time_limit: float | None = None) -> Any:
        """A progress bar on a terminal; disabled with ``--quiet``, off rank 0 or without a TTY.

        With ``time_steps`` the bar counts simulated time: ``total`` is the time span from
        ``start`` and each ``update(dt)`` is one step of size dt; it shows
        ``t=3664/10000`` (:func:`pdekit.output.bars.time_bar_format`). The ETA then
        follows simulated time, not the step count (the first adaptive steps are tiny),
        smoothed by tqdm over the run, and the postfix shows the last dt and the steps so
        far (:func:`step_postfix`). With ``time_limit`` (seconds) the ETA is at most the
        time left of it (:class:`pdekit.output.bars.DeadlineBar`).
        """
        from tqdm import tqdm

        from pdekit.output.bars import DeadlineBar, time_bar_format

        if self.quiet or not self.is_root or not sys.stderr.isatty():
            return tqdm(total=total, disable=True)

        # A terminal that reports no size makes tqdm draw nothing; shutil falls back to 100x24.
        size = shutil.get_terminal_size((100, 24))
        options: dict[str, Any] = dict(
            desc=desc, unit=unit, leave=False, ncols=size.columns, nrows=size.lines,
            bar_format="{l_bar}{bar}| {n:.4g}/{total:.4g} {unit} "
                       "[{elapsed}<{remaining}]{postfix}")
        if time_steps:
            options.update(initial=start, bar_format=time_bar_format(start + total))
            return TimeStepBar(tqdm(total=start + total, **options))
        if time_limit is not None:
            return DeadlineBar(total=total, deadline=time.perf_counter() + time_limit,
                               **options)
        return tqdm(total=total, **options)

    def log(self, message: str) -> None:
        """Print a progress message on rank 0 unless quiet (above an open progress bar,
        which is drawn again below it)."""
        if not self.quiet and self.is_root:
            from tqdm import tqdm

            tqdm.write(message, file=sys.stderr)
            sys.stderr.flush()

    def finish(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Write ``summary.json`` (rank 0) and swap the staging folder into place.

        Returns
        -------
        dict
            The summary with the timings added, as written (JSON types).
        """
        summary = {**summary, "timings": {**self.timings,
                                          "total": time.perf_counter() - self.started}}
        if not self.is_root:
            return to_jsonable(summary)
        try:
            write_json(self.dir / "summary.json", summary)
            previous = previous_folder(self.final_dir)
            remove_ours(previous)
            if self.final_dir.exists():
                if not is_ours(self.final_dir):  # appeared during the run: leave it alone
                    raise ValueError(f"{self.final_dir} was not made by pdekit; "
                                     "not replacing it")
                os.replace(self.final_dir, previous)
            os.replace(self.dir, self.final_dir)
            remove_ours(previous)
        finally:
            self.lock.release()
        return to_jsonable(summary)

    def fail(self, error: BaseException, data: dict[str, Any] | None = None) -> None:
        """Move the staging folder aside as ``<name>.failed`` with an ``error.json``.

        Best effort: on a full disk the ``error.json`` may be missing, but the folder is
        still renamed so that it does not look like a run in progress.
        """
        if not self.is_root:
            return
        try:
            self._move_aside(error, data)
        finally:
            self.lock.release()

    def _move_aside(self, error: BaseException, data: dict[str, Any] | None) -> None:
        if not self.lock.held or not is_ours(self.dir):  # never another run's folder
            return
        try:
            write_json(self.dir / "error.json", {"status": "failed", "error": describe(error),
                                                  "type": type(error).__name__, **(data or {})})
        except OSError:
            pass
        if self.failed_dir.exists() and not is_ours(self.failed_dir):
            return
        remove_ours(self.failed_dir)
        os.replace(self.dir, self.failed_dir)
