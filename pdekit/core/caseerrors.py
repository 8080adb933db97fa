"""Every validation failure of a case as one line: file, dotted key, expected, given.

Translates pydantic's ``ValidationError`` (its first error) into a
:class:`~pdekit.errors.CaseError`: locations become dotted keys without tagged-union tags
(``training.stages[1].lr``), error types become phrases of what was expected, unknown keys
get a did-you-mean.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from pdekit.core.casefields import is_model, tagged_member, union_members, unwrap
from pdekit.errors import CaseError
from pdekit.core.registry import did_you_mean

__all__ = ["KeyError_", "case_error"]


class KeyError_(ValueError):
    """A validation failure that names another key than the one being validated.

    Raised from a section's ``model_validator``: ``key`` is relative to the section
    (``"dt"`` in ``[time]``) and may hold dots and indices (``"stages[2].lr"``).
    """

    def __init__(self, key: str, expected: str, given: Any = None):
        super().__init__(expected)
        self.key, self.expected, self.given = key, expected, given


_TYPE_PHRASES = {
    "int_type": "an integer", "int_from_float": "an integer", "float_type": "a number",
    "string_type": "a string", "bool_type": "true or false", "list_type": "a list",
    "dict_type": "a table", "model_type": "a table ([section] or { ... })",
    "model_attributes_type": "a table", "tuple_type": "a list",
    "finite_number": "a finite number", "missing": "a value",
}


_BOUNDS = {"greater_than": (">", "gt"), "greater_than_equal": (">=", "ge"),
           "less_than": ("<", "lt"), "less_than_equal": ("<=", "le")}
"""pydantic's bound errors: the relation to write and the context key holding the bound."""


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
    if kind in _BOUNDS:
        relation, key = _BOUNDS[kind]
        return f"a number {relation} {ctx[key]}"
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
        annotation = unwrap(annotation)
        members = union_members(annotation)
        if len(members) > 1 and isinstance(step, str):
            tagged = tagged_member(annotation, step)
            if tagged is not None:  # the union's tag: not part of the user's key path
                annotation = tagged
                continue
        kept.append(step)
        options = None
        if is_model(annotation):
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
        annotation = unwrap(annotation)
        if is_model(annotation) and step in annotation.model_fields:
            annotation = annotation.model_fields[step].annotation
        elif get_origin(annotation) in (list, dict) and get_args(annotation):
            annotation = get_args(annotation)[-1]
    tags: list[str] = []
    for member in union_members(annotation):
        for info in getattr(member, "model_fields", {}).values():
            inner = unwrap(info.annotation)
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
        annotation = unwrap(annotation)
        if is_model(annotation) and step in annotation.model_fields:
            info = annotation.model_fields[step]
            annotation = info.annotation
        elif get_origin(annotation) in (list, dict) and get_args(annotation):
            annotation, info = get_args(annotation)[-1], None
        else:
            return None
    return info
