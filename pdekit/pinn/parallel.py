"""Data-parallel PINN training: the collocation points split over MPI ranks, sums reduced.

The loss is a sum over collocation points, ``|r|^2 = sum_ranks |r_rank|^2``, and so are its
gradient ``2 J^T r``, the Gauss-Newton matrix ``J^T J``, Hessian-vector products and the
line-search values. Every rank draws the same points from the seed and keeps one contiguous
block of them (:func:`share`); each rank evaluates its residuals and the sums are formed by
:class:`Reducer`.

The reduction is deterministic: the partial sums are *gathered* (``MPI_Allgather`` on NumPy
buffers) and added in rank order on every rank, so all ranks hold bit-identical results (and
hence identical weights, with no broadcast), and 1 and N ranks differ only by how the sums
are partitioned -- round-off. ``MPI_Allreduce`` does not promise either (its summation order
depends on the algorithm Open MPI picks for the message size).

On one rank the :class:`Reducer` is the identity and no MPI is imported.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Sequence

import numpy as np


class Reducer:
    """Sums of per-rank partial results, identical on every rank.

    Parameters
    ----------
    comm
        An mpi4py communicator, or None for a serial run.

    Attributes
    ----------
    rank, size
        This rank and the number of ranks (0 and 1 serially).
    """

    def __init__(self, comm: Any = None):
        self.comm = comm if comm is not None and comm.size > 1 else None
        self.rank = comm.rank if self.comm is not None else 0
        self.size = comm.size if self.comm is not None else 1

    @property
    def is_root(self) -> bool:
        return self.rank == 0

    def sum(self, local: np.ndarray | float) -> np.ndarray:
        """``sum over ranks`` of ``local`` (float64 array of the same shape on every rank),
        added in rank order."""
        part = np.ascontiguousarray(local, dtype=np.float64)
        if self.comm is None:
            return part
        gathered = np.empty((self.size,) + part.shape)
        self.comm.Allgather(part, gathered)
        total = gathered[0].copy()
        for other in gathered[1:]:
            total += other
        return total

    def sum_all(self, *parts: Any) -> list[np.ndarray]:
        """Several partial sums in one message: each summed over ranks, shapes kept."""
        arrays = [np.asarray(p, dtype=np.float64) for p in parts]
        if self.comm is None:
            return arrays
        total = self.sum(np.concatenate([a.ravel() for a in arrays]))
        out, start = [], 0
        for a in arrays:
            out.append(total[start:start + a.size].reshape(a.shape))
            start += a.size
        return out

    def gather_objects(self, value: Any) -> list[Any]:
        """Every rank's ``value`` (pickled), in rank order, on every rank."""
        return [value] if self.comm is None else self.comm.allgather(value)

    def reduced(self, local: Callable[..., Any]) -> Callable[..., Any]:
        """``local`` (returning a tensor or a tuple of tensors of this rank's partial sums)
        made to return the sums over ranks, as tensors of the same dtype."""
        if self.comm is None:
            return local
        import tensorflow as tf

        def summed(*args: Any) -> Any:
            out = local(*args)
            many = isinstance(out, (tuple, list))
            items = list(out) if many else [out]
            totals = self.sum_all(*(t.numpy() for t in items))
            tensors = [tf.constant(t, item.dtype) for t, item in zip(totals, items)]
            return tuple(tensors) if many else tensors[0]

        return summed

    def distribute(self, objective: Any) -> Any:
        """Make a :mod:`pdekit.optim` objective evaluate the sums over ranks: its loss,
        loss+gradient, Hessian-vector and Gauss-Newton products (the ones the optimizers
        use; all sums over the collocation points). Returns the objective."""
        for name in ("_f", "_vg", "_hv", "_jtjv"):
            local = getattr(objective, name, None)
            if local is not None:
                setattr(objective, name, self.reduced(local))
        return objective

    def weights_agree(self, flat: np.ndarray) -> bool:
        """Whether every rank holds bit-identical weights ``flat`` (a digest is compared)."""
        digest = hashlib.sha256(np.ascontiguousarray(flat, np.float64).tobytes()).hexdigest()
        return len(set(self.gather_objects(digest))) == 1


def share(points: np.ndarray, rank: int, size: int) -> np.ndarray:
    """This rank's contiguous block of ``points`` (blocks differ in length by at most one;
    a rank may get none when there are fewer points than ranks)."""
    bounds = np.linspace(0, len(points), size + 1).round().astype(int)
    return points[bounds[rank]:bounds[rank + 1]]


def shares(counts: int, size: int) -> Sequence[int]:
    """The block lengths :func:`share` gives each rank for ``counts`` points."""
    bounds = np.linspace(0, counts, size + 1).round().astype(int)
    return [int(b - a) for a, b in zip(bounds[:-1], bounds[1:])]


def world() -> Reducer:
    """The reducer of this run: over ``MPI.COMM_WORLD`` under mpiexec, else serial."""
    from pdekit.launcher import mpi_size

    if mpi_size() == 1:
        return Reducer()
    from mpi4py import MPI

    share_cores()
    return Reducer(MPI.COMM_WORLD)


def share_cores() -> None:
    """Give each rank's TensorFlow its share of the node's cores.

    TensorFlow's thread pools default to all cores in every process: N ranks on a node
    would run N times as many threads as cores, and every collective would then wait for
    a descheduled thread (Horovod's advice is the same). Must run before TensorFlow
    executes its first operation; later it is left as it is.
    """
    import tensorflow as tf

    from pdekit.launcher import cores_per_rank

    threads = cores_per_rank()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:  # the runtime is initialized already
        pass
