"""Fully connected networks with a forward Laplacian and per-sample Jacobians.

The network ``u_theta : R^d -> R`` is a plain multilayer perceptron kept as a flat list of
``tf.Variable`` objects ``[W1, b1, ..., WL, bL]`` (no Keras layer, so the variables can be
handed straight to :mod:`pdekit.hvp` and :mod:`pdekit.optim`).

Derivatives in the input are propagated *forward* through the layers together with the
values ("forward Laplacian", Li et al. 2023, "A computational framework for neural
network-based variational Monte Carlo with Forward Laplacian", Nat. Mach. Intell. 6): each
layer carries a stack ``T`` of shape ``[N, d + 2, k]`` holding the activations, their ``d``
first derivatives and their Laplacian, so that ``u``, ``grad u`` and ``Laplacian u`` cost about
``d + 2`` forward passes and need no nested tapes. With ``Z = T W + b e_0`` (the bias only
enters the value row) and ``h = s(z)``:

    grad h = s'(z) grad z,     Lap h = s'(z) Lap z + s''(z) |grad z|^2.

Because a residual at point ``i`` depends only on row ``i`` of every stack, the per-sample
Jacobian of a residual vector with respect to the weights is ``dr_i/dW_l = T_{l-1,i}^T G_{l,i}``
with ``G_l = d(sum r)/dZ_l`` from a single reverse pass (the per-example gradient trick of
Goodfellow 2015, "Efficient per-example gradient computations", arXiv:1510.01799). This
gives the whole Jacobian for the cost of about two passes, which is what makes the dense
Gauss-Newton / Levenberg-Marquardt stages of :mod:`pdekit.pinn.training` fast.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import numpy as np
import tensorflow as tf

Activation = Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor, tf.Tensor]]


def _tanh(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    t = tf.tanh(z)
    d1 = 1.0 - t * t
    return t, d1, -2.0 * t * d1


def _sigmoid(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    s = tf.sigmoid(z)
    d1 = s * (1.0 - s)
    return s, d1, d1 * (1.0 - 2.0 * s)


def _sin(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    s = tf.sin(z)
    return s, tf.cos(z), -s


def _softplus(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    s = tf.sigmoid(z)
    return tf.nn.softplus(z), s, s * (1.0 - s)


def _swish(z: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    s = tf.sigmoid(z)
    ds = s * (1.0 - s)
    return z * s, s + z * ds, ds * (2.0 + z * (1.0 - 2.0 * s))


ACTIVATIONS: dict[str, Activation] = {
    "tanh": _tanh, "sigmoid": _sigmoid, "sin": _sin, "softplus": _softplus, "swish": _swish,
}
"""Activation name -> ``z -> (s(z), s'(z), s''(z))``; all smooth, as the Laplacian needs."""

DTYPES = {"float64": tf.float64, "float32": tf.float32}


class MLP:
    """A multilayer perceptron ``R^d -> R`` with smooth activations.

    Parameters
    ----------
    dim
        Input dimension ``d``.
    width, depth
        Hidden layer width and number of hidden layers.
    activation
        A key of :data:`ACTIVATIONS`.
    dtype
        ``"float64"`` (recommended for accuracy) or ``"float32"``.
    seed
        Seed of the Glorot-normal initialization (Glorot & Bengio 2010); biases start at 0.

    Attributes
    ----------
    variables
        ``[W1, b1, ..., WL, bL]`` with ``W_l`` of shape ``[k_{l-1}, k_l]``.
    """

    def __init__(self, dim: int, width: int, depth: int, activation: str = "tanh",
                 dtype: str = "float64", seed: int = 0):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; "
                             f"available: {', '.join(ACTIVATIONS)}")
        if width < 1 or depth < 1 or dim < 1:
            raise ValueError("dim, width and depth must be >= 1")
        self.dim, self.width, self.depth = dim, width, depth
        self.activation_name, self.dtype_name = activation, dtype
        self.dtype = DTYPES[dtype]
        self._act = ACTIVATIONS[activation]
        sizes = [dim] + [width] * depth + [1]
        rng = np.random.default_rng(seed)
        self.variables: list[tf.Variable] = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            std = math.sqrt(2.0 / (fan_in + fan_out))
            self.variables.append(tf.Variable(rng.normal(0.0, std, (fan_in, fan_out)),
                                              dtype=self.dtype, name=f"W{i}"))
            self.variables.append(tf.Variable(np.zeros(fan_out), dtype=self.dtype,
                                              name=f"b{i}"))

    @property
    def n_params(self) -> int:
        """Number of scalar weights and biases."""
        return int(sum(int(np.prod(v.shape)) for v in self.variables))

    @property
    def layers(self) -> list[tuple[tf.Variable, tf.Variable]]:
        """``(W, b)`` pairs, input layer first."""
        return list(zip(self.variables[0::2], self.variables[1::2]))

    # ------------------------------------------------------------------ evaluation
    def _activate(self, Z: tf.Tensor) -> tf.Tensor:
        """Push a stack ``[N, a, k]`` (value; optionally d derivatives and Laplacian) through s."""
        s, d1, d2 = self._act(Z[:, 0, :])
        if Z.shape[1] == 1:
            return s[:, None, :]
        grads = Z[:, 1:-1, :]
        lap = d1 * Z[:, -1, :] + d2 * tf.reduce_sum(grads * grads, axis=1)
        return tf.concat([s[:, None, :], d1[:, None, :] * grads, lap[:, None, :]], axis=1)

    def _forward(self, T: tf.Tensor, record: list | None = None) -> tf.Tensor:
        """Propagate an input stack; optionally record ``(T_{l-1}, Z_l)`` per layer."""
        layers = self.layers
        for i, (W, b) in enumerate(layers):
            rows = T.shape[1]
            bias = tf.concat([b[None, :], tf.zeros([rows - 1, b.shape[0]], b.dtype)], axis=0)
            Z = tf.einsum("nak,kw->naw", T, W) + bias
            if record is not None:
                record.append((T, Z))
            if i == len(layers) - 1:
                return Z
            T = self._activate(Z)
        raise AssertionError("network without layers")

    def _input_stack(self, x: tf.Tensor, derivatives: bool) -> tf.Tensor:
        x = tf.convert_to_tensor(x, self.dtype)
        if not derivatives:
            return x[:, None, :]
        n = tf.shape(x)[0]
        eye = tf.broadcast_to(tf.eye(self.dim, dtype=self.dtype)[None], [n, self.dim, self.dim])
        zero = tf.zeros([n, 1, self.dim], self.dtype)
        return tf.concat([x[:, None, :], eye, zero], axis=1)

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        """Values ``u(x)`` of shape ``[N]`` for points ``x`` of shape ``[N, d]``."""
        return self._forward(self._input_stack(x, False))[:, 0, 0]

    def taylor(self, x: tf.Tensor) -> tf.Tensor:
        """``[u, du/dx_1, ..., du/dx_d, Laplacian u]`` at each point: shape ``[N, d + 2]``."""
        return self._forward(self._input_stack(x, True))[:, :, 0]

    def laplacian_autodiff(self, x: tf.Tensor) -> tf.Tensor:
        """Laplacian by nested reverse-mode autodiff (the seed's way; for checks)."""
        x = tf.convert_to_tensor(x, self.dtype)
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                u = self(x)
            grad = inner.gradient(u, x)
            parts = [grad[:, j] for j in range(self.dim)]
        lap = tf.add_n([outer.gradient(parts[j], x)[:, j] for j in range(self.dim)])
        del outer
        return lap

    # ------------------------------------------------------------------ Jacobians
    def affine_residual(self, stack_in: tf.Tensor, coeff: tf.Tensor,
                        offset: tf.Tensor) -> tf.Tensor:
        """``r_i = sum_a coeff[i, a] * T_L[i, a] + offset[i]`` for a prepared input stack."""
        out = self._forward(stack_in)[:, :, 0]
        return tf.reduce_sum(coeff * out, axis=1) + offset

    def affine_residual_jacobian(self, stack_in: tf.Tensor, coeff: tf.Tensor,
                                 offset: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """The residual of :meth:`affine_residual` and its Jacobian ``[N, n_params]``.

        Columns follow the flat order of :func:`pdekit.hvp.flatten` over
        :attr:`variables`. One forward and one reverse pass, then one outer product per
        layer (per-example gradients, see the module docstring).
        """
        record: list[tuple[tf.Tensor, tf.Tensor]] = []
        with tf.GradientTape() as tape:
            out = self._forward(stack_in, record)[:, :, 0]
            r = tf.reduce_sum(coeff * out, axis=1) + offset
        G = tape.gradient(r, [Z for _, Z in record])
        n = tf.shape(r)[0]
        blocks = []
        for (T, _), g in zip(record, G):
            blocks.append(tf.reshape(tf.einsum("nak,naw->nkw", T, g), [n, -1]))
            blocks.append(g[:, 0, :])
        return r, tf.concat(blocks, axis=1)

    def input_stack(self, x: np.ndarray | tf.Tensor, derivatives: bool) -> tf.Tensor:
        """The input stack for points ``x`` (with identity derivative rows if ``derivatives``)."""
        return self._input_stack(x, derivatives)

    # ------------------------------------------------------------------ storage
    def architecture(self) -> dict[str, object]:
        """The hyper-parameters that define the network's shape."""
        return {"dim": self.dim, "width": self.width, "depth": self.depth,
                "activation": self.activation_name, "dtype": self.dtype_name}

    def save(self, path: str | Path, **extra: object) -> Path:
        """Write the weights and architecture (plus ``extra`` metadata) to an ``.npz`` file."""
        from pdekit.pinn.weights import save_weights

        return save_weights(path, [v.numpy() for v in self.variables],
                            {**self.architecture(), **extra})

    def load_weights(self, path: str | Path) -> None:
        """Assign weights saved by :meth:`save` (shapes must match)."""
        from pdekit.pinn.weights import read_arrays

        arrays = read_arrays(path)
        if [a.shape for a in arrays] != [tuple(v.shape) for v in self.variables]:
            raise ValueError(f"{path}: layer shapes {[a.shape for a in arrays]} do not match "
                             f"the network's {[tuple(v.shape) for v in self.variables]}")
        for v, a in zip(self.variables, arrays):
            v.assign(tf.constant(a, self.dtype))


def laplacian_fd(model: MLP, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Second-order central finite-difference Laplacian of the network (for checks)."""
    x = np.asarray(x, float)
    u0 = model(x).numpy()
    total = np.zeros_like(u0)
    for j in range(model.dim):
        step = np.zeros(model.dim)
        step[j] = h
        total += (model(x + step).numpy() - 2.0 * u0 + model(x - step).numpy()) / h**2
    return total

