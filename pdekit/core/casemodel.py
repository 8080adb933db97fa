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
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from pdekit.core.casefields import is_model, unwrap
from pdekit.core.caseerrors import KeyError_, case_error
from pdekit.errors import CaseError
from pdekit.core.registry import did_you_mean
from pdekit.core.renames import Renamed

__all__ = ["CaseTable", "Field", "KeyError_", "KindCase", "Section", "case_from_document",
           "finite", "choice"]


class Section(BaseModel):
    """One ``[section]`` of a case file: strict types, no unknown keys, finite floats."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False,
                              validate_default=False)

    def inapplicable_keys(self) -> frozenset[str]:
        """Keys whose defaults do not apply given the section's other values (a disk
        domain's ``x``): left out of :meth:`KindCase.resolved`, so that a printed case is
        one the validators accept again. None by default."""
        return frozenset()


def _without_inapplicable(model: Any, data: Any) -> Any:
    """``data`` (a JSON dump of ``model``) without every section's inapplicable keys."""
    if isinstance(model, Section) and isinstance(data, dict):
        return {key: _without_inapplicable(getattr(model, key, None), value)
                for key, value in data.items() if key not in model.inapplicable_keys()}
    if isinstance(model, (list, tuple)) and isinstance(data, list):
        return [_without_inapplicable(m, d) for m, d in zip(model, data)]
    if isinstance(model, dict) and isinstance(data, dict):
        return {key: _without_inapplicable(model.get(key), value)
                for key, value in data.items()}
    return data


class CaseTable(Section):
    """The core's ``[case]`` table."""

    kind: str = Field(description="which solver plugin runs this case (see `pdekit list`)")
    name: str | None = Field(None, min_length=1, description="output folder name under "
                                                           "results/ (default: the file's "
                                                           "stem)")


class KindCase(Section):
    """A whole case file of one kind: ``[case]`` plus the kind's sections.

    After :func:`case_from_document` it also knows where it came from (:attr:`source`,
    :attr:`overrides`, :attr:`solver_args`) and which old spellings it used
    (:attr:`notices`).
    """

    renamed: ClassVar[tuple[Renamed, ...]] = ()
    """Keys and values renamed in a release; their old spellings keep working, with a
    notice (:mod:`pdekit.core.renames`)."""

    case: CaseTable
    _notices: tuple[str, ...] = PrivateAttr(default=())
    _source: Path = PrivateAttr(default=Path("case"))
    _overrides: tuple[str, ...] = PrivateAttr(default=())
    _solver_args: tuple[str, ...] = PrivateAttr(default=())
    _written: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.case.kind

    @property
    def name(self) -> str:
        """The output folder name: ``case.name``, or the case file's stem (the kind for a
        case given as a mapping, whose source ``<dict>`` has no usable stem)."""
        if self.case.name:
            return self.case.name
        return self.kind if self.source.name.startswith("<") else self.source.stem

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

    @property
    def notices(self) -> tuple[str, ...]:
        """One line per renamed key or value the case used (printed on stderr, not under
        ``--quiet``)."""
        return self._notices

    def error(self, key: str, expected: str, given: Any = None) -> CaseError:
        """A :class:`CaseError` about ``key`` of this case (raise it)."""
        return CaseError(self.source_label, key, expected, given)

    def resolved(self) -> dict[str, Any]:
        """The whole case with defaults filled in, as TOML-like data (``pdekit check``);
        what it prints is a case that loads again to the same case."""
        data = _without_inapplicable(self, self.model_dump(mode="json"))
        data["case"]["name"] = self.name
        return data

    def with_source(self, source: Path, overrides: tuple[str, ...] = (),
                    solver_args: tuple[str, ...] = (),
                    written: dict[str, Any] | None = None,
                    notices: tuple[str, ...] = ()) -> "KindCase":
        self._source, self._overrides, self._solver_args = source, overrides, solver_args
        self._written, self._notices = written or {}, notices
        return self

    @property
    def written(self) -> dict[str, Any]:
        """The case's tables as written, before overrides and defaults (a rerun with more
        overrides starts from them, as a second ``--set`` on the command line would)."""
        return self._written


# ------------------------------------------------------------------ small reusable checks

def finite(value: float) -> float:
    """Reject NaN and infinities (for floats inside free tables)."""
    if not math.isfinite(value):
        raise ValueError("a finite number")
    return value


def choice(*names: str) -> Any:
    """``Literal[names]`` built at run time (choices that come from a registry)."""
    return Literal.__getitem__(tuple(names))  # type: ignore[attr-defined]



def case_from_document(model: type[KindCase], document: dict[str, Any], source: Path,
                       overrides: tuple[str, ...] = (),
                       solver_args: tuple[str, ...] = (),
                       written: dict[str, Any] | None = None,
                       notices: tuple[str, ...] = ()) -> KindCase:
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
                is_model(unwrap(model.model_fields[section].annotation)):
            raise CaseError(label, section, "a table ([section])", table)
    try:
        case = model.model_validate(document)
    except ValidationError as error:
        raise case_error(error, model, label) from None
    return case.with_source(source, overrides, solver_args, written, notices)


