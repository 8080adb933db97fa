"""The one iteration loop of the optimizers: stop tests, history, callbacks, counts.

Each method supplies a *step* (``(iterate, k) -> Step``, from the current iterate to the
next) and the driver does the rest the same way for all of them:

1. before each step, the stop test (``converged(iterate) -> reason | None``) ends the run
   successfully;
2. a step that finds no acceptable point raises :class:`NoStep` (the run ends there,
   unsuccessfully, the step not counted);
3. after each step, the record (``nit``, ``fun``, ``grad_norm`` and the method's own
   columns) is appended to the history and handed to ``callback(x, record)``, which may
   return a reason to stop (a time limit, a loss target); a step may also ask to halt
   after it is recorded (a trust region that collapsed);
4. after the last allowed step, the stop test is applied once more.

The iterate's ``x`` may be a TensorFlow tensor or a NumPy array: the driver never looks
inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Iterate:
    """A point with its loss, gradient and gradient norm; ``state`` holds what the method
    computed there and wants to reuse (a factorized model, say)."""

    x: Any
    f: float
    g: Any
    gnorm: float
    state: Any = None


@dataclass
class Step:
    """The outcome of one step: the next iterate, the method's record columns, and a reason
    to stop after recording it (or None)."""

    iterate: Iterate
    record: dict[str, Any] = field(default_factory=dict)
    halt: str | None = None


class NoStep(Exception):
    """Raised by a step that found no acceptable point; the message says why."""


@dataclass
class Run:
    """What the driver returns: the last iterate, iterations done, why it stopped."""

    iterate: Iterate
    nit: int
    success: bool
    message: str
    history: list[dict[str, Any]]


StopTest = Callable[[Iterate], "str | None"]
Callback = Callable[[Any, dict[str, Any]], "str | None"]


def gradient_test(gtol: float, ftol: float | None = None) -> StopTest:
    """Converged when ``‖g‖ <= gtol`` or (with ``ftol``) ``f <= ftol``."""
    def converged(it: Iterate) -> str | None:
        if it.gnorm <= gtol:
            return f"gradient norm {it.gnorm:.3e} <= gtol {gtol:g}"
        if ftol is not None and it.f <= ftol:
            return f"loss {it.f:.3e} <= ftol {ftol:g}"
        return None

    return converged


def iterate(start: Iterate, step: Callable[[Iterate, int], Step], *, maxiter: int,
            converged: StopTest, callback: Callback | None = None,
            first_record: dict[str, Any] | None = None) -> Run:
    """Run ``step`` from ``start`` until a stop test, a failed step or ``maxiter`` steps.

    Parameters
    ----------
    start
        The first iterate.
    step
        ``(iterate, k) -> Step`` for the ``k``-th step (1-based); raises :class:`NoStep`.
    maxiter
        Most steps.
    converged
        The stop test applied before each step and after the last one.
    callback
        ``callback(x, record) -> reason | None`` after each recorded step.
    first_record
        Extra columns of the history's first row (the start).
    """
    current = start
    history = [{"nit": 0, "fun": start.f, "grad_norm": start.gnorm, **(first_record or {})}]
    for nit in range(1, maxiter + 1):
        reason = converged(current)
        if reason:
            return Run(current, nit - 1, True, reason, history)
        try:
            outcome = step(current, nit)
        except NoStep as failure:
            return Run(current, nit - 1, False, str(failure), history)
        current = outcome.iterate
        record = {"nit": nit, "fun": current.f, "grad_norm": current.gnorm, **outcome.record}
        history.append(record)
        stop = callback(current.x, record) if callback is not None else None
        if stop or outcome.halt:
            return Run(current, nit, False, stop or outcome.halt or "", history)
    reason = converged(current)
    return Run(current, maxiter, reason is not None, reason or "maximum iterations reached",
               history)
