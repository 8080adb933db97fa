"""Which PETSc options write files, and where a run lets them write: nowhere but the
terminal and the run folder's ``petsc/`` folder.

PETSc opens the files that option values name wherever the process happens to run, with
its own expansions (``${HOMEDIRECTORY}/x``, ``~/x``), and replaces them: viewers and
monitors (``-eps_view ascii:notes.txt``, ``-ksp_monitor :/some/path``, ``-mat_view
binary`` writes ``./binaryoutput``), ``-log_view :file`` at exit, ``-log_trace file`` and
``-info file`` at start-up, ``-history`` (``~/.petschistory``), ``-log_all``
(``./Log.0``), TS trajectories (``./TS-data/``), and options that name files themselves
(``-viewer_binary_filename``, ``-ts_monitor_solution_vtk``). Option names are matched
without regard to case, as PETSc does.

:func:`check_option` sorts one option (no PETSc import):

- a viewer or monitor (``*_view*``, ``*_monitor*``, ``*_converged_reason``,
  ``*_converged_rate``, SLEPc's ``*_error_relative`` ...) may write to the terminal
  (no value, ``""``, ``ascii``, ``:stdout``, ``::ascii_info_detail``) or to a plain file
  name, ``ascii:NAME[:FORMAT[:MODE]]``, ``binary:NAME`` or ``hdf5:NAME``, which the run
  places in ``<run folder>/petsc/NAME`` (:func:`placed`);
- ``-log_view :NAME`` too, but PETSc writes it at exit, after the run folder has been
  renamed: the run writes it itself when the solve ends and PETSc starts with the
  terminal form (:func:`at_startup`; see :func:`pdekit.petsc_options.write_log_view`);
- ``-log_trace``, ``-info``, ``-malloc_view``, ``-malloc_dump`` open their files at
  start-up or exit, before or after the run folder's life: the terminal only;
- windows, sockets and servers (``draw``, ``-display``, ``socket``, SAWs, GLVis) are
  refused (pdekit runs without a display), and so are options that make PETSc name its
  own files (``-history``, ``-log_all``, ``-ts_save_trajectory``, ``*_filename``,
  ``*_dirname``, ``*_vtk`` ...) and options files (``-options_file``: their contents
  would escape these checks);
- from a case file, also options that start programs or load Python code (debuggers,
  ``*_python*``); the person typing them after ``--`` may.

Everything else names no file and passes unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

FOLDER = "petsc"
"""The run folder's sub-folder that PETSc's files go to (pdekit writes none there)."""

FILE_VIEWERS = ("ascii", "binary", "hdf5")
"""Viewer types that may write a file (in :data:`FOLDER`)."""

NO_DISPLAY = frozenset({"draw", "lg", "plot", "display", "socket", "saws", "glvis"})
"""Name tokens and viewer types of windows, plots, sockets and servers (and
``*_monitor_sp_*``, scatter plots)."""

NAMES_FILES = frozenset({"history", "log", "log_all", "log_mpe", "log_summary"})
"""Options that make PETSc write files it names itself (``./Log.0``, ``~/.petschistory``;
``-log_summary :x`` writes a file called ``:x``)."""

NAMES_FILES_TOKENS = frozenset({"trajectory", "vtk", "save", "dump", "tmpdir"})
"""Name tokens of such options (``-objects_dump`` excepted: it prints)."""
NAMES_FILES_ENDINGS = ("_file", "_filename", "_dirname", "_template", "_print_subdomains")
VIEWER_SETTINGS = ("viewer_binary_", "viewer_hdf5_")
"""The ``-viewer_*`` options allowed (flags of files that viewers open; ``-viewer_type``
would turn a file viewer into another kind)."""

TERMINAL_ONLY = {
    "log_trace": "opens its file when PETSc starts, before the run folder exists",
    "info": "opens its file when PETSc starts, before the run folder exists",
    "malloc_view": "writes its file at exit, after the run folder is renamed",
    "malloc_dump": "writes its file at exit, after the run folder is renamed",
}
"""Options read at start-up or exit whose value, if any, is a file name."""

VIEWER_NAME = re.compile(r"(^|_)(view|monitor)(_|$)|(^|_)converged_(reason|rate)$"
                         r"|(^|_)error_(absolute|relative|backward)$")
PROGRAM_NAME = re.compile(r"(^|_)(debugger|debug_terminal|emacs|python)(_|$)")
NO_FILE_VALUE = re.compile(r"(?i)true|false|yes|no|on|off|[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?")
"""Booleans and numbers: read as such, or refused by PETSc as viewer types; never a file."""

SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}")
"""A plain file name: no folders, nothing PETSc expands (``$``, ``~``), no leading dot."""

TERMINAL = ("", "stdout", "stderr")

WHERE = "written to petsc/NAME in the run folder"


def _refusal(name: str, value: str | None, from_case: bool) -> str | None:
    """What was expected of an option that can never write into the run folder, or
    ``None`` when it may (a viewer, a terminal-only option) or names no file."""
    tokens = set(name.split("_"))
    if name.startswith("options_file") or "yaml" in tokens:
        return ("options written out in the case file or after -- (PETSc options files "
                "are not read: their options would escape pdekit's checks)")
    if from_case and PROGRAM_NAME.search(name):
        return ("no option that starts a program or loads Python code in a case file "
                "(type such options after -- yourself)")
    if tokens & NO_DISPLAY or "monitor_sp_" in name:
        return ("no windows, plots, sockets or servers: pdekit runs without a display "
                f"(view into a file instead: ascii:NAME, {WHERE})")
    if name in TERMINAL_ONLY:
        terminal = value in (None, "") or (name == "info" and value.startswith(":")) or \
            (name == "malloc_dump" and bool(NO_FILE_VALUE.fullmatch(value)))
        return None if terminal else \
            f'-{name} to the terminal only ({name} = ""): it {TERMINAL_ONLY[name]}'
    if name in NAMES_FILES or (tokens & NAMES_FILES_TOKENS and name != "objects_dump") \
            or name.endswith(NAMES_FILES_ENDINGS) or (name.startswith("viewer_") and not
                                                      name.startswith(VIEWER_SETTINGS)):
        return (f"no -{name}: it makes PETSc write or read files it names itself, outside "
                f"the run folder (use a viewer such as ascii:NAME, {WHERE})")
    return None


def viewer_parts(value: str) -> tuple[str, str | None, str, str]:
    """Split a viewer value as PETSc does: ``TYPE[:FILE[:FORMAT[:MODE]]]`` into type
    (``ascii`` when empty), file (``None`` without a first colon), format and mode."""
    kind, colon, rest = value.partition(":")
    file, _, rest = rest.partition(":")
    fmt, _, mode = rest.partition(":")
    return kind or "ascii", file if colon else None, fmt, mode


def _viewer_file(name: str, value: str) -> str | None:
    """The file name a viewer value writes (``None``: the terminal).

    Raises
    ------
    ValueError
        With what was expected, for any other target.
    """
    kind, file, _, mode = viewer_parts(value)
    if kind in NO_DISPLAY:
        raise ValueError(f"no {kind} viewer: pdekit runs without a display (view into a "
                         f"file instead: ascii:NAME, {WHERE})")
    if kind not in FILE_VIEWERS or (name == "log_view" and kind != "ascii"):
        allowed = "ascii" if name == "log_view" else ", ".join(FILE_VIEWERS)
        raise ValueError(f"a viewer to the terminal or a file ({allowed}; ascii:NAME is "
                         f"{WHERE})")
    if mode.lower() not in ("", "write", "append"):
        raise ValueError("a file mode write or append (ascii:NAME:FORMAT:append)")
    if kind == "ascii" and file in (None, *TERMINAL):
        return None
    if not file:
        raise ValueError(f"a file name after {kind}: ({kind}:NAME is {WHERE})")
    if not SAFE_NAME.fullmatch(file):
        raise ValueError(f"a plain file name after {kind}: (letters, digits, '.', '_', '-'; "
                         f"no folders; {kind}:NAME is {WHERE})")
    return file


def check_option(name: str, value: str | None, from_case: bool) -> str | None:
    """Whether PETSc option ``-name value`` may be set, and the file it writes.

    Parameters
    ----------
    name, value
        The option without its dash, and its value (``None``: a bare flag).
    from_case
        Whether it comes from a case file (not typed after ``--``).

    Returns
    -------
    str or None
        The plain file name that :func:`placed` puts into the run folder, or ``None``
        when it writes no file.

    Raises
    ------
    ValueError
        With what is allowed, for an option that would write or read elsewhere.
    """
    name = name.lower()
    expected = _refusal(name, value, from_case)
    if expected is not None:
        raise ValueError(expected)
    if not VIEWER_NAME.search(name) or value is None or NO_FILE_VALUE.fullmatch(value):
        return None
    return _viewer_file(name, value)


def file_targets(options: Sequence[tuple[str, str | None]]) -> dict[str, str]:
    """Option name -> file name, for the options (checked already) that write a file
    (of an option given twice the last, as PETSc's database keeps it)."""
    targets: dict[str, tuple[str, str]] = {}
    for name, value in options:
        file = check_option(name, value, from_case=False)
        targets.pop(name.lower(), None)
        if file is not None:
            targets[name.lower()] = (name, file)
    return dict(targets.values())


def _terminal_form(value: str) -> str:
    """A ``-log_view`` value to the terminal with the same format (which tells PETSc
    at start-up whether to log nested, for ``ascii_xml`` and ``ascii_flamegraph``)."""
    fmt = viewer_parts(value)[2]
    return f"::{fmt}" if fmt else ""


def placed(options: Sequence[tuple[str, str | None]], folder: Path | str | None
           ) -> list[tuple[str, str | None]]:
    """``options`` with each file name moved into ``folder``; ``-log_view`` to a file
    becomes its terminal form (the run writes the file: :func:`log_view_target`).

    ``folder`` (a path PETSc can take: no ``:``) must exist; ``None`` places nothing but
    the log (the options PETSc starts with: :func:`at_startup`).
    """
    result = []
    for name, value in options:
        file = check_option(name, value, from_case=False)
        if file is not None and value is not None:
            if name.lower() == "log_view":
                value = _terminal_form(value)
            elif folder is not None:
                kind, _, fmt, mode = viewer_parts(value)
                value = ":".join([kind, str(Path(folder) / file), fmt, mode]).rstrip(":")
        result.append((name, value))
    return result


def at_startup(options: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The options as PETSc may start with them: ``-log_view`` to the terminal (nothing
    else a start-up option names can be a file: :func:`check_option`)."""
    return placed(options, None)


def log_view_target(options: Sequence[tuple[str, str | None]], folder: Path | str
                    ) -> str | None:
    """The ``-log_view`` value that writes the log into ``folder`` (the last one given
    wins, as in PETSc), or ``None`` when the log goes to the terminal or is not asked for."""
    target = None
    for name, value in options:
        if name.lower() == "log_view":
            file = check_option(name, value, from_case=False)
            target = None if file is None or value is None else \
                ":".join(["ascii", str(Path(folder) / file), *viewer_parts(value)[2:]]
                         ).rstrip(":")
    return target
