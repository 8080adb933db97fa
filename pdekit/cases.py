"""Case files: load TOML, apply ``--set`` overrides, find the plugin for ``[case] kind``.

The core knows only the ``[case]`` table (``kind``, optional ``name``); every other
section belongs to the plugin, which declares it in its ``SCHEMA``. Plugins are imported
only when a case of their kind is used, so ``pdekit list`` and a finite-difference case
never import TensorFlow, NGSolve or PETSc.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any, Sequence

from pdekit.errors import CaseError
from pdekit.schema import Key, REQUIRED, coerce, did_you_mean, resolve

BUILTIN_KINDS: dict[str, str] = {
    "turing": "pdekit.fd.case",
    "poisson-pinn": "pdekit.pinn.case",
    "eigen": "pdekit.fem.case",
}
"""Kind name -> module implementing it (``SCHEMA``, ``DESCRIPTION``, ``run``)."""

CASE_TABLE = {
    "kind": Key(str, help="which solver plugin runs this case (see `pdekit list`)"),
    "name": Key(str, None, "output folder name under results/ (default: the file's stem)"),
}


@dataclass
class Case:
    """A validated case, ready to run.

    Attributes
    ----------
    name, kind
        From ``[case]``; ``name`` defaults to the file's stem.
    source
        The case file.
    params
        ``section -> key -> value`` with all defaults filled in (plugin schema).
    overrides
        The ``--set`` strings applied, in order.
    solver_args
        Extra solver options given after ``--`` on the command line.
    """

    name: str
    kind: str
    source: Path
    params: dict[str, dict[str, Any]]
    overrides: list[str] = field(default_factory=list)
    solver_args: list[str] = field(default_factory=list)

    def __getitem__(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.params[section][key]

    def resolved(self) -> dict[str, Any]:
        """The whole case as a TOML-like dict (what ``pdekit check`` prints)."""
        return {"case": {"kind": self.kind, "name": self.name}, **self.params}


def available_kinds() -> dict[str, str]:
    """Built-in kinds plus third-party ones from the ``pdekit.plugins`` entry points."""
    kinds = dict(BUILTIN_KINDS)
    for entry in entry_points(group="pdekit.plugins"):
        kinds.setdefault(entry.name, entry.value)
    return kinds


def plugin_for(kind: str, source: str | Path = "case") -> ModuleType:
    """Import and return the plugin module for ``kind``."""
    kinds = available_kinds()
    if kind not in kinds:
        raise CaseError(source, "case.kind", f"a known kind {did_you_mean(kind, list(kinds))}",
                        kind)
    return importlib.import_module(kinds[kind])


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a one-line :class:`CaseError`."""
    path = Path(path)
    if not path.is_file():
        raise CaseError(path, "", "an existing case file (TOML)", None)
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as error:
        raise CaseError(path, "", f"valid TOML ({error})", None) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError(path, "", f"a readable UTF-8 file ({error})", None) from None


def _parse_override_value(text: str, spec: Key | None) -> Any:
    """Type an override's VALUE: strings stay raw, everything else is read as TOML."""
    if spec is not None and spec.type is str:
        return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word: let the schema say what it expected


def apply_override(document: dict[str, Any], override: str, schema: dict) -> None:
    """Apply one ``SECTION.KEY=VALUE`` (or ``SECTION.KEY.SUB=VALUE`` for tables)."""
    if "=" not in override or "." not in override.split("=", 1)[0]:
        raise CaseError("--set", override, "SECTION.KEY=VALUE", None)
    dotted, text = override.split("=", 1)
    section, key, *sub = dotted.strip().split(".")
    full_schema = {"case": CASE_TABLE, **schema}
    if section not in full_schema:
        raise CaseError("--set", dotted,
                        f"a known section {did_you_mean(section, list(full_schema))}", None)
    if key not in full_schema[section]:
        raise CaseError("--set", dotted,
                        f"a known key {did_you_mean(key, list(full_schema[section]))}", None)
    spec = full_schema[section][key]
    table = document.setdefault(section, {})
    if sub:
        if spec.type is not dict or len(sub) != 1:
            raise CaseError("--set", dotted, f"{section}.{key}=VALUE", None)
        table.setdefault(key, {})[sub[0]] = _parse_override_value(text.strip(), None)
    else:
        table[key] = _parse_override_value(text.strip(), spec)


def load_case(path: str | Path, overrides: Sequence[str] = (),
              solver_args: Sequence[str] = ()) -> tuple[Case, ModuleType]:
    """Load, override and validate a case file; return it with its plugin module.

    Raises
    ------
    CaseError
        On any bad input, naming the file and key.
    """
    path = Path(path)
    document = read_toml(path)
    case_table = document.get("case")
    if not isinstance(case_table, dict) or "kind" not in case_table:
        raise CaseError(path, "case.kind", "a [case] table with kind = \"...\"", None)
    for key in case_table:
        if key not in CASE_TABLE:
            raise CaseError(path, f"case.{key}",
                            f"a known key {did_you_mean(key, list(CASE_TABLE))}", None)
    kind = coerce(case_table["kind"], CASE_TABLE["kind"], str(path), "case.kind")
    plugin = plugin_for(kind, path)
    for override in overrides:
        apply_override(document, override, plugin.SCHEMA)
    overridden_kind = coerce(document["case"]["kind"], CASE_TABLE["kind"], "--set", "case.kind")
    if overridden_kind != kind:
        kind, plugin = overridden_kind, plugin_for(overridden_kind, "--set")
    name = document["case"].get("name") or path.stem
    name = coerce(name, Key(str), str(path), "case.name")
    if not name or "/" in name or name.startswith("."):
        raise CaseError(path, "case.name", "a plain folder name", name)
    source = f"{path} (with --set)" if overrides else str(path)
    params = resolve(document, plugin.SCHEMA, source)
    case = Case(name, kind, path, params, list(overrides), list(solver_args))
    validate = getattr(plugin, "validate", None)
    if validate is not None:
        validate(case)
    return case, plugin


def bundled_cases_dir() -> Path | None:
    """The ``cases/`` folder shipped beside the package (a source checkout), if any."""
    candidate = Path(__file__).resolve().parent.parent / "cases"
    return candidate if candidate.is_dir() else None


__all__ = ["Case", "CaseError", "REQUIRED", "available_kinds", "bundled_cases_dir",
           "load_case", "plugin_for", "read_toml"]
