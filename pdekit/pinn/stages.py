"""Training-stage tables of a case file: methods, keys, defaults, checks (no TensorFlow).

The stages run in :mod:`pdekit.pinn.training`; this module only describes and checks them,
so that ``pdekit check`` can validate a case without importing TensorFlow.
"""

from __future__ import annotations

import math
from typing import Any

FIRST_ORDER = ("adam", "adamax")
SHARED_SCALAR = ("lbfgs", "newton-cg", "trust-ncg")
LEAST_SQUARES = ("gauss-newton", "levenberg-marquardt")
METHODS = FIRST_ORDER + SHARED_SCALAR + LEAST_SQUARES
JACOBIANS = ("explicit", "products")

STAGE_KEYS: dict[str, tuple[type, Any, str]] = {
    "method": (str, None, f"one of {', '.join(METHODS)}"),
    "iterations": (int, 1000, "maximum number of iterations (steps for adam/adamax)"),
    "time_limit": (float, None, "stop the stage after this many seconds"),
    "ftol": (float, 0.0, "stop when the loss is <= ftol"),
    "gtol": (float, 0.0, "stop when the gradient norm is <= gtol"),
    "lr": (float, 1e-3, "adam/adamax: learning rate"),
    "log_every": (int, 500, "adam/adamax: steps per compiled chunk (progress, history)"),
    "jacobian": (str, "explicit", "gauss-newton/levenberg-marquardt: 'explicit' Jacobian or "
                 "matrix-free 'products' (shared pdekit.optim solver, CG)"),
    "damping": (float, None, "gauss-newton (explicit): smallest relative damping "
                "mu/s_max^2 (default 1e-12); levenberg-marquardt: initial damping (relative "
                "to s_max^2 for explicit, default 1e-3; absolute for products)"),
    "cg_maxiter": (int, None, "CG iterations per step for the matrix-free methods"),
    "memory": (int, 10, "lbfgs: number of stored pairs"),
}
"""Stage key -> (type, default, help)."""

_ALLOWED = {
    "adam": {"lr", "log_every"}, "adamax": {"lr", "log_every"},
    "lbfgs": {"memory"}, "newton-cg": {"cg_maxiter"}, "trust-ncg": {"cg_maxiter"},
    "gauss-newton": {"jacobian", "damping", "cg_maxiter"},
    "levenberg-marquardt": {"jacobian", "damping", "cg_maxiter"},
}
_COMMON = {"method", "iterations", "time_limit", "ftol", "gtol"}


def stage_problem(stage: dict[str, Any]) -> tuple[str, str] | None:
    """Check one stage table; return ``(key, expected)`` describing the first problem, or None."""
    if not isinstance(stage, dict):
        return "", "a table such as {method = \"adam\", iterations = 1000}"
    method = stage.get("method")
    if method not in METHODS:
        return "method", f"one of {', '.join(METHODS)}"
    allowed = _COMMON | _ALLOWED[method]
    for key, value in stage.items():
        if key not in STAGE_KEYS:
            from pdekit.schema import did_you_mean

            return key, f"a known stage key {did_you_mean(key, sorted(STAGE_KEYS))}"
        if key not in allowed:
            return key, f"no {key!r} for method {method!r} (its keys: {', '.join(sorted(allowed))})"
        kind = STAGE_KEYS[key][0]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, kind):
            return key, {int: "an integer", float: "a number", str: "a string"}[kind]
        if key == "jacobian" and value not in JACOBIANS:
            return key, f"one of {', '.join(JACOBIANS)}"
        if key in ("iterations",) and value < 0:
            return key, "an integer >= 0"
        if key in ("log_every", "memory", "cg_maxiter") and value < 1:
            return key, "an integer >= 1"
        if key in ("lr", "time_limit") and not value > 0:
            return key, "a positive number"
        if key in ("ftol", "gtol", "damping") and not (value >= 0 and math.isfinite(value)):
            return key, "a finite number >= 0"
    return None


def with_defaults(stage: dict[str, Any]) -> dict[str, Any]:
    """The stage with every key of its method filled in."""
    keys = _COMMON | _ALLOWED[stage["method"]]
    full = {key: STAGE_KEYS[key][1] for key in sorted(keys)}
    full.update(stage)
    for key, value in full.items():
        if STAGE_KEYS[key][0] is float and isinstance(value, int):
            full[key] = float(value)
    return full
