"""Exact derivatives of safe math expressions, by differentiating their syntax tree.

Used where a solver needs an analytic Jacobian of user-written terms (a custom reaction
``f(u, v)`` under PETSc TS): the derivative is a new :class:`~pdekit.expr.Expression`
built from the rules of calculus, so it is exact (no finite differences of code) and
evaluates on every backend the original does. Kinks follow NumPy's conventions:
``abs'(a) = sign(a)`` with ``abs'(0) = 1``, ``minimum(a, b)' = a'`` where ``a <= b``.
"""

from __future__ import annotations

import ast
import copy

from pdekit.expr import Expression, ExpressionError

__all__ = ["differentiate"]


def _num(value: float) -> ast.expr:
    return ast.Constant(float(value))


def _is_num(node: ast.expr, value: float | None = None) -> bool:
    return isinstance(node, ast.Constant) and (value is None or node.value == value)


def _call(name: str, *args: ast.expr) -> ast.expr:
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def _add(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is_num(a, 0.0):
        return b
    if _is_num(b, 0.0):
        return a
    return ast.BinOp(a, ast.Add(), b)


def _sub(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is_num(b, 0.0):
        return a
    if _is_num(a, 0.0):
        return ast.UnaryOp(ast.USub(), b)
    return ast.BinOp(a, ast.Sub(), b)


def _mul(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is_num(a, 0.0) or _is_num(b, 0.0):
        return _num(0.0)
    if _is_num(a, 1.0):
        return b
    if _is_num(b, 1.0):
        return a
    return ast.BinOp(a, ast.Mult(), b)


def _div(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is_num(a, 0.0):
        return _num(0.0)
    return ast.BinOp(a, ast.Div(), b)


def _pow(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is_num(b, 1.0):
        return a
    return ast.BinOp(a, ast.Pow(), b)


def _depends(node: ast.expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


# d/da f(a) for the one-argument functions, as a function of the argument's tree
_OUTER = {
    "sin": lambda a: _call("cos", a),
    "cos": lambda a: ast.UnaryOp(ast.USub(), _call("sin", a)),
    "tan": lambda a: _div(_num(1.0), _pow(_call("cos", a), _num(2.0))),
    "arcsin": lambda a: _div(_num(1.0), _call("sqrt", _sub(_num(1.0), _pow(a, _num(2.0))))),
    "arccos": lambda a: _div(_num(-1.0), _call("sqrt", _sub(_num(1.0), _pow(a, _num(2.0))))),
    "arctan": lambda a: _div(_num(1.0), _add(_num(1.0), _pow(a, _num(2.0)))),
    "sinh": lambda a: _call("cosh", a),
    "cosh": lambda a: _call("sinh", a),
    "tanh": lambda a: _sub(_num(1.0), _pow(_call("tanh", a), _num(2.0))),
    "exp": lambda a: _call("exp", a),
    "log": lambda a: _div(_num(1.0), a),
    "sqrt": lambda a: _div(_num(0.5), _call("sqrt", a)),
    "abs": lambda a: _call("where", ast.Compare(a, [ast.GtE()], [_num(0.0)]), _num(1.0),
                           _num(-1.0)),
}


def _d(node: ast.expr, name: str) -> ast.expr:
    """The derivative tree of ``node`` with respect to ``name``."""
    if not _depends(node, name):
        return _num(0.0)
    if isinstance(node, ast.Name):
        return _num(1.0)
    if isinstance(node, ast.UnaryOp):
        inner = _d(node.operand, name)
        return ast.UnaryOp(ast.USub(), inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        a, b = node.left, node.right
        da, db = _d(a, name), _d(b, name)
        if isinstance(node.op, ast.Add):
            return _add(da, db)
        if isinstance(node.op, ast.Sub):
            return _sub(da, db)
        if isinstance(node.op, ast.Mult):
            return _add(_mul(da, b), _mul(a, db))
        if isinstance(node.op, ast.Div):  # (a/b)' = a'/b - a b'/b²
            return _sub(_div(da, b), _div(_mul(a, db), _pow(b, _num(2.0))))
        if isinstance(node.op, ast.Pow):
            if not _depends(b, name):  # (a^c)' = c a^(c-1) a'
                exponent = _sub(b, _num(1.0)) if not _is_num(b) else _num(b.value - 1.0)
                return _mul(_mul(b, _pow(a, exponent)), da)
            # general: (a^b)' = a^b (b' log a + b a'/a)
            return _mul(node, _add(_mul(db, _call("log", a)), _div(_mul(b, da), a)))
    if isinstance(node, ast.Call):
        function, args = node.func.id, node.args  # type: ignore[attr-defined]
        if function in _OUTER:
            return _mul(_OUTER[function](args[0]), _d(args[0], name))
        if function == "where":
            return _call("where", args[0], _d(args[1], name), _d(args[2], name))
        if function in ("minimum", "maximum"):
            test = ast.LtE() if function == "minimum" else ast.GtE()
            return _call("where", ast.Compare(args[0], [test], [args[1]]),
                         _d(args[0], name), _d(args[1], name))
    if isinstance(node, ast.Compare):
        return _num(0.0)  # a comparison is piecewise constant
    raise ExpressionError(f"cannot differentiate {ast.unparse(node)!r}")


def differentiate(expression: Expression, name: str) -> Expression:
    """∂ expression / ∂ name, as a new checked :class:`Expression`.

    Parameters
    ----------
    expression
        A parsed expression (:func:`pdekit.expr.parse_expression`).
    name
        One of its variables.

    Examples
    --------
    >>> from pdekit.expr import parse_expression
    >>> f = parse_expression("u**2 * v - sin(u)", ["u", "v"])
    >>> float(differentiate(f, "u")(u=0.0, v=3.0))
    -1.0
    """
    if name not in expression.variables:
        raise ExpressionError(f"{name!r} is not a variable of {expression.text!r}")
    body = _d(copy.deepcopy(expression.tree.body), name)
    tree = ast.fix_missing_locations(ast.Expression(body))
    used = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                     and n.id in {*expression.variables, *expression.parameters})
    return Expression(ast.unparse(tree), expression.variables, expression.parameters, used, tree)
