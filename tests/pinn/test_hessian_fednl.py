"""The Hessian made visible and FedNL, on one process against dense references: Lanczos's
extreme eigenvalues equal ``eigvalsh`` of the dense Hessian, the normal-equation step equals
the SVD step, FedNL without compression is Newton's method with the dense Hessian."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit import hvp as H  # noqa: E402
from pdekit.optim.linesearch import backtracking_best  # noqa: E402
from pdekit.pinn.analysis import gauss_newton_eigenvalues, hessian_extremes  # noqa: E402
from pdekit.optim.explicit_least_squares import normal_model, svd_model  # noqa: E402
from pdekit.optim.fednl import compress  # noqa: E402
from pdekit.pinn.parallel import Reducer, share, shares  # noqa: E402
from tests.pinn.conftest import small_trainer, stages  # noqa: E402


@pytest.fixture(scope="module")
def warmed():
    """A tiny 1D network after 100 Adam steps (away from the random start) and its weights."""
    trainer = small_trainer(1, width=6, n_int=40)
    trainer.run(stages({"method": "adam", "iterations": 100, "lr": 1e-2, "log_every": 100}))
    return trainer, H.get_flat(trainer.variables)


@pytest.fixture
def trainer(warmed):
    """The warmed-up trainer, its weights reset to the warm start."""
    trainer, x0 = warmed
    H.assign_flat(trainer.variables, x0)
    return trainer


def test_lanczos_extremes_equal_dense_eigvalsh(trainer):
    dense = H.dense_hessian(trainer.problem.loss, trainer.variables).numpy()
    exact = np.linalg.eigvalsh(0.5 * (dense + dense.T))
    n = len(exact)
    found = hessian_extremes(trainer, steps=n)
    scale = np.max(np.abs(exact))
    print(f"Lanczos vs eigvalsh: max {abs(found['max'] - exact[-1]) / scale:.1e}, "
          f"min {abs(found['min'] - exact[0]) / scale:.1e} of the spectral radius")
    assert abs(found["max"] - exact[-1]) <= 1e-8 * abs(exact[-1])
    assert abs(found["min"] - exact[0]) <= 1e-8 * scale
    assert found["hvps"] == found["lanczos_steps"] <= n


def test_gauss_newton_spectrum_is_squared_singular_values(trainer):
    _, J = trainer.residual_and_jacobian()
    s = np.linalg.svd(J.numpy(), compute_uv=False)
    eig = gauss_newton_eigenvalues(trainer)
    np.testing.assert_allclose(eig[::-1][:5], s[:5] ** 2, rtol=1e-10)


@pytest.mark.parametrize("relative_damping", [1e-8, 1e-4, 1.0])
def test_normal_equation_step_equals_svd_step(trainer, relative_damping):
    r, J = (t.numpy() for t in trainer.residual_and_jacobian())
    svd, normal = svd_model(r, J), normal_model(r, J, Reducer().sum_all)
    assert normal.f == pytest.approx(svd.f, rel=1e-14)
    assert normal.scale == pytest.approx(svd.scale, rel=1e-12)
    mu = relative_damping * svd.scale
    p_svd, p_normal = svd.step(mu), normal.step(mu)
    print(f"normal vs SVD step, mu = {relative_damping:g} s_max^2: "
          f"{np.linalg.norm(p_normal - p_svd) / np.linalg.norm(p_svd):.1e}")
    assert np.linalg.norm(p_normal - p_svd) <= 1e-6 * np.linalg.norm(p_svd)
    assert normal.curvature(p_svd) == pytest.approx(svd.curvature(p_svd), rel=1e-10)


def test_fednl_without_compression_is_dense_newton(trainer):
    variables = trainer.variables
    x0 = H.get_flat(variables).numpy()
    # reference: Newton with the dense Hessian (hvp.dense_hessian), eigenvalues raised to
    # mu max|lambda|, the best of the halvings of the step
    x = x0.copy()
    value_and_grad = H.make_value_and_grad(trainer.problem.loss, variables)
    for _ in range(3):
        H.assign_flat(variables, tf.constant(x))
        f, g = (t.numpy() for t in value_and_grad())
        w, V = np.linalg.eigh(H.dense_hessian(trainer.problem.loss, variables).numpy())
        p = -(V @ ((V.T @ g) / np.maximum(w, 1e-10 * np.max(np.abs(w)))))
        search = backtracking_best(lambda a: float(trainer.loss_at(tf.constant(x + a * p))),
                                   float(f))
        x = x + search.alpha * p
    H.assign_flat(variables, tf.constant(x0))
    report, = trainer.run(stages({"method": "fednl", "iterations": 3}))
    found = H.get_flat(variables).numpy()
    print(f"FedNL(none) vs dense Newton: {np.max(np.abs(found - x)) / np.max(np.abs(x)):.1e}")
    assert np.max(np.abs(found - x)) <= 1e-9 * np.max(np.abs(x))
    assert report.iterations == 3 and report.loss_end < report.loss_start
    n = len(x)
    assert report.communication["bytes_per_iteration_per_rank"] == 8 * (n * (n + 1) // 2
                                                                        + n + 2)
    assert report.communication["plain_allreduce_bytes"] == 8 * (n * n + n + 1)


def test_compressors():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((7, 7))
    D = A + A.T
    top, size = compress(D, "topk", 5)
    assert np.allclose(top, top.T) and size == 5 * 12
    kept = np.sort(np.abs(D[np.triu_indices(7)]))[-5:]
    assert np.allclose(np.sort(np.abs(top[np.triu_indices(7)]))[-5:], kept)
    one, size = compress(D, "rank1", 0)
    w = np.linalg.eigvalsh(D)
    assert np.linalg.matrix_rank(one) == 1 and size == 8 * 8
    assert np.linalg.norm(D - one, 2) == pytest.approx(np.sort(np.abs(w))[-2])  # Eckart-Young
    same, size = compress(D, "none", 0)
    assert same is D and size == 8 * 28


def test_fednl_compressed_still_descends(trainer):
    for compression in ("topk", "rank1"):
        report, = trainer.run(stages({"method": "fednl", "iterations": 3,
                                      "compression": compression, "k": 20}))
        assert report.loss_end <= report.loss_start
        assert report.communication["bytes_per_iteration_per_rank"] < \
            report.communication["plain_allreduce_bytes"] / 5


def test_shares_cover_the_points_once():
    points = np.arange(11.0)[:, None]
    parts = [share(points, rank, 4) for rank in range(4)]
    assert np.array_equal(np.concatenate(parts), points)
    assert [len(p) for p in parts] == list(shares(11, 4))
    assert Reducer().sum(np.ones(3)).tolist() == [1.0, 1.0, 1.0]
