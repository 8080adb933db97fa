"""One registry style for everything chosen by name: kinds, integrators, optimizers,
training stages, eigensolvers.

An entry is registered with its name and its capabilities (an integrator's order, whether it
needs a diagonal linear part or has an error estimate, whether a kind runs under
``pdekit eig`` ...). Entries may be objects or lazy ``"module:attribute"`` targets, loaded
with :meth:`importlib.metadata.EntryPoint.load` on first use, so a registry of plugins does
not import them until they are needed. Unknown names raise :class:`UnknownName`, whose
message lists the close matches (or everything available).

Modelled on Dedalus's ``@add_scheme`` decorator and py-pde's ``from_name`` lookups.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from types import MappingProxyType
from typing import Any, Callable, Generic, Iterator, Mapping, TypeVar

T = TypeVar("T")


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
class _Entry(Generic[T]):
    capabilities: Mapping[str, Any]
    value: T | None = None
    target: EntryPoint | None = None
    loaded: bool = field(default=False)


class Registry(Generic[T]):
    """Named entries with capabilities.

    Parameters
    ----------
    what
        What an entry is, for error messages ("time integrator", "kind", ...).

    Examples
    --------
    >>> SCHEMES = Registry[type]("scheme")
    >>> @SCHEMES.register("euler", order=1)
    ... class Euler: ...
    >>> SCHEMES.get("euler") is Euler, SCHEMES.capabilities("euler")["order"]
    (True, 1)
    """

    def __init__(self, what: str):
        self.what = what
        self._entries: dict[str, _Entry[T]] = {}

    def register(self, name: str, **capabilities: Any) -> Callable[[T], T]:
        """Decorator: register the decorated object under ``name``."""
        def decorate(value: T) -> T:
            self.add(name, value, **capabilities)
            return value

        return decorate

    def add(self, name: str, value: T, **capabilities: Any) -> None:
        """Register ``value`` under ``name`` (a second registration of a name is an error)."""
        self._check_new(name)
        self._entries[name] = _Entry(MappingProxyType(dict(capabilities)), value, loaded=True)

    def add_lazy(self, name: str, target: str | EntryPoint, **capabilities: Any) -> None:
        """Register a ``"module:attribute"`` target (or an entry point), loaded on first use."""
        self._check_new(name)
        if isinstance(target, str):
            target = EntryPoint(name=name, value=target, group=self.what)
        self._entries[name] = _Entry(MappingProxyType(dict(capabilities)), target=target)

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

    def capabilities(self, name: str) -> Mapping[str, Any]:
        """The capabilities ``name`` was registered with (read-only)."""
        if name not in self._entries:
            raise UnknownName(self.what, name, self.names())
        return self._entries[name].capabilities

    def names(self, **required: Any) -> list[str]:
        """Registered names in registration order, optionally only those whose
        capabilities equal ``required`` (``names(error_estimate=True)``)."""
        return [name for name, entry in self._entries.items()
                if all(entry.capabilities.get(key) == value for key, value in required.items())]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
