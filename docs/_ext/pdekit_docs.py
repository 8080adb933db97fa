"""Sphinx directives that build pages from pdekit itself, so they cannot drift from it.

``.. pdekit-case-reference::``
    Every kind and every key of its case files, from the kinds' typed models: the same
    registry and field helpers as ``pdekit list`` (:mod:`pdekit.core.plugin`,
    :mod:`pdekit.core.casefields`).
``.. pdekit-gallery::``
    Every bundled case (``cases/*.toml``): its leading comment, picture and measured run
    time (``docs/gallery/``, written by ``docs/gallery.py``), and the case file itself. A
    case without its picture or time is a build warning (an error under ``-W``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"
GALLERY = ROOT / "docs" / "gallery"


def _section(directive: SphinxDirective, title: str, *children: nodes.Node) -> nodes.section:
    """A section with an id unique in the document (sections made by a directive need one)."""
    section = nodes.section()
    section += nodes.title(text=title)
    section["ids"].append(nodes.make_id(f"{directive.env.docname}-{title}"))
    section["names"].append(nodes.fully_normalize_name(title))
    directive.state.document.note_implicit_target(section, section)
    for child in children:
        section += child
    return section


def _table(headers: Sequence[str], rows: Sequence[Sequence[nodes.Node | str]],
           widths: Sequence[int]) -> nodes.table:
    """A plain table; string cells become paragraphs, nodes are used as they are."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=width) for width in widths)

    def row(cells: Sequence[nodes.Node | str]) -> nodes.row:
        line = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=cell) if isinstance(cell, str) else cell
            line += entry
        return line

    head = nodes.thead()
    head += row(headers)
    body = nodes.tbody()
    body.extend(row(cells) for cells in rows)
    group += head
    group += body
    return table


def _literal(text: str) -> nodes.paragraph:
    paragraph = nodes.paragraph()
    paragraph += nodes.literal(text=text)
    return paragraph


def key_rows(model: Any) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Each section of a kind's case model with its keys: (key, type, default, meaning).

    The same reading of the model as :func:`pdekit.core.casefields.describe_model` (the
    ``pdekit list`` text): its type and default phrases, choices of string keys.
    """
    from typing import Literal, get_args, get_origin

    from pdekit.core.casefields import default_phrase, is_model, type_phrase, unwrap

    sections = []
    for section, info in model.model_fields.items():
        annotation = unwrap(info.annotation)
        if section == "case" or not is_model(annotation):
            continue
        rows = []
        for key, field in annotation.model_fields.items():
            kind = type_phrase(field.annotation)
            inner = unwrap(field.annotation)
            if get_origin(inner) is Literal:
                kind += ": " + ", ".join(map(str, get_args(inner)))
            default = default_phrase(field).removeprefix("= ")
            rows.append((key, kind, default, field.description or ""))
        sections.append((section, rows))
    return sections


class CaseReference(SphinxDirective):
    """Every kind's case-file keys, from the registry of kinds."""

    def run(self) -> list[nodes.Node]:
        from pdekit.core.plugin import kinds

        registry = kinds()
        out = []
        for name in sorted(registry.names()):
            plugin = registry.get(name)
            facts = nodes.paragraph(text=f"Commands: {', '.join(plugin.commands)}; "
                                    + ("runs under mpiexec." if plugin.mpi else
                                       "serial only."))
            kind = _section(self, f'kind = "{name}"', nodes.paragraph(text=plugin.description),
                            facts)
            for section, rows in key_rows(plugin.case_model):
                table = _table(["key", "type", "default", "meaning"],
                               [(_literal(key), kind_, _literal(default) if default else "",
                                 text) for key, kind_, default, text in rows],
                               [14, 16, 14, 56])
                kind += _section(self, f"{name}: [{section}]", table)
            out.append(kind)
        return out


def case_comment(text: str) -> str:
    """The comment block at the top of a case file, as one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


class Gallery(SphinxDirective):
    """One section per bundled case: what it is, its picture, its run time, the file."""

    def run(self) -> list[nodes.Node]:
        from pdekit.core.cases import read_toml

        times_file = GALLERY / "times.json"
        self.env.note_dependency(str(times_file))
        times = json.loads(times_file.read_text()) if times_file.is_file() else {}
        entries = times.get("cases", {})
        out = []
        for path in sorted(CASES.glob("*.toml")):
            self.env.note_dependency(str(path))
            text = path.read_text()
            kind = read_toml(path).get("case", {}).get("kind", "?")
            children: list[nodes.Node] = []
            comment = case_comment(text)
            if comment:
                children.append(nodes.paragraph(text=comment))
            entry = entries.get(path.stem)
            picture = GALLERY / f"{path.stem}.png"
            if entry is None or not picture.is_file():
                self.reporter.warning(f"gallery: {path.name} has no picture or run time in "
                                      "docs/gallery/ (run docs/gallery.py)", line=self.lineno)
            else:
                load = f", load average {entry['load']:g}" if "load" in entry else ""
                children.append(nodes.paragraph(
                    text=f"kind = {kind}; run time {entry['seconds']:g} s "
                         f"(pdekit.solve on {times.get('machine', 'an unnamed machine')}"
                         f"{load}); picture: {entry['source']}"))
                children.append(nodes.image(uri=f"gallery/{path.stem}.png",
                                            alt=f"{entry['source']} of {path.name}"))
            command = nodes.literal_block(text=f"pdekit solve cases/{path.name}")
            command["language"] = "console"
            children.append(command)
            source = nodes.literal_block(text=text)
            source["language"] = "toml"
            children.append(source)
            out.append(_section(self, path.name, *children))
        return out


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("pdekit-case-reference", CaseReference)
    app.add_directive("pdekit-gallery", Gallery)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
