"""Hessian-vector products of a scalar TensorFlow loss.

The loss is a zero-argument callable ``loss_fn() -> scalar`` that reads one or
more ``tf.Variable`` objects (for instance ``model.trainable_variables`` of a
Keras model).  All products work on *flat* vectors: the variables are
concatenated in the order given, see :func:`flatten` / :func:`unflatten`.

Hessian-vector products are computed forward-over-reverse: a
``tf.autodiff.ForwardAccumulator`` wraps (is *outside*) the
``tf.GradientTape`` that computes the gradient, so the directional derivative
of the gradient, ``H v``, is pushed forward alongside the reverse pass.  This
costs a small constant times one gradient and returns the gradient for free
(Pearlmutter 1994, "Fast exact multiplication by the Hessian", Neural Comput.
6(1); Nocedal & Wright 2006, *Numerical Optimization*, 2nd ed., sec. 8.4).

This module knows nothing about PDEs or PINNs, and importing it imports
TensorFlow: it is only imported on the code paths that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from pdekit.core.registry import Registry

LossFn = Callable[[], tf.Tensor]

__all__ = [
    "as_variables",
    "flatten",
    "unflatten",
    "get_flat",
    "assign_flat",
    "num_params",
    "make_value_and_grad",
    "make_hvp",
    "make_batch_hvp",
    "make_hessian_matmat",
    "hvp",
    "dense_hessian",
]



# --------------------------------------------------------------------------- variables


def as_variables(variables: object) -> list[tf.Variable]:
    """Return the list of underlying ``tf.Variable`` objects.

    Parameters
    ----------
    variables
        One variable or a sequence of them.  Keras 3 variables (``keras.Variable``)
        are unwrapped to the ``tf.Variable`` they hold (``w.value``), because
        ``ForwardAccumulator`` cannot watch Keras variables.

    Raises
    ------
    TypeError
        If an entry is not a (Keras) variable, or the variables do not share one
        floating dtype.
    """
    if isinstance(variables, (list, tuple)):
        items = list(variables)
    elif isinstance(variables, Iterable) and not _is_variable_like(variables):
        items = list(variables)
    else:
        items = [variables]
    if not items:
        raise TypeError("no variables given")
    out: list[tf.Variable] = []
    for i, v in enumerate(items):
        if isinstance(v, tf.Variable):
            out.append(v)
            continue
        inner = getattr(v, "value", None)
        if isinstance(inner, tf.Variable):
            out.append(inner)
            continue
        raise TypeError(f"entry {i} is {type(v).__name__}, not a tf.Variable or keras.Variable")
    dtypes = {v.dtype for v in out}
    if len(dtypes) != 1:
        raise TypeError(f"variables must share one dtype, got {sorted(d.name for d in dtypes)}")
    if not out[0].dtype.is_floating:
        raise TypeError(f"variables must be floating point, got {out[0].dtype.name}")
    return out


def _is_variable_like(v: object) -> bool:
    return isinstance(v, tf.Variable) or isinstance(getattr(v, "value", None), tf.Variable)


def num_params(variables: Sequence[tf.Variable]) -> int:
    """Total number of scalar entries in ``variables``."""
    return int(sum(int(np.prod(v.shape)) for v in variables))


def flatten(tensors: Sequence[tf.Tensor]) -> tf.Tensor:
    """Concatenate tensors into one 1-D tensor (C order within each tensor)."""
    return tf.concat([tf.reshape(t, [-1]) for t in tensors], axis=0)


def unflatten(flat: tf.Tensor, like: Sequence[tf.Variable | tf.Tensor]) -> list[tf.Tensor]:
    """Split a flat vector into tensors shaped like the entries of ``like``.

    Inverse of :func:`flatten`: ``flatten(unflatten(x, vs))`` equals ``x``.
    """
    shapes = [v.shape for v in like]
    sizes = [int(np.prod(s)) for s in shapes]
    parts = tf.split(flat, sizes, axis=0)
    return [tf.reshape(p, s) for p, s in zip(parts, shapes)]


def get_flat(variables: Sequence[tf.Variable]) -> tf.Tensor:
    """Current values of ``variables`` as one flat tensor."""
    return flatten([tf.convert_to_tensor(v) for v in variables])


def assign_flat(variables: Sequence[tf.Variable], flat: tf.Tensor) -> None:
    """Assign a flat vector to ``variables`` (inverse of :func:`get_flat`)."""
    for v, part in zip(variables, unflatten(flat, variables)):
        v.assign(part)


# --------------------------------------------------------------------------- cores
# Graph-building helpers (not compiled themselves); the ``make_*`` factories and
# :mod:`pdekit.optim` wrap them in ``tf.function``.


def _value_and_grad(loss_fn: LossFn, variables: list[tf.Variable]) -> tuple[tf.Tensor, tf.Tensor]:
    with tf.GradientTape() as tape:
        loss = loss_fn()
    grads = tape.gradient(loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return loss, flatten(grads)


def _hvp(
    loss_fn: LossFn, variables: list[tf.Variable], v: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Forward-over-reverse: accumulator outside, tape inside."""
    tangents = unflatten(v, variables)
    with tf.autodiff.ForwardAccumulator(variables, tangents) as acc:
        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(
            loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
    hv = acc.jvp(grads, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return loss, flatten(grads), flatten(hv)


def _hvp_rr(
    loss_fn: LossFn, variables: list[tf.Variable], v: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Reverse-over-reverse: H v as the gradient of g(x)^T v."""
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = loss_fn()
        g = flatten(inner.gradient(loss, variables,
                                   unconnected_gradients=tf.UnconnectedGradients.ZERO))
        gv = tf.tensordot(g, v, 1)
    hv = outer.gradient(gv, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return loss, g, flatten(hv)


@dataclass(frozen=True)
class HvpModeTraits:
    """The differentiation passes an HVP mode nests."""

    passes: str


HVP_MODES: Registry[Callable, HvpModeTraits] = Registry("HVP mode", HvpModeTraits)
"""Ways to form ``H v``; capability ``passes``: the differentiation passes nested."""
HVP_MODES.add("forward-over-reverse", _hvp, passes="forward mode around reverse mode")
HVP_MODES.add("reverse-over-reverse", _hvp_rr, passes="reverse mode around reverse mode")


def _batch_jacobian(loss_fn: LossFn, variables: list[tf.Variable], V: tf.Tensor) -> tf.Tensor:
    """Reverse-over-reverse: rows of ``H V^T`` are the gradients of ``g^T V[i]``,
    vectorized over ``i`` by ``GradientTape.jacobian`` (pfor)."""
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = loss_fn()
        g = flatten(inner.gradient(loss, variables,
                                   unconnected_gradients=tf.UnconnectedGradients.ZERO))
        gv = tf.linalg.matvec(V, g)
    jac = outer.jacobian(gv, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    k = tf.shape(V)[0]
    return tf.concat([tf.reshape(j, [k, -1]) for j in jac], axis=1)


def _batch_vectorized_map(loss_fn: LossFn, variables: list[tf.Variable], V: tf.Tensor
                          ) -> tf.Tensor:
    """Forward-over-reverse products vectorized over the rows of ``V`` (pfor)."""
    return tf.vectorized_map(lambda v: _hvp(loss_fn, variables, v)[2], V)


def _batch_loop(loss_fn: LossFn, variables: list[tf.Variable], V: tf.Tensor) -> tf.Tensor:
    """A sequential ``tf.map_fn`` of single forward-over-reverse products (low memory)."""
    return tf.map_fn(lambda v: _hvp(loss_fn, variables, v)[2], V,
                     fn_output_signature=V.dtype, parallel_iterations=1)


@dataclass(frozen=True)
class BatchTraits:
    """How a batch HVP method runs (see :data:`BATCH_METHODS`)."""

    vectorized: bool
    low_memory: bool


BATCH_METHODS: Registry[Callable, BatchTraits] = Registry("batch HVP method", BatchTraits)
"""Ways to apply ``H`` to several vectors (rows of ``V``) at once; capabilities
``vectorized`` (one pfor-vectorized program) and ``low_memory``."""
BATCH_METHODS.add("jacobian", _batch_jacobian, vectorized=True, low_memory=False)
BATCH_METHODS.add("vectorized_map", _batch_vectorized_map, vectorized=True, low_memory=False)
BATCH_METHODS.add("loop", _batch_loop, vectorized=False, low_memory=True)


# --------------------------------------------------------------------------- factories


def _hvp_core(mode: str) -> Callable:
    """The ``(loss_fn, variables, v) -> (loss, g, H v)`` function of an HVP mode."""
    core = HVP_MODES.get(mode)  # raises UnknownName for unknown modes
    # look the forward-over-reverse core up at call time (tests monkeypatch ``_hvp``)
    return (lambda *a: _hvp(*a)) if mode == "forward-over-reverse" else core


def make_value_and_grad(
    loss_fn: LossFn, variables: object, jit_compile: bool = False
) -> Callable[[], tuple[tf.Tensor, tf.Tensor]]:
    """Compiled ``f() -> (loss, flat gradient)`` at the current variable values."""
    vs = as_variables(variables)

    @tf.function(jit_compile=jit_compile)
    def value_and_grad() -> tuple[tf.Tensor, tf.Tensor]:
        return _value_and_grad(loss_fn, vs)

    return value_and_grad


def make_hvp(
    loss_fn: LossFn,
    variables: object,
    jit_compile: bool = False,
    mode: str = "forward-over-reverse",
) -> Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor, tf.Tensor]]:
    """Compiled ``f(v) -> (loss, gradient, H v)`` at the current variable values.

    Parameters
    ----------
    loss_fn
        Zero-argument callable returning the scalar loss; it must read ``variables``.
    variables
        ``tf.Variable``, Keras variable, or a sequence of them.
    jit_compile
        Passed to ``tf.function`` (XLA).
    mode
        ``"forward-over-reverse"`` (default; ``ForwardAccumulator`` around the
        gradient tape) or ``"reverse-over-reverse"`` (gradient of ``g^T v``), kept
        for comparison: which one is faster depends on the loss, see
        ``benchmarks/RESULTS.md``.

    Returns
    -------
    callable
        Takes a flat vector ``v`` of length :func:`num_params` and the variables'
        dtype; returns the loss, the flat gradient and the flat ``H v``.
    """
    vs = as_variables(variables)
    core = _hvp_core(mode)
    spec = tf.TensorSpec([num_params(vs)], vs[0].dtype)

    @tf.function(input_signature=[spec], jit_compile=jit_compile)
    def hvp_fn(v: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        return core(loss_fn, vs, v)

    return hvp_fn


def make_batch_hvp(
    loss_fn: LossFn, variables: object, method: str = "jacobian", jit_compile: bool = False
) -> Callable[[tf.Tensor], tf.Tensor]:
    """Compiled ``f(V) -> H V`` for several vectors at once.

    Parameters
    ----------
    method
        ``"jacobian"`` (default): reverse-over-reverse, the rows of ``H V^T`` as
        the Jacobian of ``V g(x)`` (``GradientTape.jacobian``, vectorized by pfor);
        ``"vectorized_map"``: the forward-over-reverse product vectorized over
        the rows of ``V`` by ``tf.vectorized_map`` (pfor);
        ``"loop"``: a sequential ``tf.map_fn`` of single products (low memory).
        ``benchmarks/bench_hvp.py`` compares them: for k = 16 on the Poisson PINN
        loss ``"jacobian"`` cost 8.6x a single HVP, ``"vectorized_map"`` 10-11x,
        ``"loop"`` 14x (``benchmarks/RESULTS.md``).

    Returns
    -------
    callable
        Takes ``V`` of shape ``[k, n]`` (one vector per *row*) and returns the
        ``[k, n]`` tensor whose rows are ``H V[i]``.
    """
    vs = as_variables(variables)
    batch_method = BATCH_METHODS.get(method)  # raises UnknownName for unknown methods
    spec = tf.TensorSpec([None, num_params(vs)], vs[0].dtype)

    @tf.function(input_signature=[spec], jit_compile=jit_compile)
    def batch_hvp(V: tf.Tensor) -> tf.Tensor:
        return batch_method(loss_fn, vs, V)

    return batch_hvp


def make_hessian_matmat(
    loss_fn: LossFn, variables: object, method: str = "jacobian"
) -> Callable[[tf.Tensor], tf.Tensor]:
    """``f(X) -> H X`` for a block ``X`` of shape ``[n, k]`` (vectors as *columns*).

    This is the operator convention of :mod:`pdekit.optim.spectra` and
    :mod:`pdekit.optim.cg`; it transposes around :func:`make_batch_hvp`.
    """
    batch = make_batch_hvp(loss_fn, variables, method=method)

    def matmat(X: tf.Tensor) -> tf.Tensor:
        return tf.transpose(batch(tf.transpose(X)))

    return matmat


def hvp(loss_fn: LossFn, variables: object, v: tf.Tensor) -> tf.Tensor:
    """One Hessian-vector product ``H v`` (eager, uncompiled; for one-off use).

    For repeated products build a compiled function with :func:`make_hvp`.
    """
    vs = as_variables(variables)
    v = tf.convert_to_tensor(v, dtype=vs[0].dtype)
    return _hvp(loss_fn, vs, v)[2]


def dense_hessian(
    loss_fn: LossFn, variables: object, chunk: int = 64, method: str = "jacobian"
) -> tf.Tensor:
    """The full ``n x n`` Hessian, built from batched HVPs on identity columns.

    Only for small problems and tests: costs ``n`` Hessian-vector products and
    ``n^2`` memory.  ``chunk`` columns are computed per batched call.
    """
    vs = as_variables(variables)
    n = num_params(vs)
    batch = make_batch_hvp(loss_fn, vs, method=method)
    eye = tf.eye(n, dtype=vs[0].dtype)
    rows = [batch(eye[i : i + chunk]) for i in range(0, n, chunk)]
    return tf.concat(rows, axis=0)


# --------------------------------------------------------------------------- checks
