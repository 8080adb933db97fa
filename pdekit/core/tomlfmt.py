"""Print a resolved case back as TOML (``pdekit check``)."""

from __future__ import annotations

import json
from typing import Any


def format_value(value: Any) -> str:
    """One value in TOML syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are valid TOML basic strings
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k} = {format_value(v)}" for k, v in value.items()
                                if v is not None) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def format_toml(document: dict[str, dict[str, Any]]) -> str:
    """Format ``section -> key -> value`` as TOML; keys whose value is None are commented."""
    lines: list[str] = []
    for section, table in document.items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            lines.append(f"# {key} = (not set)" if value is None else f"{key} = {format_value(value)}")
        lines.append("")
    return "\n".join(lines)
