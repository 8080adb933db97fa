"""Which folders pdekit may replace: only the ones it made itself, which it marks.

Every run folder (``<out>``, ``<out>.running``, ``<out>.failed``) holds a marker file. A path
that exists without the marker belongs to the user: pdekit never replaces, renames or
deletes it, and :func:`check_destination` turns such an ``--out`` into bad input before any
work starts.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

from pdekit.errors import CaseError

MARKER = ".pdekit-run"
"""File that marks a folder as made by pdekit."""

MAX_NAME_BYTES = 200
"""Longest folder name accepted (file systems allow 255 bytes; suffixes need room)."""

SUFFIXES = (".running", ".failed")

PATH_MAX = os.pathconf("/", "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
"""The longest path the system opens (4096 bytes on Linux)."""

SYSTEM_FOLDERS = ("/proc", "/sys")
"""Virtual file systems that can hold no run folder."""


def mark(folder: Path, case_name: str) -> None:
    """Create ``folder`` (and parents) and mark it as pdekit's."""
    folder.mkdir(parents=True)
    try:
        (folder / MARKER).write_text(json.dumps({"made_by": "pdekit", "case": case_name})
                                     + "\n")
    except OSError:  # a full disk: leave no unmarked folder behind (it would block reruns)
        shutil.rmtree(folder, ignore_errors=True)
        raise


def is_ours(folder: Path) -> bool:
    """True when ``folder`` is a directory pdekit made (it holds the marker)."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def remove_ours(folder: Path) -> None:
    """Delete ``folder`` if it is pdekit's; refuse (ValueError) if it is not."""
    if not folder.exists() and not folder.is_symlink():
        return
    if not is_ours(folder):
        raise ValueError(f"{folder} was not made by pdekit; not removing it")
    shutil.rmtree(folder)


def sibling(final: Path, suffix: str) -> Path:
    """``results/x`` -> ``results/x.running`` (or another suffix)."""
    return final.with_name(final.name + suffix)


def previous(final: Path) -> Path:
    """``results/x`` -> ``results/.x.previous``, where the last result waits while a
    finished run takes its place."""
    return final.with_name("." + final.name + ".previous")


def check_destination(final: Path, source: str, key: str) -> None:
    """Check, before any work, that a run may write to ``final`` and its siblings.

    Parameters
    ----------
    final
        Where the finished run will live.
    source, key
        Named in the error (``"command line", "--out"`` or ``case file, "case.name"``).

    Raises
    ------
    CaseError
        When ``final`` has no usable name, is a file, or it or a sibling is a folder pdekit
        did not make, or the nearest existing parent is not a writable folder.
    """
    text = str(final)
    if not text.strip() or "\0" in text:
        raise CaseError(source, key, "a folder path", text)
    resolved = Path(os.path.abspath(final))
    if len(os.fsencode(resolved)) + len(".running/") + MAX_NAME_BYTES > PATH_MAX:
        raise CaseError(source, key, f"a path of at most {PATH_MAX - MAX_NAME_BYTES - 9} "
                        "bytes (the run writes files below it; the system's limit is "
                        f"{PATH_MAX})", text[:60] + "...")
    system = next((root for root in SYSTEM_FOLDERS
                   if resolved == Path(root) or Path(root) in resolved.parents), None)
    if system is not None:
        raise CaseError(source, key, f"a folder outside {system} (the kernel's virtual "
                        "file system holds no results)", text)
    if resolved.parent == resolved or resolved.name in ("", ".", ".."):
        raise CaseError(source, key, "a folder path that ends in a folder name", text)
    if len(resolved.name.encode()) > MAX_NAME_BYTES:
        raise CaseError(source, key, f"a folder name of at most {MAX_NAME_BYTES} bytes",
                        resolved.name[:40] + "...")
    for path in (resolved, *(sibling(resolved, s) for s in SUFFIXES), previous(resolved)):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise CaseError(source, key, f"a folder path ({path} exists and is not a folder; "
                            "pdekit does not replace it)", text)
        if path.exists() and not is_ours(path):
            raise CaseError(source, key, f"a new folder or one pdekit made ({path} exists and "
                            "was not made by pdekit; it is left alone)", text)
    parent = resolved.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise CaseError(source, key, f"a path inside folders ({parent} is a file)", text)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CaseError(source, key, f"a writable location ({parent}: "
                        f"{os.strerror(errno.EACCES)})", text)
