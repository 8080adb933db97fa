"""Guaranteed bounds, first layer: Crouzeix–Raviart lower bounds with the Liu–Oishi
constant, inertia counts, verified small pencils (interval LDLᵀ)."""

from __future__ import annotations

import math

import numpy as np

from pdekit.fem.geometry.shapes2d import rectangle
from pdekit.fem.solve.reference import rectangle_eigenvalues

PI2 = math.pi ** 2
SQUARE = rectangle(1.0, 1.0)
EXACT = rectangle_eigenvalues(1, 1, 4)  # 2, 5, 5, 8 (× π²)


def straight_mesh(maxh: float, refine: int = 0):
    from pdekit.fem.geometry.mesh import build_mesh

    mesh, _ = build_mesh(SQUARE, set(SQUARE.boundaries), maxh=maxh, refine=refine,
                         hp=False, hp_levels=0, hp_factor=0.2, curve_order=0)
    return mesh


def test_enclosures_on_a_refinement_sequence():
    """CR below, P2 Rayleigh–Ritz above, on every mesh; the width falls."""
    from pdekit.fem.solve.cr_bound import cr_lower_bounds, cr_mesh
    from pdekit.fem.solve.lehmann_goerisch import h1_problem, lowest_pairs, ritz_upper_bounds

    widths = []
    for refine in range(3):
        mesh = straight_mesh(0.5, refine)
        lower = [b.lower for b in cr_lower_bounds(cr_mesh(mesh, ".*"), [1, 2, 3, 4])]
        problem = h1_problem(mesh, 2, ".*")
        _, vectors = lowest_pairs(problem, 5)
        upper = ritz_upper_bounds(problem, vectors[:, :4]).upper
        for low, exact, up in zip(lower, EXACT, upper):
            assert low < exact < up, (refine, low / PI2, up / PI2)
        widths.append([(up - low) / low for low, up in zip(lower, upper)])
    assert all(np.array(widths[1]) < np.array(widths[0]))
    assert all(np.array(widths[2]) < np.array(widths[1]))


def test_a_wrong_constant_breaks_the_enclosure():
    """The check can fail: with C_h scaled by 0.1 the CR "bound" of λ1 on a coarse mesh
    lies above 2π² (the CR eigenvalue itself is above it there)."""
    from pdekit.fem.solve.cr_bound import CR_CONSTANT, cr_lower_bounds, cr_mesh

    problem = cr_mesh(straight_mesh(0.5), ".*")
    right = cr_lower_bounds(problem, [1])[0]
    wrong = cr_lower_bounds(problem, [1], constant=str(float(CR_CONSTANT) / 10))[0]
    assert right.discrete > 2 * PI2  # coarse: the discrete value is no bound by itself
    assert right.lower < 2 * PI2 < wrong.lower


def test_inertia_counts_multiplicities():
    """Sylvester's law on the CR pencil: 1 eigenvalue below a shift between λ1 and λ2,
    3 between the double λ2 = λ3 and λ4."""
    from pdekit.fem.solve.cr_bound import approximate_eigenvalues, cr_mesh, inertia

    problem = cr_mesh(straight_mesh(0.25), ".*")
    values = approximate_eigenvalues(problem.A, problem.M, 4)
    for shift, expected in [(0.5 * (values[0] + values[1]), 1),
                            (0.5 * (values[2] + values[3]), 3), (0.5 * values[0], 0)]:
        below, eta = inertia(problem.A - shift * problem.M)
        assert below == expected
        assert 0 < eta < 1e-9


def test_index_comes_from_the_inertia_not_the_solver(monkeypatch):
    """A solver that lost λ1 hands λ2 as the first eigenvalue: the inertia count sees one
    eigenvalue below it and the bound for k = 1 moves below the true λ1,h."""
    import pdekit.fem.solve.cr_bound as cr_bound

    problem = cr_bound.cr_mesh(straight_mesh(0.25), ".*")
    values = cr_bound.approximate_eigenvalues(problem.A, problem.M, 3)
    monkeypatch.setattr(cr_bound, "approximate_eigenvalues",
                        lambda A, M, count: values[1:1 + count])
    bound = cr_bound.cr_lower_bounds(problem, [1])[0]
    assert bound.discrete == values[1]  # what the (wrong) solver said
    assert bound.discrete_lower <= values[0] and bound.below == 0
    assert bound.lower < 2 * PI2


def test_interval_ldlt_inertia_and_undecided_pivots():
    from mpmath import iv

    from pdekit.fem.solve.interval_pencil import negative_count

    def matrix(rows):
        return [[iv.mpf(x) for x in row] for row in rows]

    assert negative_count(matrix([[2, 1], [1, -3]])) == 1
    assert negative_count(matrix([[4, 1, 0], [1, 3, 1], [0, 1, 2]])) == 0
    wide = [[iv.mpf([-1e-3, 1e-3]), iv.mpf(1)], [iv.mpf(1), iv.mpf(1)]]
    assert negative_count(wide) is None  # a pivot straddling 0 decides nothing


def test_verified_pencil_bounds_and_gram_radius():
    """Upper bounds of the eigenvalues of a small pencil lie just above the exact ones;
    the Gram matrix encloses the exact product of the floating-point data."""
    import scipy.sparse as sp
    from fractions import Fraction

    from pdekit.fem.solve.interval_pencil import gram, upper_eigenvalue_bounds

    rng = np.random.default_rng(1)
    A = sp.random(60, 60, 0.2, random_state=2)
    A = (A + A.T + 10 * sp.eye(60)).tocsr()
    X = rng.standard_normal((60, 3))
    G = gram(X, A)
    dense = A.toarray()
    for i in range(3):
        for j in range(3):
            exact = sum(Fraction(X[k, i]) * Fraction(dense[k, l]) * Fraction(X[l, j])
                        for k in range(60) for l in range(60) if dense[k, l])
            assert abs(Fraction(G.mid[i, j]) - exact) <= Fraction(G.rad[i, j])
    B = gram(X, sp.eye(60).tocsr())
    bounds = upper_eigenvalue_bounds(G.entries(), B.entries(), 3)
    import scipy.linalg

    exact = scipy.linalg.eigh(G.mid, B.mid, eigvals_only=True)
    assert all(e < b < e * (1 + 1e-12) for e, b in zip(exact, bounds))

