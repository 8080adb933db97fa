"""Benchmark: Hessian-vector product cost relative to a gradient (issue 4).

Two losses, both float64 and compiled with ``tf.function``:

(a) ``mlp``  -- dense MLP 10-64-64-1 (tanh), mean-squared error on 1000 samples;
(b) ``pinn`` -- 2D Poisson PINN residual loss: network 2-50-1 (tanh), 1001
    collocation points in the unit square, ``mean((u_xx + u_yy + f)^2)`` with the
    network Laplacian computed by nested ``GradientTape``s inside the loss.

For each: time of one gradient, one forward-over-reverse HVP (``pdekit.hvp.make_hvp``),
the same written inline in the plainest way (lists in and out: the module's
overhead), one reverse-over-reverse HVP (``mode="reverse-over-reverse"``), gradient and HVP compiled
with XLA (``jit_compile=True``), and k = 16 HVPs at once with ``make_batch_hvp``
(``vectorized_map``, ``jacobian`` and sequential ``loop``).  All variants are
timed round-robin, one call of each variant in turn, ``--calls`` times; the
reported time is the median over the calls (robust against the load spikes of a
shared machine).

Run:  PYTHONPATH=. python benchmarks/bench_hvp.py [--calls 60]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # silence grappler's DT_DOUBLE notes

import numpy as np
import tensorflow as tf
import keras

from pdekit import hvp as H


def mlp_problem():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((10,), dtype="float64"),
        keras.layers.Dense(64, activation="tanh", dtype="float64"),
        keras.layers.Dense(64, activation="tanh", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    rng = np.random.default_rng(0)
    X = tf.constant(rng.standard_normal((1000, 10)))
    y = tf.constant(np.sin(X.numpy()[:, :1]) * np.cos(X.numpy()[:, 1:2]))
    return model, lambda: tf.reduce_mean((model(X) - y) ** 2)


def pinn_problem():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((2,), dtype="float64"),
        keras.layers.Dense(50, activation="tanh", dtype="float64"),
        keras.layers.Dense(1, dtype="float64"),
    ])
    rng = np.random.default_rng(0)
    X = tf.constant(rng.uniform(0.0, 1.0, (1001, 2)))
    f = 2.0 * np.pi**2 * tf.sin(np.pi * X[:, 0]) * tf.sin(np.pi * X[:, 1])

    def loss():
        with tf.GradientTape(persistent=True) as t2:
            t2.watch(X)
            with tf.GradientTape() as t1:
                t1.watch(X)
                u = model(X)
            du = t1.gradient(u, X)
            ux, uy = du[:, 0], du[:, 1]
        uxx = t2.gradient(ux, X)[:, 0]
        uyy = t2.gradient(uy, X)[:, 1]
        del t2
        return tf.reduce_mean((uxx + uyy + f) ** 2)

    return model, loss


def make_plain_hvp(loss_fn, vs):
    """The plainest inline forward-over-reverse (lists in and out, no flattening)."""

    @tf.function
    def plain(tangents):
        with tf.autodiff.ForwardAccumulator(vs, tangents) as acc:
            with tf.GradientTape() as tape:
                loss = loss_fn()
            grads = tape.gradient(loss, vs)
        return acc.jvp([g for g in grads if g is not None])

    return plain


def bench(name, model, loss_fn, k, calls):
    vs = H.as_variables(model.trainable_variables)
    n = H.num_params(vs)
    rng = np.random.default_rng(1)
    v = tf.constant(rng.standard_normal(n))
    V = tf.constant(rng.standard_normal((k, n)))
    vg = H.make_value_and_grad(loss_fn, vs)
    hv = H.make_hvp(loss_fn, vs)
    vg_x = H.make_value_and_grad(loss_fn, vs, jit_compile=True)
    hv_x = H.make_hvp(loss_fn, vs, jit_compile=True)
    rr = H.make_hvp(loss_fn, vs, mode="reverse-over-reverse")
    plain = make_plain_hvp(loss_fn, vs)
    tangents = H.unflatten(v, vs)
    batches = {m: H.make_batch_hvp(loss_fn, vs, method=m) for m in H.BATCH_METHODS}
    # correctness of the variants against each other before timing
    ref = np.stack([hv(V[i])[2].numpy() for i in range(k)])
    scale = np.abs(ref).max()
    for m, fn in batches.items():
        assert np.abs(fn(V).numpy() - ref).max() <= 1e-9 * scale, m
    assert np.abs(rr(v)[2].numpy() - hv(v)[2].numpy()).max() <= 1e-9 * scale
    assert np.abs(hv_x(v)[2].numpy() - hv(v)[2].numpy()).max() <= 1e-9 * scale

    variants = {
        "gradient": lambda: vg()[1].numpy(),
        "hvp (fwd-over-rev)": lambda: hv(v)[2].numpy(),
        "hvp (plain inline fwd-over-rev)": lambda: [t.numpy() for t in plain(tangents)],
        "hvp (rev-over-rev)": lambda: rr(v)[2].numpy(),
        "gradient, XLA": lambda: vg_x()[1].numpy(),
        "hvp (fwd-over-rev), XLA": lambda: hv_x(v)[2].numpy(),
    }
    for m, fn in batches.items():
        variants[f"{k} hvps, {m}"] = lambda fn=fn: fn(V).numpy()
    for fn in variants.values():  # warm-up (tracing done above; this settles caches)
        for _ in range(3):
            fn()
    times = {key: [] for key in variants}
    for _ in range(calls):  # round-robin, one call each: load spikes hit all variants alike
        for key, fn in variants.items():
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    med = {key: statistics.median(ts) for key, ts in times.items()}
    g = med["gradient"]
    h1 = med["hvp (fwd-over-rev)"]
    print(f"\n### ({name}) n = {n} parameters, float64")
    print("| variant | median time per call | ÷ gradient | ÷ single fwd-over-rev HVP |")
    print("|---|---|---|---|")
    for key, t in med.items():
        print(f"| {key} | {t * 1e3:.3f} ms | {t / g:.2f}x | {t / h1:.2f}x |")
    print(f"\nHVP ÷ gradient: {h1 / g:.2f}x (graph), "
          f"{med['hvp (fwd-over-rev), XLA'] / med['gradient, XLA']:.2f}x (both XLA); "
          f"{k} HVPs at once ÷ single HVP: "
          + ", ".join(f"{m} {med[f'{k} hvps, {m}'] / h1:.2f}x" for m in H.BATCH_METHODS))
    return med


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=60)
    ap.add_argument("--k", type=int, default=16)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (CPU only), "
          f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
          f"keras {keras.__version__}; calls per variant={args.calls} (round-robin)")
    t0 = time.perf_counter()
    for name, make in (("a: MLP", mlp_problem), ("b: Poisson PINN", pinn_problem)):
        model, loss = make()
        bench(name, model, loss, args.k, args.calls)
    print(f"\ntotal wall time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
