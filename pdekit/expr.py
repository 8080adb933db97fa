"""Safe math expressions from case files, e.g. ``"sin(pi*x)*sin(pi*y)"``.

A case file must never be able to run code. Expressions are parsed with :mod:`ast` and
accepted only if every node is arithmetic, a comparison, a number, a known variable or
parameter, or a call of a whitelisted function by name; nothing is ever passed to
``eval``. Evaluation walks the tree with a *backend* table of functions (NumPy built in;
others such as TensorFlow register theirs with :func:`register_backend`), so the same
expression is vectorized over arrays or traced into a TensorFlow graph.
"""

from __future__ import annotations

import ast
import unicodedata
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

ARITY: dict[str, int] = {
    **dict.fromkeys(("sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                     "exp", "log", "sqrt", "abs"), 1),
    "where": 3, "minimum": 2, "maximum": 2,
}
"""Functions an expression may call, with their number of arguments
(``where(cond, a, b)`` for piecewise definitions). Checked at parse time: NumPy would take
an extra argument as its output array and overwrite it."""

FUNCTIONS = tuple(ARITY)

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

MAX_LENGTH = 2000
MAX_DEPTH = 60

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}

_BACKENDS: dict[str, Mapping[str, Callable[..., Any]]] = {
    "numpy": {"sin": np.sin, "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin,
              "arccos": np.arccos, "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
              "tanh": np.tanh, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
              "abs": np.abs, "where": np.where, "minimum": np.minimum,
              "maximum": np.maximum},
}


class ExpressionError(ValueError):
    """An expression that is not valid, or not allowed; the message says why."""


def register_backend(name: str, functions: Mapping[str, Callable[..., Any]]) -> None:
    """Make ``name`` usable as a backend: ``functions`` must cover :data:`FUNCTIONS`."""
    missing = set(FUNCTIONS) - set(functions)
    if missing:
        raise ValueError(f"backend {name!r} lacks {sorted(missing)}")
    _BACKENDS[name] = dict(functions)


@dataclass(frozen=True)
class Expression:
    """A checked expression; call :meth:`evaluate` with values for its variables.

    Attributes
    ----------
    text
        The source text.
    variables
        Names that must be given at evaluation (e.g. ``("x", "y")``).
    parameters
        Fixed named values (from the case file) and the constants ``pi``, ``e``.
    names
        The variables and parameters the expression actually uses.
    """

    text: str
    variables: tuple[str, ...]
    parameters: Mapping[str, float]
    names: frozenset[str]
    tree: ast.Expression

    def evaluate(self, backend: str = "numpy", **values: Any) -> Any:
        """Evaluate with arrays/tensors for the variables, using ``backend``'s functions."""
        if backend not in _BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; available: {', '.join(_BACKENDS)}")
        missing = set(self.variables) - set(values)
        if missing:
            raise TypeError(f"missing values for {sorted(missing)}")
        scope = {**self.parameters, **values}
        return _evaluate(self.tree.body, scope, _BACKENDS[backend])

    def __call__(self, **values: Any) -> Any:
        return self.evaluate("numpy", **values)


def _evaluate(node: ast.AST, scope: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, scope, functions),
                                      _evaluate(node.right, scope, functions))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, scope, functions))
    if isinstance(node, ast.Compare):
        return _COMPARE[type(node.ops[0])](_evaluate(node.left, scope, functions),
                                           _evaluate(node.comparators[0], scope, functions))
    if isinstance(node, ast.Call):
        args = [_evaluate(a, scope, functions) for a in node.args]
        return functions[node.func.id](*args)  # type: ignore[attr-defined]
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")  # unreachable if checked


def _check(node: ast.AST, known: set[str], used: set[str], depth: int = 0) -> None:
    """Reject every node that is not plain math (raises ExpressionError)."""
    if depth > MAX_DEPTH:
        raise ExpressionError("expression nested too deeply")
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed as literals, not {node.value!r}")
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"function {node.id!r} must be called, e.g. {node.id}(x)")
        if node.id not in known:
            raise ExpressionError(f"unknown name {node.id!r} (known: {', '.join(sorted(known))})")
        used.add(node.id)
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, known, used, depth + 1)
        _check(node.right, known, used, depth + 1)
        return
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand, known, used, depth + 1)
        return
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise ExpressionError("only single comparisons <, <=, >, >= are allowed")
        _check(node.left, known, used, depth + 1)
        _check(node.comparators[0], known, used, depth + 1)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExpressionError(f"{called!r} is not an allowed function "
                                  f"(allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError("functions take plain positional arguments only")
        wanted = ARITY[node.func.id]
        if len(node.args) != wanted:
            raise ExpressionError(f"{node.func.id}() takes {wanted} argument"
                                  f"{'s' if wanted > 1 else ''}, not {len(node.args)} "
                                  f"({ast.unparse(node)!r})")
        for argument in node.args:
            _check(argument, known, used, depth + 1)
        return
    raise ExpressionError(f"{type(node).__name__} is not allowed in a math expression "
                          f"({ast.unparse(node)!r})")


def _constant(node: ast.AST) -> float | None:
    """The value of a sub-expression without names (``2**0.5``), or None if it has names.

    Raises ExpressionError when such a constant overflows (``10**10**10``): a case must
    not hand the solver an infinity it never wrote.
    """
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        operand = _constant(node.operand)
        return None if operand is None else _UNARY[type(node.op)](operand)
    if isinstance(node, ast.BinOp):
        left, right = _constant(node.left), _constant(node.right)
        if left is None or right is None:
            return None
        try:
            value = _BINARY[type(node.op)](left, right)
        except OverflowError:
            value = math.inf
        except ZeroDivisionError:
            raise ExpressionError(f"division by zero in {ast.unparse(node)!r}") from None
        if isinstance(value, complex) or not math.isfinite(value):
            raise ExpressionError(f"the constant {ast.unparse(node)!r} is not a finite real "
                                  "number")
        return value
    return None


def _floats(tree: ast.AST) -> ast.AST:
    """Turn integer literals into floats so ``9**9**9`` cannot build a huge integer."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            node.value = float(node.value)
    return tree


def parse_expression(text: str, variables: Sequence[str],
                     parameters: Mapping[str, float] | None = None) -> Expression:
    """Parse and check a math expression.

    Parameters
    ----------
    text
        The expression, Python syntax for arithmetic (``**`` for powers).
    variables
        Names supplied at evaluation time (coordinates, fields).
    parameters
        Fixed named numbers (model parameters); ``pi`` and ``e`` are always known.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        If the text is not a valid, allowed math expression.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("an expression must be a non-empty string")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    for written in (text, *variables, *(parameters or {})):
        folded = unicodedata.normalize("NFKC", written)
        if folded != written:  # Python's parser would read 𝑢 as u and ﬁ as fi
            odd = "".join(sorted({c for c in written if unicodedata.normalize("NFKC", c) != c}))
            raise ExpressionError(f"characters that Python reads as others ({odd!r} in "
                                  f"{written!r} reads as {folded!r}): write plain letters")
    if "^" in text:  # Python's ^ is exclusive or, never a power
        raise ExpressionError(f"** for powers, not ^ (write {text.replace('^', '**')!r})")
    parameters = {**CONSTANTS, **{k: float(v) for k, v in (parameters or {}).items()}}
    clash = set(variables) & (set(parameters) | set(FUNCTIONS))
    if clash:
        raise ExpressionError(f"names used twice: {sorted(clash)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression ({error.msg})") from None
    used: set[str] = set()
    _check(tree.body, set(variables) | set(parameters), used)
    for node in ast.walk(tree.body):
        _constant(node)
    return Expression(text, tuple(variables), parameters, frozenset(used), _floats(tree))


def compile_expression(text: str, variables: Sequence[str],
                       parameters: Mapping[str, float] | None = None,
                       backend: str = "numpy") -> Callable[..., Any]:
    """Parse ``text`` and return a function of the variables (keyword arguments).

    Examples
    --------
    >>> f = compile_expression("sin(pi*x)*y**2", ["x", "y"])
    >>> float(f(x=0.5, y=3.0))
    9.0
    """
    expression = parse_expression(text, variables, parameters)
    return lambda **values: expression.evaluate(backend, **values)
