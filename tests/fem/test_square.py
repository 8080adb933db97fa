"""Unit square −Δu = λu: exact (m² + n²)π² with multiplicities, rates h^(2p), Neumann."""

from __future__ import annotations

import math

import pytest

from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.fem.solve.reference import rectangle_eigenvalues
from pdekit.fem.solve.slepc_solver import clusters

PI2 = math.pi ** 2


@pytest.mark.parametrize("order, maxh, rtol", [(1, 0.05, 3e-2), (2, 0.1, 2e-3),
                                               (3, 0.1, 2e-5)])
def test_dirichlet_square_clusters(eigen, order, maxh, rtol):
    values, _ = eigen(rectangle(1.0, 1.0), order=order, maxh=maxh, nev=8)
    exact = rectangle_eigenvalues(1, 1, 8)  # 2, 5, 5, 8, 10, 10, 13, 13 (×π²)
    found = [[values[i] for i in g] for g in clusters(values, 5e-2)]
    expected = [[exact[i] for i in g] for g in clusters(exact, 5e-2)]
    assert [len(c) for c in found] == [len(c) for c in expected] == [1, 2, 1, 2, 2]
    for computed, reference in zip(found, expected):
        for value, ref in zip(sorted(computed), reference):
            # Conforming Galerkin: λ_h ≥ λ, and close.
            assert ref * (1 - 1e-12) <= value <= ref * (1 + rtol)


@pytest.mark.parametrize("order, refines", [(1, (2, 3)), (2, (1, 2)), (3, (0, 1))])
def test_rate_is_h_to_the_2p(eigen, order, refines):
    errors = []
    for refine in refines:
        values, _ = eigen(rectangle(1.0, 1.0), order=order, maxh=0.25, refine=refine, nev=1)
        errors.append(values[0] - 2 * PI2)
    assert all(e > 0 for e in errors)
    rate = math.log(errors[0] / errors[1]) / math.log(2)
    assert abs(rate - 2 * order) < 0.25, (errors, rate)


def test_neumann_square(eigen):
    values, (_, _, disc, result) = eigen(rectangle(1.0, 1.0), order=4, maxh=0.2, nev=4,
                                         all_neumann=True)
    assert abs(values[0]) < 1e-9
    assert values[1:] == pytest.approx([PI2, PI2, 2 * PI2], rel=1e-7)
    assert disc.ndof == disc.ndof_total  # no constrained dofs


def test_mixed_rectangle_matches_separation_of_variables(eigen):
    values, _ = eigen(rectangle(2.0, 1.0), order=4,
                      maxh=0.2, nev=4, neumann=("left",))
    exact = rectangle_eigenvalues(2.0, 1.0, 4, {"left": False})
    assert values == pytest.approx(exact, rel=2e-7)


def test_only_free_dofs_reach_the_eigensolver(eigen):
    _, (_, _, disc, _) = eigen(rectangle(1.0, 1.0), order=2, maxh=0.25, nev=2)
    free = sum(disc.space.FreeDofs())
    assert disc.ndof == free < disc.ndof_total
