"""Reading a case model's fields: the annotation at a dotted path (to type ``--set``
values), tagged unions, and the ``pdekit list`` description of every key."""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["default_phrase", "describe_model", "field_annotation", "is_model", "is_text_field",
           "tagged_member", "type_phrase", "union_members", "unwrap"]


def unwrap(annotation: Any) -> Any:
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


def union_members(annotation: Any) -> list[Any]:
    annotation = unwrap(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return [unwrap(a) for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def tagged_member(annotation: Any, tag: str) -> type[BaseModel] | None:
    """The member of a tagged union whose discriminator field admits ``tag``."""
    for member in union_members(annotation):
        if not is_model(member):
            continue
        for info in member.model_fields.values():
            if get_origin(unwrap(info.annotation)) is Literal and \
                    tag in get_args(unwrap(info.annotation)):
                return member
    return None


def field_annotation(model: type[BaseModel], path: list[str]) -> Any:
    """The annotation of the field at ``path`` (``["grid", "n"]``), or raise KeyError
    with the names available at the first step that does not exist."""
    annotation: Any = model
    for i, step in enumerate(path):
        annotation = unwrap(annotation)
        if is_model(annotation):
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
               for member in union_members(annotation))



def type_phrase(annotation: Any) -> str:
    annotation = unwrap(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return "string" if all(isinstance(a, str) for a in get_args(annotation)) else "value"
    if origin in (Union, types.UnionType):
        phrases = dict.fromkeys(type_phrase(a) for a in union_members(annotation))
        return " or ".join(phrases)
    if origin is list:
        args = get_args(annotation)
        return f"list of {type_phrase(args[0])}" if args else "list"
    if origin is dict:
        return "table"
    if is_model(annotation):
        return "table"
    names = {int: "integer", float: "number", str: "string", bool: "boolean"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def default_phrase(info: FieldInfo) -> str:
    from pdekit.core.tomlfmt import format_value

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


def describe_model(model: type[BaseModel]) -> list[str]:
    """Lines documenting every section and key of a kind, for ``pdekit list``."""
    lines = []
    for section, info in model.model_fields.items():
        annotation = unwrap(info.annotation)
        if section == "case" or not is_model(annotation):
            continue
        lines.append(f"  [{section}]")
        for key, field_info in annotation.model_fields.items():
            kind = type_phrase(field_info.annotation)
            choices = ""
            inner = unwrap(field_info.annotation)
            if get_origin(inner) is Literal:
                choices = f" (one of {', '.join(map(str, get_args(inner)))})"
            lines.append(f"    {key:<14} {kind} {default_phrase(field_info)}{choices}: "
                         f"{field_info.description or ''}")
    return lines

