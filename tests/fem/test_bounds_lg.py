"""Guaranteed bounds, tight layer: Rayleigh–Ritz above and Lehmann–Goerisch below on hp
meshes, the shift from Crouzeix–Raviart; enclosures of exact and published values."""

from __future__ import annotations

import math


from pdekit.fem.solve.bounds import BoundSettings, guaranteed_bounds
from pdekit.fem.geometry.shapes2d import lshape, polygon, rectangle
from pdekit.fem.solve.reference import rectangle_eigenvalues

PI2 = math.pi ** 2

LSHAPE = [9.639723844021946, 15.197251926454308, 19.739208802178716, 29.521481114144848,
          31.912635957137752]
"""λ1 … λ5 of the L-shape to about 14 digits (λ1: Betcke & Trefethen, SIAM Rev. 47 (2005);
λ3 = 2π²; the others agree with Trefethen & Betcke, Contemp. Math. 412 (2006) to the 10
digits printed there). The bounds here prove that the 11-digit λ2 = 15.19725192586,
λ4 = 29.52148111094, λ5 = 31.91263596069 quoted in issue 26 are off in their last digits."""


def settings(nev: int, start: int, top: int, target: float, maxh: float = 0.5
             ) -> BoundSettings:
    return BoundSettings(nev=nev, start_order=start, max_order=top, target=target,
                         maxh=maxh, refine=0, hp=True, hp_factor=0.2,
                         hp_levels=lambda order: order, cluster_rtol=5e-3)


def encloses(bound, value: float, digits_error: float = 0.0) -> bool:
    return bound.lower - digits_error <= value <= bound.upper + digits_error


def test_unit_square_with_a_double_eigenvalue():
    """2π² and the double 5π²: the cluster is taken whole (n = 3); λ1 to 1e-10, both
    to 1e-8."""
    square = rectangle(1.0, 1.0)
    outcome = guaranteed_bounds(square, frozenset(square.boundaries),
                                settings(2, 8, 10, 1e-8))
    assert outcome.trial_functions == 3  # λ2 = λ3: ρ must bound λ4
    exact = rectangle_eigenvalues(1, 1, 3)
    for bound, value in zip(outcome.bounds, exact):
        assert bound.lower < value < bound.upper
        assert bound.lower_method == "lehmann-goerisch"
    assert outcome.bounds[0].relative_width <= 1e-10
    assert outcome.reached


def test_lshape_five_eigenvalues_and_falling_widths():
    """Trefethen–Betcke's λ1 … λ5 inside; each order's bounds valid, widths falling."""
    shape = lshape()
    outcome = guaranteed_bounds(shape, frozenset(shape.boundaries),
                                settings(5, 4, 8, 1e-12))
    assert [step["order"] for step in outcome.steps] == [4, 6, 8]
    for i, value in enumerate(LSHAPE):
        slack = 1e-13 * value  # the digits of the reference
        for step in outcome.steps:
            assert step["upper"][i] >= value - slack
            assert step["lower"][i] is None or step["lower"][i] <= value + slack
        widths = [step["upper"][i] - step["lower"][i] for step in outcome.steps]
        assert widths[0] > widths[1] > widths[2]
        assert encloses(outcome.bounds[i], value, slack)
        assert outcome.bounds[i].cr_lower < outcome.bounds[i].lower
    assert outcome.bounds[0].relative_width < 1e-6


def test_isospectral_drums_share_their_enclosures():
    """Gordon–Webb–Wolpert's drums (Driscoll, SIAM Rev. 39 (1997)): λ1 = 2.53794399980
    for both, enclosed by the bounds of each; they agree though the shapes differ."""
    drums = [  # the two drums in the coordinates of Driscoll's table (area 14)
        [(1, -3), (3, -1), (3, 1), (-1, 1), (-1, 3), (-3, 1), (-1, -1), (1, -1)],
        [(1, -3), (1, -1), (3, -1), (1, 1), (-1, 1), (-1, 3), (-3, 3), (-3, 1)],
    ]
    for vertices in drums:
        shape = polygon([list(v) for v in vertices])
        outcome = guaranteed_bounds(shape, frozenset(shape.boundaries),
                                    settings(1, 6, 6, 1e-6, maxh=1.0))
        bound = outcome.bounds[0]
        assert bound.lower < 2.53794399980 < bound.upper
        assert bound.relative_width < 1e-5
