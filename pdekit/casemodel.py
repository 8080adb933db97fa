"""Typed case models: each kind declares its case file once, as pydantic models.

Why pydantic v2 (and not frozen dataclasses with our own coercion): it gives one validation
path with exact key locations for every error (``grid.n``, ``training.stages[1].lr``),
tagged unions (training stages by ``method``), strict types (``true`` is not a number, ``"3"``
is not an integer), finite floats, per-instance copies of mutable defaults, and field
descriptions that ``pdekit list`` prints. Writing that ourselves is what the old
``schema.py`` did, three times over.

Conventions
-----------
- A section is a :class:`Section`; a kind's whole case file is a :class:`KindCase` whose
  fields are its sections (plus the core's ``[case]`` table).
- Field descriptions are the one-line help of ``pdekit list``.
- A validator raises ``ValueError("<what was expected>")``; one that checks another key of
  the same section raises :class:`KeyError_` naming it. Every error reaches the user as one
  :class:`~pdekit.errors.CaseError` line: file, dotted key, expected, given.
"""

from __future__ import annotations

import math
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from pdekit.errors import CaseError
from pdekit.registry import did_you_mean

__all__ = ["CaseTable", "Field", "KeyError_", "KindCase", "Section", "case_from_document",
           "describe_model", "field_annotation", "finite", "choice"]


class Section(BaseModel):
    """One ``[section]`` of a case file: strict types, no unknown keys, finite floats."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False,
                              validate_default=False)


class CaseTable(Section):
    """The core's ``[case]`` table."""

    kind: str = Field(description="which solver plugin runs this case (see `pdekit list`)")
    name: str | None = Field(None, min_length=1, description="output folder name under "
                                                           "results/ (default: the file's "
                                                           "stem)")


class KeyError_(ValueError):
    """A validation failure that names another key than the one being validated.

    Raised from a section's ``model_validator``: ``key`` is relative to the section
    (``"dt"`` in ``[time]``) and may hold dots and indices (``"stages[2].lr"``).
    """

    def __init__(self, key: str, expected: str, given: Any = None):
        super().__init__(expected)
        self.key, self.expected, self.given = key, expected, given


class KindCase(Section):
    """A whole case file of one kind: ``[case]`` plus the kind's sections.

    After :func:`case_from_document` it also knows where it came from (:attr:`source`,
    :attr:`overrides`, :attr:`solver_args`).
    """

    case: CaseTable
    _source: Path = PrivateAttr(default=Path("case"))
    _overrides: tuple[str, ...] = PrivateAttr(default=())
    _solver_args: tuple[str, ...] = PrivateAttr(default=())

    @property
    def kind(self) -> str:
        return self.case.kind

    @property
    def name(self) -> str:
        """The output folder name: ``case.name``, or the case file's stem."""
        return self.case.name or self.source.stem

    @property
    def source(self) -> Path:
        """The case file."""
        return self._source

    @property
    def source_label(self) -> str:
        """The case file as named in messages (``"x.toml (with --set)"`` after overrides)."""
        return f"{self._source} (with --set)" if self._overrides else str(self._source)

    @property
    def overrides(self) -> tuple[str, ...]:
        return self._overrides

    @property
    def solver_args(self) -> tuple[str, ...]:
        """Options given after ``--`` on the command line."""
        return self._solver_args

    def error(self, key: str, expected: str, given: Any = None) -> CaseError:
        """A :class:`CaseError` about ``key`` of this case (raise it)."""
        return CaseError(self.source_label, key, expected, given)

    def resolved(self) -> dict[str, Any]:
        """The whole case with defaults filled in, as TOML-like data (``pdekit check``)."""
        data = self.model_dump(mode="json")
        data["case"]["name"] = self.name
        return data

    def with_source(self, source: Path, overrides: tuple[str, ...] = (),
                    solver_args: tuple[str, ...] = ()) -> "KindCase":
        self._source, self._overrides, self._solver_args = source, overrides, solver_args
        return self


# ------------------------------------------------------------------ small reusable checks

def finite(value: float) -> float:
    """Reject NaN and infinities (for floats inside free tables)."""
    if not math.isfinite(value):
        raise ValueError("a finite number")
    return value


def choice(*names: str) -> Any:
    """``Literal[names]`` built at run time (choices that come from a registry)."""
    return Literal.__getitem__(tuple(names))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ walking a model's fields

def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _union_members(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return [_unwrap(a) for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tagged_member(annotation: Any, tag: str) -> type[BaseModel] | None:
    """The member of a tagged union whose discriminator field admits ``tag``."""
    for member in _union_members(annotation):
        if not _is_model(member):
            continue
        for info in member.model_fields.values():
            if get_origin(_unwrap(info.annotation)) is Literal and \
                    tag in get_args(_unwrap(info.annotation)):
                return member
    return None


def field_annotation(model: type[BaseModel], path: list[str]) -> Any:
    """The annotation of the field at ``path`` (``["grid", "n"]``), or raise KeyError
    with the names available at the first step that does not exist."""
    annotation: Any = model
    for i, step in enumerate(path):
        annotation = _unwrap(annotation)
        if _is_model(annotation):
            if step not in annotation.model_fields:
                raise KeyError(list(annotation.model_fields))
            annotation = annotation.model_fields[step].annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1] if get_args(annotation) else Any
        else:
            raise KeyError([])
    return annotation


def is_text_field(annotation: Any) -> bool:
    """True for ``str`` fields and string choices: a ``--set`` value is taken verbatim.

    Mixed unions (``str | int``, a preset by name or index) are read as TOML, so
    ``--set model.preset=3`` is the index 3 and ``--set model.preset=spots`` stays text.
    """
    return all(member is str or (get_origin(member) is Literal
                                 and all(isinstance(a, str) for a in get_args(member)))
               for member in _union_members(annotation))


# ------------------------------------------------------------------ errors as one line

_TYPE_PHRASES = {
    "int_type": "an integer", "int_from_float": "an integer", "float_type": "a number",
    "string_type": "a string", "bool_type": "true or false", "list_type": "a list",
    "dict_type": "a table", "model_type": "a table ([section] or { ... })",
    "model_attributes_type": "a table", "tuple_type": "a list",
    "finite_number": "a finite number", "missing": "a value",
}


def _expected(error: dict[str, Any], options: list[str] | None) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return f"a known key {did_you_mean(str(error['loc'][-1]), options or [])}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        return f"{ctx['discriminator']} one of {ctx['expected_tags']}"
    if kind == "string_too_short":
        return "a non-empty string"
    if kind == "greater_than":
        return f"a number > {ctx['gt']}"
    if kind == "greater_than_equal":
        return f"a number >= {ctx['ge']}"
    if kind == "less_than":
        return f"a number < {ctx['lt']}"
    if kind == "less_than_equal":
        return f"a number <= {ctx['le']}"
    if kind in ("too_short", "too_long"):
        low, high = ctx.get("min_length"), ctx.get("max_length")
        return f"a list of {low if kind == 'too_short' else high} items" if low is None or \
            high is None or low == high else f"a list of {low} to {high} items"
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        return str(ctx["error"])
    return _TYPE_PHRASES.get(kind, error["msg"][0].lower() + error["msg"][1:])


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for step in loc:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _readable_loc(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[tuple[Any, ...],
                                                                        list[str] | None]:
    """Drop tagged-union tags from ``loc``; also return the keys allowed where it ends."""
    annotation: Any = model
    kept: list[Any] = []
    options: list[str] | None = None
    for step in loc:
        annotation = _unwrap(annotation)
        members = _union_members(annotation)
        if len(members) > 1 and isinstance(step, str):
            tagged = _tagged_member(annotation, step)
            if tagged is not None:  # the union's tag: not part of the user's key path
                annotation = tagged
                continue
        kept.append(step)
        options = None
        if _is_model(annotation):
            options = list(annotation.model_fields)
            annotation = annotation.model_fields[step].annotation \
                if step in annotation.model_fields else None
        elif get_origin(annotation) in (list, dict) and get_args(annotation):
            annotation = get_args(annotation)[-1]
        else:
            annotation = None
    return tuple(kept), options


def _union_tags(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The tags a tagged union at ``loc`` accepts, as ``'a', 'b'`` (empty if unknown)."""
    annotation: Any = model
    for step in loc:
        annotation = _unwrap(annotation)
        if _is_model(annotation) and step in annotation.model_fields:
            annotation = annotation.model_fields[step].annotation
        elif get_origin(annotation) in (list, dict) and get_args(annotation):
            annotation = get_args(annotation)[-1]
    tags: list[str] = []
    for member in _union_members(annotation):
        for info in getattr(member, "model_fields", {}).values():
            inner = _unwrap(info.annotation)
            if get_origin(inner) is Literal:
                tags += [repr(t) for t in get_args(inner)]
                break
    return ", ".join(dict.fromkeys(tags))


def case_error(error: ValidationError, model: type[BaseModel], source: str,
               prefix: tuple[Any, ...] = ()) -> CaseError:
    """The first error of a pydantic ``ValidationError`` as one :class:`CaseError`."""
    first = error.errors(include_url=False)[0]
    loc, options = _readable_loc(model, tuple(first["loc"]))
    given = first.get("input")
    ctx_error = first.get("ctx", {}).get("error")
    if isinstance(ctx_error, KeyError_):
        loc = (*loc, *[p for p in ctx_error.key.split(".")])
        return CaseError(source, _dotted((*prefix, *loc)), ctx_error.expected, ctx_error.given)
    if first["type"] == "extra_forbidden":
        expected = _expected(first, options)
        if len(loc) == 1 and not prefix:
            expected = expected.replace("a known key", "a known section")
        given = None
    elif first["type"] == "missing":
        annotation = None
        try:
            info = _field_info(model, loc)
            annotation = info.description if info is not None else None
        except KeyError:
            pass
        expected = f"a value ({annotation})" if annotation else "a value"
        given = None
    elif first["type"] == "union_tag_not_found":  # name the missing tag key
        discriminator = first["ctx"]["discriminator"].strip("'")
        loc = (*loc, discriminator)
        tags = _union_tags(model, loc[:-1])
        expected = f"a value (one of {tags})" if tags else "a value"
        given = None
    elif first["type"] == "union_tag_invalid":  # name the tag key itself
        loc = (*loc, first["ctx"]["discriminator"].strip("'"))
        expected, given = f"one of {first['ctx']['expected_tags']}", first["ctx"]["tag"]
    else:
        expected = _expected(first, options)
        if isinstance(given, dict) and first["type"] not in ("model_type", "dict_type"):
            given = None
    return CaseError(source, _dotted((*prefix, *loc)), expected, given)


def _field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> FieldInfo | None:
    annotation: Any = model
    info = None
    for step in loc:
        annotation = _unwrap(annotation)
        if _is_model(annotation) and step in annotation.model_fields:
            info = annotation.model_fields[step]
            annotation = info.annotation
        elif get_origin(annotation) in (list, dict) and get_args(annotation):
            annotation, info = get_args(annotation)[-1], None
        else:
            return None
    return info


def case_from_document(model: type[KindCase], document: dict[str, Any], source: Path,
                       overrides: tuple[str, ...] = (),
                       solver_args: tuple[str, ...] = ()) -> KindCase:
    """Validate a parsed case file against its kind's model.

    Raises
    ------
    CaseError
        For the first problem found, as one line naming the file and the dotted key.
    """
    label = f"{source} (with --set)" if overrides else str(source)
    for section in document:  # unknown sections first: they explain the errors inside them
        if section not in model.model_fields:
            raise CaseError(label, section, "a known section "
                            f"{did_you_mean(section, list(model.model_fields))} of kind "
                            f"{document.get('case', {}).get('kind')!r}", None)
    for section, table in document.items():
        if section in model.model_fields and not isinstance(table, dict) and \
                _is_model(_unwrap(model.model_fields[section].annotation)):
            raise CaseError(label, section, "a table ([section])", table)
    try:
        case = model.model_validate(document)
    except ValidationError as error:
        raise case_error(error, model, label) from None
    return case.with_source(source, overrides, solver_args)


# ------------------------------------------------------------------ pdekit list

def _type_phrase(annotation: Any) -> str:
    annotation = _unwrap(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return "string" if all(isinstance(a, str) for a in get_args(annotation)) else "value"
    if origin in (Union, types.UnionType):
        phrases = dict.fromkeys(_type_phrase(a) for a in _union_members(annotation))
        return " or ".join(phrases)
    if origin is list:
        args = get_args(annotation)
        return f"list of {_type_phrase(args[0])}" if args else "list"
    if origin is dict:
        return "table"
    if _is_model(annotation):
        return "table"
    names = {int: "integer", float: "number", str: "string", bool: "boolean"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default_phrase(info: FieldInfo) -> str:
    from pdekit.tomlfmt import format_value

    if info.default is PydanticUndefined and info.default_factory is None:
        return "required"
    default = info.get_default(call_default_factory=True)
    if default is None:
        return "optional"
    if isinstance(default, BaseModel):
        return ""
    if isinstance(default, list) and default and isinstance(default[0], BaseModel):
        default = [d.model_dump(exclude_unset=True) for d in default]
    try:
        return f"= {format_value(default)}"
    except TypeError:
        return f"= {default!r}"


def describe_model(model: type[KindCase]) -> list[str]:
    """Lines documenting every section and key of a kind, for ``pdekit list``."""
    lines = []
    for section, info in model.model_fields.items():
        annotation = _unwrap(info.annotation)
        if section == "case" or not _is_model(annotation):
            continue
        lines.append(f"  [{section}]")
        for key, field_info in annotation.model_fields.items():
            kind = _type_phrase(field_info.annotation)
            choices = ""
            inner = _unwrap(field_info.annotation)
            if get_origin(inner) is Literal:
                choices = f" (one of {', '.join(map(str, get_args(inner)))})"
            lines.append(f"    {key:<14} {kind} {_default_phrase(field_info)}{choices}: "
                         f"{field_info.description or ''}")
    return lines


# typing.get_type_hints is not needed: pydantic resolves annotations when classes are built.
del typing
