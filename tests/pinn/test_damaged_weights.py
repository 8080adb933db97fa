"""Damaged network.weights files (issue 27, B): one line naming the key, exit 2, found
by `pdekit check` (NumPy only: no TensorFlow, no folder)."""

from __future__ import annotations

import numpy as np
import pytest

from pdekit.pinn.weights import layer_shapes, save_weights
from tests.conftest import ROOT, run_cli

META = {"dim": 1, "width": 10, "depth": 2, "activation": "tanh", "dtype": "float64",
        "boundary": "hard", "bounds": np.array([[-1.0, 1.0]])}
"""What cases/poisson1d.toml's network and domain make."""


def good_arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape) for shape in layer_shapes(1, 10, 2)]


def write(path, damage: str) -> None:
    arrays, meta = good_arrays(), dict(META)
    if damage == "not a zip":
        path.write_bytes(b"this is not an npz file at all")
        return
    if damage == "wrong shape":
        arrays[2] = np.ones((10, 9))
    elif damage == "missing layer":
        arrays = arrays[:-2]
    elif damage == "extra layer":
        arrays = arrays + [np.ones((1, 1)), np.ones(1)]
    elif damage == "not finite":
        arrays[0][0, 0] = np.nan
    elif damage == "complex":
        arrays[1] = arrays[1] * (1 + 1j)
    elif damage == "no bounds":
        del meta["bounds"]
    save_weights(path, arrays, meta)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:-40])
    if damage == "object member":
        with np.load(path) as data:
            members = dict(data)
        members["W0"] = np.array([{"a": 1}], dtype=object)
        np.savez(path, **members)


@pytest.mark.parametrize("damage", ["not a zip", "truncated", "wrong shape", "missing layer",
                                    "extra layer", "not finite", "complex", "object member",
                                    "no bounds"])
def test_damaged_weights_are_refused_by_check(tmp_path, damage):
    write(tmp_path / "weights.npz", damage)
    result = run_cli("check", str(ROOT / "cases" / "poisson1d.toml"),
                     "--set", f"network.weights={tmp_path / 'weights.npz'}", cwd=tmp_path,
                     timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "network.weights" in lines[0], lines
    assert not (tmp_path / "results").exists()


def test_good_weights_pass_check(tmp_path):
    write(tmp_path / "weights.npz", "none")
    result = run_cli("check", str(ROOT / "cases" / "poisson1d.toml"),
                     "--set", f"network.weights={tmp_path / 'weights.npz'}", timeout=60)
    assert result.returncode == 0, result.stderr
