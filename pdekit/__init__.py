"""pdekit: solve partial differential equations from TOML case files.

The Python API (the CLI is a thin shell over it)::

    import pdekit
    case = pdekit.load_case("cases/turing.toml", set=["grid.n=128"])
    result = pdekit.solve(case, out=False)
    result.u, result.summary["results"]

Importing pdekit is light: TensorFlow, NGSolve and PETSc load only when a case of a kind
that needs them is loaded or run.
"""

from typing import Any

__version__ = "0.1.0"

__all__ = ["CaseError", "NumericalError", "Result", "__version__", "load_case", "solve"]

_LAZY = {"load_case": "pdekit.api", "solve": "pdekit.api", "Result": "pdekit.result",
         "CaseError": "pdekit.errors", "NumericalError": "pdekit.errors"}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (PEP 562) so ``import pdekit`` stays cheap."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pdekit' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
