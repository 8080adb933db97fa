"""User-defined two-species reactions: f(u, v) and g(u, v) as expressions in the case file.

The expressions are parsed by :mod:`pdekit.expr` (a whitelist of arithmetic and named
math functions, checked on the syntax tree; nothing reaches ``eval``) and evaluated
vectorized on the whole grid with NumPy. Their parameters come from the case file.
"""

from __future__ import annotations

import ast
from typing import Mapping

import numpy as np

from pdekit.derivative import differentiate
from pdekit.expr import Expression, parse_expression
from pdekit.fd.models.base import ReactionModel, complex_step_entries

NON_ANALYTIC = frozenset({"abs", "where", "minimum", "maximum"})
"""Functions (and comparisons) whose complex extension is not the derivative's friend."""

FD_STEP = 1e-6


def _is_analytic(expression: Expression) -> bool:
    for node in ast.walk(expression.tree):
        if isinstance(node, ast.Compare):
            return False
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in NON_ANALYTIC:
            return False
    return True


class ExpressionModel(ReactionModel):
    """Reaction terms f(u, v), g(u, v) given as expressions.

    Parameters
    ----------
    f, g
        Expressions in the variables ``u`` and ``v`` and the named ``parameters``
        (``pi`` and ``e`` are known constants).
    parameters
        Named numbers used by the expressions; ``Du`` and ``Dv`` (the diffusion
        coefficients) must be among them and may be used in f and g too.
    guess
        Starting point of the steady-state search.

    Raises
    ------
    pdekit.expr.ExpressionError
        For an invalid or disallowed expression (the message says why).
    KeyError
        If ``Du`` or ``Dv`` is missing from ``parameters``.
    """

    name = "custom"
    default_preset = ""
    equations = "u_t = Du Lap u + f(u, v); v_t = Dv Lap v + g(u, v)"

    def __init__(self, f: str, g: str, parameters: Mapping[str, float],
                 guess: tuple[float, float] = (0.0, 0.0)):
        for needed in ("Du", "Dv"):
            if needed not in parameters:
                raise KeyError(needed)
        self.f_text, self.g_text = f, g
        self._parameters = {name: float(value) for name, value in parameters.items()}
        self.Du, self.Dv = self._parameters["Du"], self._parameters["Dv"]
        self.guess = (float(guess[0]), float(guess[1]))
        self._f = parse_expression(f, ("u", "v"), self._parameters)
        self._g = parse_expression(g, ("u", "v"), self._parameters)
        self._analytic = _is_analytic(self._f) and _is_analytic(self._g)
        self._derivatives: dict[str, tuple[Expression, Expression]] = {}

    def term_derivatives(self, term: str) -> tuple[Expression, Expression]:
        """(∂term/∂u, ∂term/∂v) of ``term`` = ``"f"`` or ``"g"``, differentiated exactly
        from the parsed expression (:func:`pdekit.derivative.differentiate`; built once).

        Raises
        ------
        pdekit.expr.ExpressionError
            If the expression cannot be differentiated.
        """
        if term not in self._derivatives:
            expression = {"f": self._f, "g": self._g}[term]
            self._derivatives[term] = (differentiate(expression, "u"),
                                       differentiate(expression, "v"))
        return self._derivatives[term]

    def reaction(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # broadcast: an expression without u or v (a constant) still gives full arrays
        f = self._f.evaluate("numpy", u=u, v=v)
        g = self._g.evaluate("numpy", u=u, v=v)
        shape = np.broadcast(u, v).shape
        return np.broadcast_to(f, shape), np.broadcast_to(g, shape)

    def jacobian_entries(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """(f_u, f_v, g_u, g_v) elementwise from the exact derivatives of f and g."""
        return tuple(d.evaluate("numpy", u=u, v=v)
                     for term in ("f", "g") for d in self.term_derivatives(term))

    def jacobian(self, u: float, v: float) -> np.ndarray:
        """Complex-step Jacobian for analytic expressions, else central differences (the
        steady-state search and the stability report; the PETSc backend assembles the
        exact :meth:`jacobian_entries`)."""
        if self._analytic:
            return np.array(complex_step_entries(self, u, v), dtype=float).reshape(2, 2)
        hu, hv = FD_STEP * max(1.0, abs(u)), FD_STEP * max(1.0, abs(v))
        fu1, gu1 = self.reaction(np.array(u + hu), np.array(v))
        fu0, gu0 = self.reaction(np.array(u - hu), np.array(v))
        fv1, gv1 = self.reaction(np.array(u), np.array(v + hv))
        fv0, gv0 = self.reaction(np.array(u), np.array(v - hv))
        return np.array([[(fu1 - fu0) / (2 * hu), (fv1 - fv0) / (2 * hv)],
                         [(gu1 - gu0) / (2 * hu), (gv1 - gv0) / (2 * hv)]], dtype=float)

    def steady_guess(self) -> tuple[float, float]:
        return self.guess

    def parameters(self) -> dict[str, object]:
        return {"f": self.f_text, "g": self.g_text, **self._parameters}
