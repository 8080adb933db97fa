"""Recursive coordinate bisection of points spread over MPI ranks.

Berger & Bokhari, "A partitioning strategy for nonuniform problems on multiprocessors",
IEEE Trans. Comput. C-36 (1987) 570–580: cut the points at the median of their longest
extent, then each side in the same way, until there are ``parts`` parts. A part count
that is not a power of two is split in proportion (5 parts: 2 + 3), so every part gets
the same number of points, to one.

Each cut value is found by bisection on the coordinate, one reduction of the counts per
bisection step for all groups of a level at once (about 40 steps: until the bracket is
1e-12 of the group's extent). Points at the cut value (a plane of mesh vertices) are
handed to the lower side in rank order, so the part sizes come out exact. The cost is
a few passes over the local points per level and ``log2(parts)`` levels, independent of
how many edges a graph partitioner would have to read.

Importing this module imports no MPI; the communicator is passed in (an mpi4py ``Comm``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

RELATIVE_BRACKET = 1e-12
"""A cut value is settled when its bracket is this fraction of the group's extent (plus
its distance from 0: the bracket can always get that small in floating point)."""

MAX_STEPS = 200
"""Bisection steps at most (all points at one place: no bracket gets small)."""


def coordinate_bisection(points: np.ndarray, parts: int, comm: Any) -> np.ndarray:
    """The part (0 … ``parts`` − 1) of each of this rank's points (collective).

    Parameters
    ----------
    points
        ``(n, dim)`` coordinates of this rank's points (``n`` may be 0).
    parts
        Number of parts.
    comm
        mpi4py communicator over which the points are spread.

    Returns
    -------
    numpy.ndarray
        ``int64`` part of each point; the parts hold equal numbers of points to within
        one per level of cuts.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim == 1:  # points on a line
        points = points[:, None]
    part = np.zeros(len(points), dtype=np.int64)  # the first part of each point's group
    groups = [(0, parts)]  # (first part, part count) of every group, the same on all ranks
    while any(count > 1 for _, count in groups):
        splitting = [(first, count) for first, count in groups if count > 1]
        lower = _split_level(points, part, splitting, parts, comm)
        for (first, count), kept in zip(splitting, lower):
            upper = part == first
            upper[kept] = False
            part[upper] = first + count // 2
        groups = [piece for first, count in groups for piece in
                  (((first, count // 2), (first + count // 2, count - count // 2))
                   if count > 1 else ((first, count),))]
    return part


def _split_level(points: np.ndarray, part: np.ndarray, splitting: list[tuple[int, int]],
                 parts: int, comm: Any) -> list[np.ndarray]:
    """For each group ``(first, count)`` in ``splitting``: the indices of this rank's points
    that go to its lower ``count // 2`` parts (one cut per group, all groups at once)."""
    from mpi4py import MPI

    groups = len(splitting)
    slot = np.full(parts, -1, dtype=np.int64)
    slot[[first for first, _ in splitting]] = np.arange(groups)
    group = slot[part]
    active = np.flatnonzero(group >= 0)
    group = group[active]
    # bounding box of every group over all ranks
    segments = _segments(group, groups, np.argsort(group, kind="stable"))
    low = np.full((groups, points.shape[1]), np.inf)
    high = np.full((groups, points.shape[1]), -np.inf)
    for g, members in enumerate(segments):
        if members.size:
            low[g], high[g] = points[active[members]].min(axis=0), \
                points[active[members]].max(axis=0)
    comm.Allreduce(MPI.IN_PLACE, low, op=MPI.MIN)
    comm.Allreduce(MPI.IN_PLACE, high, op=MPI.MAX)
    empty = ~np.isfinite(low[:, 0])
    low[empty], high[empty] = 0.0, 0.0
    axis = np.argmax(high - low, axis=1)  # the longest extent
    rows = np.arange(groups)
    low, high = low[rows, axis], high[rows, axis]
    values = points[active, axis[group]]
    # each group's values sorted: a count below a value is a binary search
    ordered = [np.sort(values[members]) for members in segments]
    totals = _global_counts(np.array([v.size for v in ordered], dtype=np.int64), comm)
    wanted = np.array([round(int(totals[g]) * (count // 2) / count)
                       for g, (_, count) in enumerate(splitting)], dtype=np.int64)
    # Bisection keeps count(v <= below) < wanted <= count(v <= above) for every group.
    width = high - low
    tolerance = RELATIVE_BRACKET * (width + np.maximum(np.abs(low), np.abs(high)))
    below, above = low - 1.0 - width, high.copy()
    settled = wanted <= 0
    for _ in range(MAX_STEPS):
        settled |= above - below <= tolerance
        if settled.all():
            break
        middle = np.where(settled, above, below + 0.5 * (above - below))
        enough = _global_counts(_counts_up_to(ordered, middle), comm) >= wanted
        above = np.where(~settled & enough, middle, above)
        below = np.where(~settled & ~enough, middle, below)
    # Points in (below, above] sit at the cut: the lower side takes as many as it lacks,
    # rank by rank in order.
    under = values <= below[group]
    at_cut = ~under & (values <= above[group])
    lacking = wanted - _global_counts(_counts_up_to(ordered, below), comm)
    ties = np.bincount(group[at_cut], minlength=groups).astype(np.int64)
    before = np.zeros(groups, dtype=np.int64)
    comm.Exscan(ties, before, op=MPI.SUM)
    if comm.Get_rank() == 0:
        before[:] = 0  # Exscan leaves rank 0's result undefined
    take = np.clip(lacking - before, 0, ties)
    lower = []
    for g, members in enumerate(segments):
        members = members[(under | at_cut)[members]]  # in index order (stable sort)
        tied = members[at_cut[members]]
        lower.append(active[np.concatenate([members[under[members]], tied[:take[g]]])])
    return lower


def _segments(group: np.ndarray, groups: int, order: np.ndarray) -> list[np.ndarray]:
    """Positions of each group's members (``order`` sorts ``group``)."""
    bounds = np.searchsorted(group[order], np.arange(groups + 1))
    return [order[bounds[g]:bounds[g + 1]] for g in range(groups)]


def _counts_up_to(ordered: list[np.ndarray], limits: np.ndarray) -> np.ndarray:
    """This rank's number of values ≤ ``limits[g]`` in each group's sorted values."""
    return np.array([np.searchsorted(values, limit, side="right")
                     for values, limit in zip(ordered, limits)], dtype=np.int64)


def _global_counts(counts: np.ndarray, comm: Any) -> np.ndarray:
    """Per-group counts summed over all ranks (one reduction)."""
    from mpi4py import MPI

    total = counts.astype(np.int64)
    comm.Allreduce(MPI.IN_PLACE, total, op=MPI.SUM)
    return total
