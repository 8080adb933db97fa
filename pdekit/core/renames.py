"""Renamed case-file keys and values: the old spelling keeps working for one release.

A kind lists its renames on its case model (:attr:`pdekit.core.casemodel.KindCase.renamed`).
Before validation, :func:`rename_document` rewrites a case file's tables to the new
spelling and :func:`rename_override` does the same to a ``--set`` key; each rewrite yields
a one-line notice that the run prints on stderr (not under ``--quiet``), so a user's case
files go on running while they learn the new word.

A key path is dotted (``network.dtype``); ``*`` stands for any name of a table of tables
(``geometry.primitives.*.kind``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

REMOVED_IN = "0.3"
"""The release from which the old spellings stop working."""


@dataclass(frozen=True)
class Renamed:
    """One renamed key, or renamed values of a key.

    Attributes
    ----------
    old
        The old dotted key path.
    new
        The new dotted key path (the same table); ``None``: the key keeps its name and only
        values are renamed.
    values
        Old value -> new value.
    """

    old: str
    new: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The key's current name."""
        return self.new or self.old


def _matches(pattern: list[str], path: list[str]) -> bool:
    return len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path))


def _tables(document: Any, pattern: list[str], prefix: list[str]):
    """``(table, dotted path)`` of every table that the pattern's parent part names."""
    if not pattern:
        yield document, prefix
        return
    if not isinstance(document, dict):
        return
    head, rest = pattern[0], pattern[1:]
    names = list(document) if head == "*" else [head]
    for name in names:
        if name in document:
            yield from _tables(document[name], rest, prefix + [name])


def _notice(source: str, old: str, new: str) -> str:
    return (f"{source}: {old} is now {new}; the old spelling works until pdekit "
            f"{REMOVED_IN}")


def rename_document(document: dict[str, Any], renames: tuple[Renamed, ...],
                    source: str) -> list[str]:
    """Rewrite ``document`` (parsed case tables) to the new keys and values, in place.

    Returns
    -------
    list of str
        One notice per rewrite. A table holding both the old and the new key keeps both
        (validation then names the unknown old key).
    """
    notices = []
    for rename in renames:
        *parent, old_key = rename.old.split(".")
        new_key = rename.new.split(".")[-1] if rename.new else old_key
        for table, where in _tables(document, parent, []):
            if not isinstance(table, dict):
                continue
            if rename.new and old_key in table and new_key not in table:
                table[new_key] = table.pop(old_key)
                notices.append(_notice(source, ".".join(where + [old_key]),
                                       ".".join(where + [new_key])))
            value = table.get(new_key)
            if isinstance(value, str) and value in rename.values:
                table[new_key] = rename.values[value]
                dotted = ".".join(where + [new_key])
                notices.append(_notice(source, f"{dotted} = {value!r}",
                                       f"{dotted} = {rename.values[value]!r}"))
    return notices


def rename_override(path: list[str], renames: tuple[Renamed, ...]) -> tuple[list[str], str | None]:
    """The ``--set`` key path in the new spelling, and a notice if it was renamed."""
    for rename in renames:
        if rename.new and _matches(rename.old.split("."), path):
            new = path[:-1] + [rename.new.split(".")[-1]]
            return new, _notice("--set", ".".join(path), ".".join(new))
    return path, None
