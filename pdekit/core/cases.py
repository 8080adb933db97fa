"""Case files: read TOML, apply ``--set`` overrides, validate against the kind's model.

The core knows only the ``[case]`` table; every other section belongs to the kind, which
declares it as a typed model (:mod:`pdekit.core.casemodel`). A ``--set case.kind=...`` is
applied first, so the other overrides are checked against the new kind's model.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any, Mapping, Sequence

from pdekit.core.casefields import field_annotation, is_text_field
from pdekit.core.casemodel import KindCase, case_from_document
from pdekit.errors import CaseError
from pdekit.core.plugin import KindPlugin, kinds
from pdekit.core.registry import UnknownName, did_you_mean
from pdekit.core.renames import rename_document, rename_override

__all__ = ["LoadedCase", "bundled_cases_dir", "check_case_file", "load_case", "plugin_for",
           "read_toml"]


def plugin_for(kind: Any, source: str | Path = "case") -> KindPlugin:
    """The plugin of ``kind``; a :class:`CaseError` on ``case.kind`` for unknown kinds."""
    if not isinstance(kind, str):
        raise CaseError(source, "case.kind", "a string", kind)
    try:
        return kinds().get(kind)
    except UnknownName as error:
        raise CaseError(source, "case.kind", str(error), kind) from None


def check_case_file(path: str | Path) -> None:
    """Raise a one-line :class:`CaseError` unless ``path`` is a regular file (a missing
    file, a folder, or a FIFO that would block)."""
    if not Path(path).is_file():
        raise CaseError(path, "", "an existing case file (TOML)", None)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a one-line :class:`CaseError`."""
    path = Path(path)
    check_case_file(path)
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise CaseError(path, "", f"valid TOML ({error})", None) from None
    except RecursionError:
        raise CaseError(path, "", "TOML nested at most a few hundred levels deep", None) \
            from None
    except ValueError:  # an integer of over 4,300 digits (Python's own limit)
        raise CaseError(path, "", "TOML with integers of at most 4,300 digits", None) \
            from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError(path, "", f"a readable UTF-8 file ({error})", None) from None


def _split_override(override: str) -> tuple[list[str], str]:
    if "=" not in override or "." not in override.split("=", 1)[0]:
        raise CaseError("--set", override, "SECTION.KEY=VALUE", None)
    dotted, text = override.split("=", 1)
    path = dotted.strip().split(".")
    if any(not part for part in path):
        raise CaseError("--set", dotted, "SECTION.KEY=VALUE", None)
    return path, text.strip()


def _typed_value(text: str, text_field: bool) -> Any:
    """An override's value: verbatim for text keys, else read as TOML (bare words stay text,
    for the model to say what it expected)."""
    if text_field:
        quoted = len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"
        return text[1:-1] if quoted else text
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):  # too deep, too many digits
        return text


def apply_override(document: dict[str, Any], override: str, model: type[KindCase]) -> None:
    """Apply one ``SECTION.KEY=VALUE`` (or ``SECTION.TABLE.KEY=VALUE``) to ``document``."""
    path, text = _split_override(override)
    try:
        annotation = field_annotation(model, path)
    except KeyError as error:
        options = error.args[0]
        depth = next(i for i in range(len(path)) if _is_unknown(model, path[:i + 1]))
        what = "section" if depth == 0 else "key"
        hint = ""
        if depth == len(path) - 1 and "parameters" in (options or ()):
            hint = f"; a model parameter goes under {'.'.join(path[:-1])}.parameters." \
                   f"{path[-1]}"
        raise CaseError("--set", ".".join(path),
                        f"a known {what} {did_you_mean(path[depth], options)}{hint}"
                        if options else f"a key of a table, not of {'.'.join(path[:depth])}",
                        None) from None
    table = document
    for step in path[:-1]:
        child = table.setdefault(step, {})
        if not isinstance(child, dict):
            raise CaseError("--set", ".".join(path), f"{step} to be a table", child)
        table = child
    table[path[-1]] = _typed_value(text, is_text_field(annotation))


def _is_unknown(model: type[KindCase], path: list[str]) -> bool:
    try:
        field_annotation(model, path)
    except KeyError:
        return True
    return False


class LoadedCase:
    """A validated case with its plugin and what the plugin prepared from it.

    Attributes
    ----------
    case
        The typed case (the kind's :class:`~pdekit.core.casemodel.KindCase`).
    plugin
        The kind's plugin.
    prepared
        What ``plugin.prepare(case)`` built (model, grid, mesh options, ...), handed to
        ``plugin.run``.
    """

    def __init__(self, case: KindCase, plugin: KindPlugin, prepared: Any):
        self.case, self.plugin, self.prepared = case, plugin, prepared


DICT_SOURCE = Path("<dict>")
"""The source named in errors about a case given as a Python mapping; its relative paths
(initial data, mesh files, weights) are taken from the working directory."""


def load_case(source: str | Path | Mapping[str, Any], overrides: Sequence[str] = (),
              solver_args: Sequence[str] = (), origin: Path | None = None) -> LoadedCase:
    """Load, override, validate and prepare a case file (or the same tables as a mapping).

    Parameters
    ----------
    source
        The case file, or its tables.
    overrides, solver_args
        ``--set`` overrides and the options after ``--``.
    origin
        For a mapping: the file it came from (errors name it; its relative paths are
        taken beside it). Default :data:`DICT_SOURCE`.

    Raises
    ------
    CaseError
        On any bad input, naming the file and key.
    """
    if isinstance(source, Mapping):
        path = origin if origin is not None else DICT_SOURCE
        document = copy.deepcopy(dict(source))
    else:
        path = Path(source)
        document = read_toml(path)
    written = copy.deepcopy(document)
    case_table = document.get("case")
    if not isinstance(case_table, dict) or "kind" not in case_table:
        raise CaseError(path, "case.kind", "a [case] table with kind = \"...\"", None)
    # The kind first: every other override is checked against the new kind's model.
    kind_overrides = [o for o in overrides if _split_override(o)[0] == ["case", "kind"]]
    for override in kind_overrides:
        case_table["kind"] = _typed_value(_split_override(override)[1], text_field=True)
    plugin = plugin_for(document["case"]["kind"], "--set" if kind_overrides else path)
    renamed = plugin.case_model.renamed
    notices = rename_document(document, renamed, str(path))
    for override in overrides:
        if override not in kind_overrides:
            key, text = _split_override(override)
            key, notice = rename_override(key, renamed)
            notices += [notice] if notice else []
            apply_override(document, f"{'.'.join(key)}={text}", plugin.case_model)
    notices += rename_document(document, renamed, "--set")  # renamed values given by --set
    case = case_from_document(plugin.case_model, document, path, tuple(overrides),
                              tuple(solver_args), written, tuple(dict.fromkeys(notices)))
    name = case.name
    if not name or "/" in name or "\0" in name or name.startswith(".") or len(name) > 200:
        raise case.error("case.name", "a plain folder name (no '/', not starting with '.', "
                         "at most 200 characters)", name)
    if solver_args and not plugin.solver_options:
        raise CaseError("command line", "--", f"no solver options for kind {case.kind!r}",
                        list(solver_args))
    return LoadedCase(case, plugin, plugin.prepare(case))


def bundled_cases_dir() -> Path | None:
    """The ``cases/`` folder shipped beside the package (a source checkout), if any."""
    candidate = Path(__file__).resolve().parents[2] / "cases"
    return candidate if candidate.is_dir() else None

