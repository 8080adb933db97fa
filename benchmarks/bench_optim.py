"""Benchmark: Newton-CG, trust-region Newton-CG, L-BFGS and Adam side by side (issue 4).

Problem: l2-regularized logistic regression (NumSA sec. 2.4.2 style),
``f(w) = mean(log(1 + exp(-s_i x_i^T w))) + lam/2 ||w||^2``, float64.
The a1a set cannot be downloaded here and no installed package ships a
classification data set, so the data are synthetic and documented:
``numpy.random.default_rng(0)``; N = 2000 samples, d = 100 features,
``x_i ~ N(0, diag(c_j^2))`` with column scales ``c_j = logspace(0, -1.5, d)``
(ill-conditioned), ``w_true ~ N(0, I) * 3 / sqrt(d)`` scaled by ``1 / c_j``, labels
``s_i = +1`` with probability ``sigmoid(x_i^T w_true)`` else ``-1``; lam = 1e-4.

The reference optimum ``f*`` comes from Newton-CG run to ``||g|| <= 1e-13``.
Each method is run ``--repeats`` times from w = 0 with compiled (``tf.function``)
loss/gradient/HVP functions traced beforehand; the wall time is the median.
Adam is Keras's (``keras.optimizers.Adam``), run for a fixed number of steps
inside one ``tf.function`` loop.

Run:  PYTHONPATH=. python benchmarks/bench_optim.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from pdekit import hvp as H
from pdekit.optim import Objective, lbfgs, newton_cg, trust_region_ncg

N, D, LAM = 2000, 100, 1e-4


def make_data():
    rng = np.random.default_rng(0)
    c = np.logspace(0.0, -1.5, D)
    X = rng.standard_normal((N, D)) * c
    w_true = rng.standard_normal(D) * 3.0 / np.sqrt(D) / c
    p = 1.0 / (1.0 + np.exp(-X @ w_true))
    s = np.where(rng.uniform(size=N) < p, 1.0, -1.0)
    return tf.constant(X), tf.constant(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--gtol", type=float, default=1e-8)
    ap.add_argument("--adam-steps", type=int, default=2000)
    ap.add_argument("--adam-lr", default="0.01,0.1", help="comma-separated learning rates")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (CPU only), "
          f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
          f"keras {keras.__version__}; repeats={args.repeats}")
    X, s = make_data()
    w = keras.Variable(np.zeros(D), dtype="float64", name="w")

    def loss():
        z = s * tf.linalg.matvec(X, tf.convert_to_tensor(w))
        return tf.reduce_mean(tf.nn.softplus(-z)) + 0.5 * LAM * tf.reduce_sum(tf.square(w))

    obj = Objective(loss, w)
    x0 = tf.zeros([D], tf.float64)
    obj.value(x0), obj.value_and_grad(x0), obj.hvp(x0, x0)  # trace

    ref = newton_cg(obj, x0, gtol=1e-13, maxiter=200)
    f_star = ref.fun
    hess = H.dense_hessian(loss, w).numpy()
    ev = np.linalg.eigvalsh(hess)
    print(f"data: synthetic, N={N}, d={D}, lam={LAM:g}; f* = {f_star:.12e} "
          f"(Newton-CG, |g| = {ref.grad_norm:.1e}); Hessian at w*: "
          f"eigenvalues {ev[0]:.2e} .. {ev[-1]:.2e}, condition number {ev[-1] / ev[0]:.1e}")

    rows = []
    for name, solver, opts in (
        ("Newton-CG", newton_cg, {"maxiter": 200}),
        ("trust-region Newton-CG (Steihaug)", trust_region_ncg, {"maxiter": 200}),
        ("L-BFGS (m=10)", lbfgs, {"maxiter": 2000}),
    ):
        times, res = [], None
        for _ in range(args.repeats):
            obj.nfev = obj.ngrad = obj.nhvp = 0
            t0 = time.perf_counter()
            res = solver(obj, x0, gtol=args.gtol, **opts)
            times.append(time.perf_counter() - t0)
        rows.append((name, res.nit, statistics.median(times), res.grad_norm, res.fun - f_star,
                     res.ngrad, res.nhvp, res.nfev, "yes" if res.success else "no"))

    vg = H.make_value_and_grad(loss, w)
    for lr in (float(t) for t in args.adam_lr.split(",")):
        opt = keras.optimizers.Adam(learning_rate=lr)

        @tf.function
        def adam_run(steps, opt=opt):
            for _ in tf.range(steps):
                with tf.GradientTape() as tape:
                    val = loss()
                opt.apply_gradients([(tape.gradient(val, w), w)])

        w.assign(np.zeros(D))
        adam_run(tf.constant(1))  # trace + build optimizer state
        times = []
        for _ in range(args.repeats):
            w.assign(np.zeros(D))
            for v in opt.variables:  # moments and step counter; keep the learning rate
                if "learning_rate" not in v.path:
                    v.assign(tf.zeros_like(v))
            t0 = time.perf_counter()
            adam_run(tf.constant(args.adam_steps))
            times.append(time.perf_counter() - t0)
        f_adam, g_adam = vg()
        gn = float(tf.norm(g_adam))
        rows.append((f"Adam (Keras, lr={lr:g})", args.adam_steps, statistics.median(times),
                     gn, float(f_adam) - f_star, args.adam_steps, 0, 0,
                     "yes" if gn <= args.gtol else "no"))

    print(f"\ngtol = {args.gtol:g} (absolute gradient norm); wall time = median of "
          f"{args.repeats} runs, compiled functions traced beforehand\n")
    print("| method | iterations | wall time | final ‖∇f‖ | f − f* | gradients | HVPs | "
          "loss-only evals | ‖∇f‖ ≤ gtol |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, nit, t, gn, df, ng, nh, nf, ok in rows:
        print(f"| {name} | {nit} | {t * 1e3:.1f} ms | {gn:.2e} | {df:.2e} | {ng} | {nh} | {nf} | {ok} |")


if __name__ == "__main__":
    main()
