"""Domains, sampling, boundary parts, normals and approximate distance functions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pdekit.pinn.domains import (Ball, Box, Difference, Disk, Intersection, Interval, LShape,
                                 PlanarDomain, Polygon, Rectangle, Union, grid_mask)

PENTAGON = [(0.0, 0.0), (2.0, 0.0), (2.5, 1.5), (1.0, 2.5), (-0.5, 1.5)]

DOMAINS = {
    "interval": Interval(-1.0, 2.0),
    "rectangle": Rectangle(0.0, 2.0, -0.5, 0.5),
    "box": Box((0.0, -1.0, 0.0), (1.0, 1.0, 0.5)),
    "disk": Disk((0.5, -0.25), 1.5),
    "ball": Ball((0.0, 0.5, 0.0), 0.8),
    "lshape": LShape(),
    "pentagon": Polygon(PENTAGON),
    "pentagon_cw": Polygon(PENTAGON[::-1]),
    "square_minus_disk": Difference(Rectangle(-1, 1, -1, 1), Disk((0.0, 0.0), 0.5, "hole")),
    "rectangle_union_disk": Union(Rectangle(0, 2, 0, 1), Disk((2.0, 0.5), 0.75)),
    "disk_and_halfplane": Intersection(Disk(),
                                       Rectangle(0, 2, -2, 2, names=("cut", "r", "b", "t"))),
    "square_minus_square": Rectangle(-1, 1, -1, 1) - Rectangle(0, 1, -1, 0, ("a", "b", "c", "d")),
}
EXACT_VOLUMES = {
    "interval": 3.0, "rectangle": 2.0, "box": 1.0, "disk": math.pi * 1.5 ** 2,
    "ball": 4 / 3 * math.pi * 0.8 ** 3, "lshape": 3.0, "pentagon": 5.25, "pentagon_cw": 5.25,
    "square_minus_disk": 4.0 - math.pi / 4, "disk_and_halfplane": math.pi / 2,
    "square_minus_square": 3.0,
    # rectangle + the disk's part outside it: half disk + two circular caps of height 0.25
    "rectangle_union_disk": 2.0 + 0.5 * math.pi * 0.75 ** 2
    + 2 * (0.75 ** 2 * math.acos(0.5 / 0.75) - 0.5 * math.sqrt(0.75 ** 2 - 0.25)) / 2,
}
PLANAR = [k for k, d in DOMAINS.items() if isinstance(d, PlanarDomain)]
SAMPLERS = ["uniform", "sobol", "halton"]


def corners(domain) -> np.ndarray:
    """Points where boundary pieces meet (2D), box edges handled separately."""
    if isinstance(domain, PlanarDomain):
        return np.concatenate([p.at(np.array([0.0, 1.0])) for _, p in domain.pieces])
    return np.empty((0, domain.dim))


def away_from_corners(domain, points: np.ndarray, gap: float = 0.05) -> np.ndarray:
    keep = np.ones(len(points), bool)
    c = corners(domain)
    if len(c):
        keep &= np.min(np.linalg.norm(points[:, None, :] - c[None], axis=2), axis=1) > gap
    if isinstance(domain, Box):
        at_face = (np.abs(points - np.array(domain.low)) < gap) | \
            (np.abs(points - np.array(domain.high)) < gap)
        keep &= at_face.sum(axis=1) <= 1
    return keep


def fd_gradient(f, x: np.ndarray, h: float) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = h
        out[:, i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


# ------------------------------------------------------------------ sampling
@pytest.mark.parametrize("name", DOMAINS)
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_interior_samples_inside_count_and_seed(name, sampler):
    domain = DOMAINS[name]
    pts = domain.sample_interior(300, sampler, seed=3)
    assert pts.shape == (300, domain.dim)
    assert domain.contains(pts, boundary=False).all()
    assert (domain.adf(pts) > 0).all()
    assert np.array_equal(pts, domain.sample_interior(300, sampler, seed=3))
    assert not np.array_equal(pts, domain.sample_interior(300, sampler, seed=4))


@pytest.mark.parametrize("name", DOMAINS)
def test_grid_sampler_gives_about_n_points_inside(name):
    domain = DOMAINS[name]
    pts = domain.sample_interior(400, "grid")
    assert abs(len(pts) - 400) <= 0.2 * 400
    assert domain.contains(pts, boundary=False).all()


@pytest.mark.parametrize("name", DOMAINS)
@pytest.mark.parametrize("sampler", SAMPLERS + ["grid"])
def test_boundary_samples_on_their_parts(name, sampler):
    domain = DOMAINS[name]
    pts, parts = domain.sample_boundary(256, sampler, seed=1)
    if domain.dim == 1:
        assert pts.shape == (2, 1) and list(parts) == list(domain.boundary_parts)
    else:
        assert pts.shape == (256, domain.dim) and parts.shape == (256,)
    assert set(parts) <= set(domain.boundary_parts)
    assert domain.boundary_distance(pts).max() < 1e-12
    assert np.abs(domain.adf(pts)).max() < 1e-12
    assert np.abs(domain.adf(pts, m=2)).max() < 1e-12
    for part in set(parts):
        assert domain.boundary_distance(pts[parts == part], [part]).max() < 1e-12
    again, parts2 = domain.sample_boundary(256, sampler, seed=1)
    assert np.array_equal(pts, again) and np.array_equal(parts, parts2)


@pytest.mark.parametrize("name", DOMAINS)
def test_volumes(name):
    assert DOMAINS[name].volume() == pytest.approx(EXACT_VOLUMES[name], rel=1e-12)


@pytest.mark.parametrize("name", PLANAR)
def test_interior_sampling_is_uniform_in_area(name):
    """Sample means of x, y, x^2, xy, y^2 against the exact area moments (5 sigma)."""
    domain = DOMAINS[name]
    n = 20000
    pts = domain.sample_interior(n, "uniform", seed=11)
    area = domain.moment(0, 0)
    for i, j in [(1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]:
        mean = domain.moment(i, j) / area
        var = domain.moment(2 * i, 2 * j) / area - mean ** 2
        sample = np.mean(pts[:, 0] ** i * pts[:, 1] ** j)
        assert abs(sample - mean) < 5 * math.sqrt(var / n), (i, j)


def test_disk_and_ball_radial_moments():
    disk, ball = DOMAINS["disk"], DOMAINS["ball"]
    for sampler in ("sobol", "uniform"):
        r2 = np.sum((disk.sample_interior(4096, sampler, 2) - disk.center) ** 2, axis=1)
        # mean r^2 = R^2/2, var r^2 = R^4/12 for a uniform disk
        assert abs(r2.mean() - disk.radius ** 2 / 2) < 5 * disk.radius ** 2 / math.sqrt(12 * 4096)
        r2 = np.sum((ball.sample_interior(4096, sampler, 2) - ball.center) ** 2, axis=1)
        # mean r^2 = 3R^2/5 in a ball, var = R^4 (3/7 - 9/25)
        sd = ball.radius ** 2 * math.sqrt(3 / 7 - 9 / 25)
        assert abs(r2.mean() - 0.6 * ball.radius ** 2) < 5 * sd / math.sqrt(4096)
    box = DOMAINS["box"]
    pts = box.sample_interior(4096, "sobol", 0)
    assert np.allclose(pts.mean(axis=0), (np.array(box.low) + box.high) / 2, atol=0.01)


def test_boundary_sampling_is_uniform_in_length_and_area():
    rect = DOMAINS["rectangle"]  # 2 x 1: left/right 1/6 each, bottom/top 1/3 each
    _, parts = rect.sample_boundary(6000, "sobol", 0)
    for part, frac in [("left", 1 / 6), ("right", 1 / 6), ("bottom", 1 / 3), ("top", 1 / 3)]:
        assert abs(np.mean(parts == part) - frac) < 0.005
    disk = DOMAINS["disk"]
    pts, _ = disk.sample_boundary(4000, "uniform", 0)
    theta = np.arctan2(pts[:, 1] - disk.center[1], pts[:, 0] - disk.center[0])
    counts = np.histogram(theta, bins=8, range=(-math.pi, math.pi))[0]
    chi2 = np.sum((counts - 500.0) ** 2 / 500.0)
    assert chi2 < 24.3  # 99.9 % quantile, 7 degrees of freedom
    box = DOMAINS["box"]  # face areas 2, 2, 0.5, 0.5, 1, 1
    _, parts = box.sample_boundary(4096, "sobol", 0)
    for part, area in zip(box.boundary_parts, [1.0, 1.0, 0.5, 0.5, 2.0, 2.0]):
        assert abs(np.mean(parts == part) - area / 7.0) < 0.01
    ball = DOMAINS["ball"]
    pts, _ = ball.sample_boundary(4096, "sobol", 0)
    z = (pts[:, 2] - ball.center[2]) / ball.radius
    assert abs(z.mean()) < 0.01 and abs(np.mean(z ** 2) - 1 / 3) < 0.01
    l_shape = DOMAINS["lshape"]  # edges of lengths 1, 1, 1, 1, 2, 2
    _, parts = l_shape.sample_boundary(8000, "sobol", 0)
    for k, length in enumerate([1, 1, 1, 1, 2, 2]):
        assert abs(np.mean(parts == f"edge{k}") - length / 8) < 0.005


# ------------------------------------------------------------------ parts and normals
def test_part_names():
    assert DOMAINS["rectangle"].boundary_parts == ("left", "right", "bottom", "top")
    assert DOMAINS["box"].boundary_parts == ("left", "right", "bottom", "top", "front", "back")
    assert DOMAINS["disk"].boundary_parts == ("circle",)
    assert DOMAINS["ball"].boundary_parts == ("sphere",)
    assert DOMAINS["lshape"].boundary_parts == tuple(f"edge{i}" for i in range(6))
    lshape = DOMAINS["lshape"]
    # edge1 and edge2 meet at the re-entrant corner (0, 0), as in pdekit's FEM L-shape.
    assert lshape.boundary_distance(np.array([[0.0, -0.5]]), ["edge1"])[0] == 0.0
    assert lshape.boundary_distance(np.array([[0.5, 0.0]]), ["edge2"])[0] == 0.0
    assert DOMAINS["square_minus_disk"].boundary_parts == ("left", "right", "bottom", "top", "hole")
    # the right side lies inside the disk: gone from the union
    assert DOMAINS["rectangle_union_disk"].boundary_parts == ("left", "bottom", "top", "circle")
    assert DOMAINS["disk_and_halfplane"].boundary_parts == ("circle", "cut")
    assert DOMAINS["square_minus_square"].boundary_parts == (
        "left", "right", "bottom", "top", "a", "d")
    touching = Rectangle(0, 1, 0, 1) | Rectangle(1, 2, 0, 1, ("l2", "r2", "b2", "t2"))
    assert "l2" not in touching.boundary_parts and "right" not in touching.boundary_parts
    assert touching.volume() == pytest.approx(2.0)
    assert touching.contains(np.array([[1.0, 0.5]]), boundary=False)[0]


def test_polygon_edge_names_follow_the_users_order_in_both_orientations():
    names = ["e01", "e12", "e23", "e34", "e40"]
    ccw = Polygon(PENTAGON, names)
    # the same polygon clockwise: vertices 0, 4, 3, 2, 1 -> edges 0-4, 4-3, 3-2, 2-1, 1-0
    cw = Polygon([PENTAGON[i] for i in (0, 4, 3, 2, 1)], ["e40", "e34", "e23", "e12", "e01"])
    assert ccw.counter_clockwise and not cw.counter_clockwise
    for name in names:
        (a,) = [p for n, p in ccw.pieces if n == name]
        (b,) = [p for n, p in cw.pieces if n == name]
        assert {a.start, a.end} == {b.start, b.end}
        assert np.allclose(a.normal, b.normal)
    # edge i is from the user's vertex i to i+1, whatever the orientation
    default_cw = DOMAINS["pentagon_cw"]
    for i, (name, seg) in enumerate(default_cw.pieces):
        assert name == f"edge{i}"
        assert (seg.start, seg.end) == (default_cw.vertices[i], default_cw.vertices[(i + 1) % 5])
    pts, parts = cw.sample_boundary(500, "sobol", 0)
    for name in names:
        assert ccw.boundary_distance(pts[parts == name], [name]).max() < 1e-12


@pytest.mark.parametrize("vertices, phrase", [
    ([(0, 0), (1, 0)], "at least 3 vertices"),
    ([(0, 0), (1, 0), (1, 1), (1, 0), (0, 1)], "distinct vertices"),
    ([(0, 0), (1, 0), (1, 1), (0, 0)], "distinct vertices"),
    ([(0, 0), (1, 1), (1, 0), (0, 1)], "simple polygon"),
    ([(0, 0), (1, 0), (2, 0)], "nonzero area"),
    ([(0, 0), (2, 0), (1, 0), (1, 1)], "simple polygon"),
    ([(0, 0), (1, 0), (float("nan"), 1)], "finite"),
    ([(0, 0, 0), (1, 0, 0), (0, 1, 0)], "at least 3 vertices"),
    ("abc", "vertices"),
])
def test_invalid_polygons_are_rejected(vertices, phrase):
    with pytest.raises(ValueError, match=phrase):
        Polygon(vertices)


def test_bad_arguments():
    with pytest.raises(ValueError, match="edge names"):
        Polygon(PENTAGON, ["a", "b"])
    with pytest.raises(ValueError, match="unknown boundary part"):
        DOMAINS["rectangle"].adf(np.zeros((1, 2)), ["nope"])
    with pytest.raises(ValueError, match="unknown sampler"):
        DOMAINS["disk"].sample_interior(10, "random")
    with pytest.raises(ValueError, match="positive number"):
        DOMAINS["lshape"].sample_boundary(0)
    with pytest.raises(ValueError, match="shape"):
        DOMAINS["box"].contains(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="m must be 1 or 2"):
        DOMAINS["lshape"].adf(np.zeros((1, 2)), m=3)
    with pytest.raises(ValueError, match="x0 < x1"):
        Rectangle(1, 0)


@pytest.mark.parametrize("name", DOMAINS)
def test_normals_are_unit_and_outward(name):
    domain = DOMAINS[name]
    pts, parts = domain.sample_boundary(400, "sobol", seed=5)
    keep = away_from_corners(domain, pts)
    pts, parts = pts[keep], parts[keep]
    for part in set(parts):
        p = pts[parts == part]
        n = domain.outward_normals(p, part)
        assert np.allclose(np.linalg.norm(n, axis=1), 1.0)
        assert not domain.contains(p + 1e-3 * n).any()
        assert domain.contains(p - 1e-3 * n, boundary=False).all()


def test_grid_mask():
    axes, pts, inside = grid_mask(DOMAINS["lshape"], 41)
    assert len(axes) == 2 and pts.shape == (41 * 41, 2)
    assert np.array_equal(inside, DOMAINS["lshape"].contains(pts))
    removed = (pts[:, 0] > 1e-9) & (pts[:, 1] < -1e-9)
    assert not inside[removed].any() and inside[~removed].all()
    _, pts, inside = grid_mask(DOMAINS["disk"], 201)
    assert abs(inside.mean() - math.pi / 4) < 0.01
    _, pts, inside = grid_mask(DOMAINS["ball"], 41)
    assert pts.shape == (41 ** 3, 3) and abs(inside.mean() - math.pi / 6) < 0.05
    assert np.array_equal(inside, DOMAINS["ball"].contains(pts))


# ------------------------------------------------------------------ distance functions
@pytest.mark.parametrize("name", DOMAINS)
@pytest.mark.parametrize("m", [1, 2])
def test_adf_normalized_on_the_boundary(name, m):
    """|grad phi| = 1 just inside the boundary, away from corners (first-order normalized)."""
    domain = DOMAINS[name]
    pts, parts = domain.sample_boundary(300, "sobol", seed=2)
    keep = away_from_corners(domain, pts)
    inward = np.concatenate([-domain.outward_normals(pts[keep][parts[keep] == part], part)
                             for part in sorted(set(parts[keep]))])
    pts = np.concatenate([pts[keep][parts[keep] == part] for part in sorted(set(parts[keep]))])
    x = pts + 1e-6 * inward
    grad = fd_gradient(lambda y: domain.adf(y, m=m), x, 1e-8)
    assert np.allclose(np.linalg.norm(grad, axis=1), 1.0, atol=1e-3)
    assert np.allclose(grad, inward, atol=1e-3)


@pytest.mark.parametrize("name, dirichlet", [
    ("rectangle", ["left", "top"]), ("lshape", ["edge1", "edge2"]),
    ("pentagon_cw", ["edge0", "edge3"]), ("square_minus_disk", ["hole"]),
    ("rectangle_union_disk", ["circle", "bottom"]), ("box", ["front"]), ("interval", ["right"]),
])
def test_adf_of_dirichlet_parts_only(name, dirichlet):
    domain = DOMAINS[name]
    pts, parts = domain.sample_boundary(400, "halton", seed=0)
    on = np.isin(parts, dirichlet)
    phi = domain.adf(pts, dirichlet)
    assert np.abs(phi[on]).max() < 1e-12
    off = ~on & (domain.boundary_distance(pts, dirichlet) > 0.05)
    assert off.any() and (phi[off] > 0).all()
    inner = domain.sample_interior(500, "sobol", 0)
    assert (domain.adf(inner, dirichlet) > 0).all()


def test_interval_and_disk_closed_forms():
    x = np.linspace(-1, 2, 7)[:, None]
    assert np.allclose(DOMAINS["interval"].adf(x), (x[:, 0] + 1) * (2 - x[:, 0]) / 3)
    d = DOMAINS["disk"]
    p = d.sample_interior(50, "sobol", 0)
    r2 = np.sum((p - d.center) ** 2, axis=1)
    assert np.allclose(d.adf(p), (d.radius ** 2 - r2) / (2 * d.radius))


@pytest.mark.parametrize("name", DOMAINS)
def test_tensorflow_adf_matches_numpy_and_its_laplacian_matches_finite_differences(name):
    pytest.importorskip("tensorflow")
    from pdekit.pinn.domains import adf_derivatives

    domain = DOMAINS[name]
    pts = domain.sample_interior(200, "halton", seed=7)
    pts = pts[domain.boundary_distance(pts) > 0.1][:40]
    dirichlet = [domain.boundary_parts[0]]
    for parts, m in [(None, 1), (None, 2), (dirichlet, 1)]:
        phi, grad, lap = adf_derivatives(domain, pts, parts, m)
        ref = domain.adf(pts, parts, m)
        assert np.allclose(phi, ref, rtol=1e-13, atol=1e-13)
        assert np.isfinite(grad).all() and np.isfinite(lap).all()
        f = lambda y: domain.adf(y, parts, m)  # noqa: E731
        assert np.allclose(grad, fd_gradient(f, pts, 1e-6), atol=1e-7)
        def fd_lap(h):
            return sum((f(pts + h * e) - 2 * f(pts) + f(pts - h * e)) / h ** 2
                       for e in np.eye(domain.dim))

        fd = (4 * fd_lap(1e-3) - fd_lap(2e-3)) / 3  # Richardson: O(h^4)
        assert np.allclose(lap, fd, rtol=1e-5, atol=1e-5)
    # finite second derivatives at every interior collocation point, however near the boundary
    near = domain.sample_interior(600, "sobol", seed=1)
    for parts in (None, dirichlet):
        _, grad, lap = adf_derivatives(domain, near, parts)
        assert np.isfinite(grad).all() and np.isfinite(lap).all()
