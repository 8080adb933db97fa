"""The memory estimate of a PINN run: real sizes of a small case, refusals naming the key."""

from __future__ import annotations

import numpy as np
import pytest

from pdekit.core.cases import load_case
from pdekit.errors import CaseError
from pdekit.memory import fits_in_memory
from pdekit.pinn.prepare import check_size
from pdekit.pinn.size import RunShape, estimate, stage_workspace

CASE = """
[case]
kind = "poisson-pinn"
name = "size"
[domain]
x = [0.0, 2.0]
y = [0.0, 1.0]
[problem]
exact = "sin(pi*x)*y"
[network]
depth = 2
width = 7
[points]
interior = 40
boundary = 5
[evaluation]
n = 9
[training]
stages = [{method = "adam", iterations = 2}, {method = "gauss-newton", iterations = 2},
          {method = "lbfgs", iterations = 2, memory = 4}]
"""


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "size.toml"
    path.write_text(CASE)
    return path


def test_estimate_counts_the_real_weights_residuals_and_jacobian(case_file):
    pytest.importorskip("tensorflow")
    from pdekit.pinn.build import build

    prepared = load_case(case_file, (), ()).prepared
    shape = RunShape.of(prepared.case, prepared.evaluation_n)
    built = build(prepared)
    r, J = built.loss.residual_and_jacobian()
    assert shape.parameters == built.model.n_params == 2 * 7 + 7 + 7 * 7 + 7 + 7 + 1
    assert shape.residuals == built.loss.n_residuals == 40 + 4 * 5 == len(r)
    assert J.shape == (shape.residuals, shape.parameters)
    assert len(prepared.grid) == shape.evaluation_n ** 2 == 81
    # what the explicit stage holds beyond a gradient stage: J twice in TensorFlow, once as
    # float64, LAPACK's copy, and the thin SVD's U and V^T (measured on the real arrays)
    J64 = J.numpy().astype(float)
    U, _, Vt = np.linalg.svd(J64, full_matrices=False)
    held = 4 * J64.nbytes + U.nbytes + Vt.nbytes
    workspaces = [stage_workspace(shape, stage) for stage in shape.stages]
    extra = workspaces[1] - workspaces[0]
    assert held <= extra <= 4 * held
    size = estimate(shape)
    assert size.total == sum(size.parts.values()) + max(size.workspaces.values())


def test_jacobian_term_grows_with_the_number_of_weights(case_file):
    import dataclasses

    shape = RunShape.of(load_case(case_file, (), ()).case, 9)
    wide = dataclasses.replace(shape, width=70)
    jacobian = [stage_workspace(s, s.stages[1]) - stage_workspace(s, s.stages[0])
                for s in (shape, wide)]
    assert jacobian[1] >= 4 * 8 * wide.residuals * wide.parameters
    assert jacobian[1] / jacobian[0] > 20  # 62x the weights; the SVD workspace k^2 stays
    fine = dataclasses.replace(shape, evaluation_n=9000)
    assert estimate(fine).parts["evaluation grid"] / estimate(shape).parts[
        "evaluation grid"] == pytest.approx(1e6, rel=1e-6)


@pytest.mark.parametrize("overrides, key", [
    (("points.interior=1000000000000",), "points.interior"),
    (("points.boundary=1000000000000",), "points.boundary"),
    (("network.width=100000",), "network.width"),
    (("network.depth=100000000",), "network.depth"),
    (("evaluation.n=10000000",), "evaluation.n"),
    (("training.stages=[{method='lbfgs', memory=1000000000}]",), "training.stages[0].memory"),
    # both large: the evaluation grid (1e12 points) outweighs 1e6 points by far
    (("points.interior=1000000", "evaluation.n=1000000"), "evaluation.n"),
])
def test_runs_beyond_memory_are_refused_naming_the_key(case_file, overrides, key):
    with pytest.raises(CaseError) as caught:
        load_case(case_file, overrides, ())
    message = str(caught.value)
    assert f": {key}: expected a smaller run that fits in memory (about " in message
    assert "GiB needed" in message and "GiB here" in message and "\n" not in message


@pytest.mark.parametrize("name", ["poisson1d", "poisson2d", "poisson2d_adamax"])
def test_bundled_cases_are_small(name):
    from pathlib import Path

    case = load_case(Path(__file__).parents[2] / "cases" / f"{name}.toml", (), ()).case
    size = check_size(case)
    assert fits_in_memory(size.total) and size.total < 2**30


def test_moderate_sizes_still_run(case_file):
    """A big but possible case (1e5 points, width 200 with Adam) is not refused."""
    overrides = ("points.interior=100000", "network.width=200",
                 "training.stages=[{method='adam', iterations=1}]")
    case = load_case(case_file, overrides, ()).case
    assert np.isfinite(check_size(case).total)
