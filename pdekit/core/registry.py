"""One registry style for everything chosen by name: kinds, integrators, optimizers,
training stages, eigensolvers.

An entry is registered with its name and its capabilities: an instance of the registry's
*traits* class, a frozen dataclass (an integrator's order, whether it needs a diagonal
linear part or has an error estimate, whether an optimizer works on residuals ...), so a
capability is read as an attribute and a misspelt or missing one fails at registration, not
at use. Entries may be objects or lazy ``"module:attribute"`` targets, loaded with
:meth:`importlib.metadata.EntryPoint.load` on first use, so a registry of plugins does not
import them until they are needed. Unknown names raise :class:`UnknownName`, whose message
lists the close matches (or everything available).

Modelled on Dedalus's ``@add_scheme`` decorator and py-pde's ``from_name`` lookups.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from typing import Any, Callable, Generic, Iterator, TypeVar

T = TypeVar("T")
C = TypeVar("C")


@dataclass(frozen=True)
class NoTraits:
    """The traits of a registry whose entries differ only by name."""


def did_you_mean(name: str, options: list[str] | tuple[str, ...]) -> str:
    """A ``(did you mean 'x'?)`` hint, or ``(available: ...)`` when nothing is close."""
    close = difflib.get_close_matches(str(name), [str(o) for o in options], n=1)
    if close:
        return f"(did you mean {close[0]!r}?)"
    return "(available: " + ", ".join(sorted(map(str, options))) + ")"


class UnknownName(LookupError):
    """A name that is not in a registry; ``str()`` is the phrase of what was expected."""

    def __init__(self, what: str, name: str, options: list[str]):
        self.what, self.name, self.options = what, name, options
        super().__init__(f"a known {what} {did_you_mean(name, options)}")


@dataclass
class _Entry(Generic[T, C]):
    traits: C
    value: T | None = None
    target: EntryPoint | None = None
    loaded: bool = field(default=False)


class Registry(Generic[T, C]):
    """Named entries with typed capabilities.

    Parameters
    ----------
    what
        What an entry is, for error messages ("time integrator", "kind", ...).
    traits
        The frozen dataclass of an entry's capabilities; ``add(name, value, **fields)``
        builds one, so an unknown or missing field is a ``TypeError`` at registration.

    Examples
    --------
    >>> @dataclass(frozen=True)
    ... class SchemeTraits:
    ...     order: int
    >>> SCHEMES = Registry[type, SchemeTraits]("scheme", SchemeTraits)
    >>> @SCHEMES.register("euler", order=1)
    ... class Euler: ...
    >>> SCHEMES.get("euler") is Euler, SCHEMES.capabilities("euler").order
    (True, 1)
    """

    def __init__(self, what: str, traits: type[C] = NoTraits):  # type: ignore[assignment]
        if not (dataclasses.is_dataclass(traits) and traits.__dataclass_params__.frozen):
            raise TypeError(f"the traits of a {what} registry must be a frozen dataclass")
        self.what, self.traits = what, traits
        self._entries: dict[str, _Entry[T, C]] = {}

    def register(self, name: str, **capabilities: Any) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name``."""
        def decorate(value: T) -> T:
            self.add(name, value, **capabilities)
            return value

        return decorate

    def add(self, name: str, value: T, **capabilities: Any) -> None:
        """Register ``value`` under ``name`` (a second registration of a name is an error)."""
        self._check_new(name)
        self._entries[name] = _Entry(self.traits(**capabilities), value, loaded=True)

    def add_lazy(self, name: str, target: str | EntryPoint, **capabilities: Any) -> None:
        """Register a ``"module:attribute"`` target (or an entry point), loaded on first use."""
        self._check_new(name)
        if isinstance(target, str):
            target = EntryPoint(name=name, value=target, group=self.what)
        self._entries[name] = _Entry(self.traits(**capabilities), target=target)

    def _check_new(self, name: str) -> None:
        if name in self._entries:
            raise ValueError(f"{self.what} {name!r} is registered twice")

    def get(self, name: str) -> T:
        """The entry called ``name``; raises :class:`UnknownName` for unknown names."""
        entry = self._entries.get(name)
        if entry is None:
            raise UnknownName(self.what, name, self.names())
        if not entry.loaded:
            assert entry.target is not None
            entry.value, entry.loaded = entry.target.load(), True
        return entry.value  # type: ignore[return-value]

    def capabilities(self, name: str) -> C:
        """The capabilities ``name`` was registered with (a frozen dataclass)."""
        if name not in self._entries:
            raise UnknownName(self.what, name, self.names())
        return self._entries[name].traits

    def names(self, **required: Any) -> list[str]:
        """Registered names in registration order, optionally only those whose
        capabilities equal ``required`` (``names(error_estimate=True)``); a field the
        traits do not have is a ``TypeError``."""
        fields = {f.name for f in dataclasses.fields(self.traits)}  # type: ignore[arg-type]
        unknown = set(required) - fields
        if unknown:
            raise TypeError(f"{self.what} capabilities have no {', '.join(sorted(unknown))}")
        return [name for name, entry in self._entries.items()
                if all(getattr(entry.traits, key) == value for key, value in required.items())]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
