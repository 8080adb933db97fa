"""The network's forward Laplacian and per-sample Jacobian against independent computations."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from pdekit.pinn.network import ACTIVATIONS, MLP, laplacian_fd  # noqa: E402
from pdekit.pinn.schema import ACTIVATIONS as CASE_ACTIVATIONS  # noqa: E402


def test_case_schema_lists_the_network_activations():
    assert tuple(ACTIVATIONS) == CASE_ACTIVATIONS


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dim", [1, 2])
def test_laplacian_matches_finite_differences_and_nested_autodiff(activation, dim):
    model = MLP(dim, width=12, depth=2, activation=activation, seed=3)
    x = np.random.default_rng(0).uniform(-1, 1, (25, dim))
    taylor = model.taylor(x).numpy()
    lap = taylor[:, -1]
    fd = laplacian_fd(model, x, h=1e-3)  # O(h^2) = 1e-6 truncation, ~1e-10 rounding
    scale = max(1.0, float(np.abs(lap).max()))
    assert np.abs(lap - fd).max() <= 1e-5 * scale
    np.testing.assert_allclose(lap, model.laplacian_autodiff(x).numpy(), atol=1e-12 * scale)
    np.testing.assert_allclose(taylor[:, 0], model(x).numpy(), atol=1e-14)
    # first derivatives by central differences
    for j in range(dim):
        e = np.zeros(dim)
        e[j] = 1e-5
        d = (model(x + e).numpy() - model(x - e).numpy()) / 2e-5
        np.testing.assert_allclose(taylor[:, 1 + j], d, atol=1e-8)


def test_laplacian_of_known_weights():
    # one hidden tanh neuron: u = a tanh(w.x + b) + c, Lap u = a |w|^2 tanh''(w.x + b)
    model = MLP(2, width=1, depth=1, seed=0)
    w, b, a, c = np.array([[0.7], [-1.3]]), np.array([0.2]), np.array([[1.5]]), np.array([0.4])
    for var, val in zip(model.variables, (w, b, a, c)):
        var.assign(val)
    x = np.array([[0.3, -0.4], [1.0, 2.0]])
    z = x @ w[:, 0] + b[0]
    t = np.tanh(z)
    expected = 1.5 * (0.7**2 + 1.3**2) * (-2 * t * (1 - t**2))
    np.testing.assert_allclose(model.taylor(x).numpy()[:, -1], expected, rtol=1e-13)


@pytest.mark.parametrize("rows", [1, 4])
def test_per_sample_jacobian_matches_tape_jacobian(rows):
    model = MLP(2, width=7, depth=3, activation="sigmoid", seed=1)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (9, 2))
    stack = model.input_stack(x, derivatives=rows == 4)
    coeff = tf.constant(rng.normal(size=(9, rows)))
    offset = tf.constant(rng.normal(size=9))
    r, J = model.affine_residual_jacobian(stack, coeff, offset)
    with tf.GradientTape() as tape:
        r2 = model.affine_residual(stack, coeff, offset)
    blocks = tape.jacobian(r2, model.variables)
    J2 = tf.concat([tf.reshape(b, [9, -1]) for b in blocks], axis=1)
    np.testing.assert_allclose(r.numpy(), r2.numpy(), atol=1e-14)
    np.testing.assert_allclose(J.numpy(), J2.numpy(), atol=1e-12)
    assert J.shape == (9, model.n_params)


def test_save_and_reload(tmp_path):
    model = MLP(2, width=5, depth=2, activation="sin", seed=4)
    model.save(tmp_path / "w.npz", boundary="hard", bounds=np.array([[0, 1], [0, 2]]))
    other = MLP(2, width=5, depth=2, activation="sin", seed=9)
    x = np.random.default_rng(2).random((6, 2))
    assert not np.allclose(other(x).numpy(), model(x).numpy())
    other.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(other(x).numpy(), model(x).numpy())
    from pdekit.pinn.weights import read_metadata

    meta = read_metadata(tmp_path / "w.npz")
    assert meta["width"] == 5 and meta["activation"] == "sin" and meta["boundary"] == "hard"
    assert meta["bounds"] == [[0, 1], [0, 2]]
    with pytest.raises(ValueError, match="shapes"):
        MLP(2, width=6, depth=2).load_weights(tmp_path / "w.npz")
