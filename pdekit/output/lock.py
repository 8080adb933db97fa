"""One run of a case at a time: an exclusive lock beside the run's folders.

Two runs writing the same ``<out>`` would clear each other's ``<out>.running`` and race
for the final rename (a good result lost, a broken one reported as success). A run
therefore takes an exclusive ``flock`` on ``.<name>.lock`` next to ``<out>`` before it
touches any of its folders, and keeps it until its folder is in place. The lock sits
beside the folders, not inside one, because the run renames its folders; a lock file
is never deleted (deleting one would let two runs lock two different files).

The kernel releases a ``flock`` when its holder exits in any way (``kill -9``
included), so a lock is never stale: a dead run's lock is simply free, and its leftover
``.running`` folder is cleared by the next run. While held, the file holds the holder's
pid for the loser's message. Locks on NFS depend on the server's lock support.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path

from pdekit.errors import CaseError

__all__ = ["RunInProgress", "RunLock", "lock_path"]


class RunInProgress(CaseError):
    """Another pdekit run holds the lock of this run folder (bad input: exit 2)."""

    def __init__(self, source: str, key: str, final: Path, pid: int | None):
        super().__init__(source, key, "a run folder no other run is writing", str(final))
        self.pid = pid
        Exception.__init__(self, f"{source}: another pdekit run of this case is in progress "
                           f"(pid {pid if pid else 'unknown'}) writing {final}; wait for it, "
                           "or choose another folder with --out")


def lock_path(final: Path) -> Path:
    """``results/x`` -> ``results/.x.lock``."""
    return final.with_name("." + final.name + ".lock")


class RunLock:
    """The exclusive lock of one run folder, held from :meth:`acquire` to :meth:`release`
    (or to the end of the process).

    Parameters
    ----------
    final
        The run's final folder (``results/<name>``).
    source, key
        Named in the error when the lock is taken (the case file and ``case.name``, or
        ``"command line", "--out"``).
    """

    def __init__(self, final: Path, source: str, key: str):
        self.final = Path(os.path.abspath(final))
        self.path = lock_path(self.final)
        self.source, self.key = source, key
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise if another run holds it, touching nothing else.

        Raises
        ------
        pdekit.errors.CaseError
            When another pdekit run of this case is in progress (its pid named), or the
            lock's name is taken by something that is not pdekit's lock file.
        """
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
                         | os.O_NONBLOCK, 0o644)
        except OSError as error:
            raise CaseError(self.source, self.key, f"a run folder whose lock file pdekit can "
                            f"open ({self.path}: {error.strerror})", str(self.path)) from None
        try:
            if not _is_lock_file(fd):
                raise CaseError(self.source, self.key, f"a run folder whose lock name is free "
                                f"({self.path} exists and is not pdekit's lock file; it is "
                                "left alone)", str(self.path))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                raise RunInProgress(self.source, self.key, self.final, _holder(fd)) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps({"made_by": "pdekit", "pid": os.getpid()}) + "\n")
                      .encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Let the next run in: the pid is cleared (the file names a pid only while it is
        held) and closing the file releases the lock."""
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None


def _is_lock_file(fd: int) -> bool:
    """An empty regular file (just made) or one holding pdekit's lock record."""
    import stat

    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        return False
    if status.st_size == 0:
        return True
    if status.st_size > 4096:
        return False
    try:
        return json.loads(os.pread(fd, 4096, 0)).get("made_by") == "pdekit"
    except (ValueError, AttributeError):
        return False


def _holder(fd: int) -> int | None:
    """The pid written by the run that holds the lock (None while it is being written)."""
    try:
        return int(json.loads(os.pread(fd, 4096, 0))["pid"])
    except (ValueError, KeyError, TypeError):
        return None
