"""Guaranteed eigenvalue bounds (issue 26): widths and times.

1. L-shape λ1: relative width and wall time to reach 1e-6 (target: ≤ 1e-6 in ≤ 120 s on
   2 cores), then the width of λ1 … λ5 against cumulative wall time while the order climbs.
2. Unit square λ1: relative width (target ≤ 1e-10).
3. L-shape λ1: the Crouzeix–Raviart lower bound alone (uniform refinements, upper bound
   from Rayleigh–Ritz at p = 8) against Lehmann–Goerisch, width and time side by side.

Run: ``python benchmarks/eigen_bounds.py`` (serial; a few minutes on a loaded machine).
"""

from __future__ import annotations

import time

from pdekit.fem.solve.bounds import BoundSettings, guaranteed_bounds
from pdekit.fem.geometry.shapes2d import lshape, rectangle


def settings(nev: int, start: int, top: int, target: float) -> BoundSettings:
    return BoundSettings(nev=nev, start_order=start, max_order=top, target=target,
                         maxh=0.5, refine=0, hp=True, hp_factor=0.2,
                         hp_levels=lambda order: order, cluster_rtol=5e-3)


def timed(shape, config):
    start = time.perf_counter()
    outcome = guaranteed_bounds(shape, frozenset(shape.boundaries), config)
    return outcome, time.perf_counter() - start


def lshape_first() -> None:
    outcome, seconds = timed(lshape(), settings(1, 4, 16, 1e-6))
    bound = outcome.bounds[0]
    print("1. L-shape lambda_1 to a relative width of 1e-6")
    print(f"   [{bound.lower!r}, {bound.upper!r}]  width {bound.relative_width:.3e}  "
          f"wall {seconds:.1f} s  (LG p={bound.lower_from['order']}, "
          f"{bound.lower_from['ndof']} dofs; CR mesh {outcome.cr['triangles']} triangles)")


def lshape_five() -> None:
    outcome, seconds = timed(lshape(), settings(5, 4, 16, 1e-10))
    print("   width of lambda_1..5 against cumulative wall time (order climbing):")
    print(f"   {'p':>3} {'dofs':>6} {'t [s]':>7} " + " ".join(f"{'l' + str(k):>9}"
                                                         for k in range(1, 6)))
    elapsed = outcome.cr["seconds"]
    for step in outcome.steps:
        elapsed += step["seconds"]
        widths = [(up - low) / low if low is not None else float("nan")
                  for low, up in zip(step["lower"], step["upper"])]
        print(f"   {step['order']:>3} {step['ndof']:>6} {elapsed:>7.1f} "
              + " ".join(f"{w:>9.2e}" for w in widths))
    print(f"   total {seconds:.1f} s; final enclosures:")
    for bound in outcome.bounds:
        print(f"   l{bound.index} in [{bound.lower!r}, {bound.upper!r}] "
              f"({bound.relative_width:.2e})")


def square_first() -> None:
    square = rectangle(1.0, 1.0)
    outcome, seconds = timed(square, settings(1, 8, 12, 1e-10))
    bound = outcome.bounds[0]
    print("2. unit square lambda_1 = 2 pi^2")
    print(f"   [{bound.lower!r}, {bound.upper!r}]  width {bound.relative_width:.3e}  "
          f"wall {seconds:.1f} s  (p={bound.lower_from['order']})")


def cr_against_lg() -> None:
    from pdekit.fem.solve.assembly import dirichlet_pattern
    from pdekit.fem.solve.cr_bound import cr_lower_bounds, cr_mesh
    from pdekit.fem.geometry.mesh import build_mesh

    shape = lshape()
    lg, lg_seconds = timed(shape, settings(1, 4, 16, 1e-8))
    upper = lg.bounds[0].upper
    print("3. L-shape lambda_1: CR lower bound alone vs Lehmann-Goerisch "
          f"(upper bound {upper!r} from Rayleigh-Ritz)")
    print(f"   {'method':>22} {'mesh':>24} {'lower':>20} {'width':>9} {'t [s]':>7}")
    for refine in range(5):
        start = time.perf_counter()
        mesh, _ = build_mesh(shape, set(shape.boundaries), maxh=0.5, refine=refine,
                             hp=False, hp_levels=0, hp_factor=0.2, curve_order=0)
        problem = cr_mesh(mesh, dirichlet_pattern(shape.boundaries))
        lower = cr_lower_bounds(problem, [1])[0].lower
        seconds = time.perf_counter() - start
        where = f"{problem.triangles} tri, h {problem.h_max:.3f}"
        print(f"   {'Crouzeix-Raviart':>22} {where:>24} "
              f"{lower:>20.13f} {(upper - lower) / lower:>9.2e} {seconds:>7.2f}")
    elapsed = lg.cr["seconds"]
    for step in lg.steps:
        elapsed += step["seconds"]
        lower = step["lower"][0]
        where = f"p={step['order']}, {step['ndof']} dofs"
        print(f"   {'Lehmann-Goerisch':>22} {where:>24} "
              f"{lower:>20.13f} {(step['upper'][0] - lower) / lower:>9.2e} {elapsed:>7.2f}")


if __name__ == "__main__":
    lshape_first()
    lshape_five()
    square_first()
    cr_against_lg()
