"""Transform-diagonal linear parts on a grid split over MPI ranks (mpi4py-fft).

A d-dimensional FFT (real-to-complex) or DCT-II (FFTW's REDFT10, real-to-real) of a field
split over ranks is d serial transforms along the axes each rank holds whole, with global
transposes (MPI all-to-all) between them that make the next axis whole (Dalcin, Mortensen
& Keyes, "Fast parallel multidimensional FFT using advanced MPI", J. Parallel Distrib.
Comput. 128, 137–150, 2019, the method of mpi4py-fft), in slabs or pencils
(:mod:`pdekit.time.decomposition`).

:class:`DistributedDiagonalLinear` is a :class:`~pdekit.time.linear.TransformDiagonalLinear`
whose state is this rank's block of each field and whose eigenvalues are this rank's block
of the spectrum, so every integrator of :mod:`pdekit.time` runs on it unchanged: stage
arithmetic and the ETDRK4 coefficient tables are per rank, only the transforms talk to the
other ranks. :class:`PencilTransform` runs the transform pipeline itself,
so that it can time the transposes apart from the serial transforms and count the bytes
each rank sends.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from functools import partial
from itertools import accumulate
from typing import Any, Iterator

import numpy as np

from pdekit.memory import empty_aligned
from pdekit.time.decomposition import Decomposition
from pdekit.time.linear import TransformDiagonalLinear

__all__ = ["DistributedDiagonalLinear", "PencilTransform", "global_max"]


class PackedTranspose:
    """One global transpose of mpi4py-fft's pipeline (its ``Transfer``: the array whole
    along ``axisA`` in layout A, whole along ``axisB`` in layout B, the other of the two
    split over ``comm``), done with contiguous blocks and ``MPI_Alltoallv``.

    mpi4py-fft sends through ``MPI_Alltoallw`` with a subarray datatype per peer; copying
    each peer's block into one contiguous buffer and exchanging that with Open MPI 4.1
    took half the time here (the transposes of a forward and an inverse 96³ transform of
    two fields on 2 ranks, complex128, medians of 6 interleaved runs on a shared machine:
    64 ms against 132 ms). The block a rank keeps is copied straight from source to target
    (on 2 ranks half the data, which would otherwise be packed, copied by MPI and
    unpacked), and a side whose blocks are already contiguous (cut along the first axis:
    one side of every slab transpose) is read or written by MPI in place, unpacked. The
    data moved and where they land are mpi4py-fft's; a forward transform's scale 1/N is
    applied in one of these copies instead of after the last serial transform (the
    same values to rounding).
    """

    def __init__(self, transfer: Any):
        from mpi4py_fft.pencil import _blockdist  # the distribution of its Pencil layouts

        self.comm = transfer.comm
        size, full = self.comm.Get_size(), transfer.shape
        self.size, self.axis_a, self.axis_b = size, transfer.axisA, transfer.axisB
        self.shape_a, self.shape_b = tuple(transfer.subshapeA), tuple(transfer.subshapeB)
        # layout B splits axis A over the ranks, layout A splits axis B
        self.split_a = [_blockdist(full[self.axis_a], size, r) for r in range(size)]
        self.split_b = [_blockdist(full[self.axis_b], size, r) for r in range(size)]
        self.buffers: tuple[np.ndarray, np.ndarray] | None = None

    def _blocks(self, source_shape: tuple[int, ...], split_axis: int,
                split: list[tuple[int, int]]) -> tuple[list[tuple[slice, ...]], list[int]]:
        """Slices of ``source_shape`` cut along ``split_axis`` by ``split`` (per peer)
        and their sizes."""
        cuts, sizes = [], []
        for length, start in split:
            where = [slice(None)] * len(source_shape)
            where[split_axis] = slice(start, start + length)
            cuts.append(tuple(where))
            sizes.append(math.prod(source_shape) // source_shape[split_axis] * length)
        return cuts, sizes

    def _exchange(self, source: np.ndarray, target: np.ndarray, send_axis: int,
                  send_split: list[tuple[int, int]], receive_axis: int,
                  receive_split: list[tuple[int, int]], scale: float | None) -> None:
        assert source.flags.c_contiguous and target.flags.c_contiguous  # the stages' arrays
        if self.size == 1:
            _copy(source, target, scale)
            return
        rank = self.comm.Get_rank()
        cuts, counts = self._blocks(source.shape, send_axis, send_split)
        places, receive_counts = self._blocks(target.shape, receive_axis, receive_split)
        # this rank's own block goes straight across: no packing, no MPI copy
        _copy(source[cuts[rank]], target[places[rank]], scale)
        counts[rank] = receive_counts[rank] = 0
        # A block cut along the first axis that is longer than 1 is contiguous: MPI reads
        # it from the source, or writes it into the target, where it is (slabs: one side
        # of every transpose); other blocks go through a packed buffer.
        send_direct = math.prod(source.shape[:send_axis]) == 1
        receive_direct = math.prod(target.shape[:receive_axis]) == 1
        if not (send_direct and receive_direct) and (
                self.buffers is None or self.buffers[0].dtype != source.dtype):
            count = max(source.size, target.size)
            self.buffers = (empty_aligned(count, source.dtype), empty_aligned(count,
                                                                              source.dtype))
        if send_direct:
            send, offsets = source.reshape(-1), _offsets(send_split, send_axis, source.shape)
        else:
            send, offsets = self.buffers[0], _running_offsets(counts)
            for peer, (cut, offset, count) in enumerate(zip(cuts, offsets, counts)):
                if peer != rank:
                    _copy(source[cut], send[offset:offset + count].reshape(source[cut].shape),
                          scale)
        if receive_direct:
            receive = target.reshape(-1)
            receive_offsets = _offsets(receive_split, receive_axis, target.shape)
        else:
            receive, receive_offsets = self.buffers[1], _running_offsets(receive_counts)
        self.comm.Alltoallv([send, (counts, offsets)],
                            [receive, (receive_counts, receive_offsets)])
        for peer, (place, offset, count) in enumerate(zip(places, receive_offsets,
                                                          receive_counts)):
            if peer == rank:
                continue
            if not receive_direct:  # scaled here if the send side did not
                _copy(receive[offset:offset + count].reshape(target[place].shape),
                      target[place], scale if send_direct else None)
            elif send_direct and scale is not None:
                target[place] *= scale

    def forward(self, array_a: np.ndarray, array_b: np.ndarray,
                scale: float | None = None) -> None:
        """Layout A → layout B: peer r gets the part of axis A it holds in B; ``scale``
        multiplies the values on their way (in a copy the transpose makes anyway)."""
        self._exchange(array_a, array_b, self.axis_a, self.split_a, self.axis_b, self.split_b,
                       scale)

    def backward(self, array_b: np.ndarray, array_a: np.ndarray) -> None:
        """Layout B → layout A (the inverse of :meth:`forward`)."""
        self._exchange(array_b, array_a, self.axis_b, self.split_b, self.axis_a, self.split_a,
                       None)


def _fits(array: np.ndarray, planned: np.ndarray) -> bool:
    """Whether FFTW may write a planned transform's output straight into ``array``
    (shape, strides, type and alignment as planned)."""
    from mpi4py_fft.fftw import get_alignment

    return (array.shape == planned.shape and array.strides == planned.strides
            and array.dtype == planned.dtype
            and array.ctypes.data % get_alignment(planned) == 0)


def _copy(source: np.ndarray, target: np.ndarray, scale: float | None) -> None:
    """``target[...] = scale · source`` (a plain copy without a scale)."""
    if scale is None:
        target[...] = source
    else:
        np.multiply(source, scale, out=target)


def _running_offsets(counts: list[int]) -> list[int]:
    """Where each peer's block starts in a buffer that holds them one after another."""
    return [0, *accumulate(counts[:-1])]


def _offsets(split: list[tuple[int, int]], axis: int, shape: tuple[int, ...]) -> list[int]:
    """Where each peer's block, cut along ``axis`` (the first one longer than 1) by
    ``split``, starts in the flat C-ordered array of ``shape``."""
    return [start * math.prod(shape[axis + 1:]) for _, start in split]


def global_max(comm: Any):
    """``reduce(values) -> values``: the element-wise maximum over the ranks of a small
    float array, in one reduction (NaN is sent as +inf, which MPI's MAX keeps)."""
    from mpi4py import MPI

    def reduce(values: np.ndarray) -> np.ndarray:
        local = np.where(np.isnan(values), np.inf, values).astype(np.float64)
        result = np.empty_like(local)
        comm.Allreduce(local, result, op=MPI.MAX)
        return result

    return reduce


class PencilTransform:
    """Forward and inverse FFT (periodic) or DCT-II (no-flux) of ``blocks`` fields on a
    grid split over the ranks of ``comm``.

    Parameters
    ----------
    comm
        The mpi4py communicator.
    shape
        The whole grid's points per axis (2D or 3D).
    cosine
        DCT-II on every axis (no-flux walls) instead of the real FFT.
    dtype
        float64 or float32.
    decomposition
        From :func:`choose_decomposition`.
    blocks
        Fields per state (species), transformed one after the other.
    threads
        FFTW threads per serial transform.
    planner
        FFTW planner flag: ``"FFTW_MEASURE"`` (time candidates once) or
        ``"FFTW_ESTIMATE"`` (plan at once).

    Attributes
    ----------
    physical_slices, spectral_slices
        This rank's block of the grid and of the spectrum, as slices of the global arrays.
    physical_shape, spectral_shape
        Their shapes.
    transpose_seconds, transform_seconds
        Time spent in the global transposes and in the serial transforms so far.
    bytes_sent
        Bytes this rank has sent to other ranks in transposes so far.
    """

    def __init__(self, comm: Any, shape: tuple[int, ...], cosine: bool, dtype: Any,
                 decomposition: Decomposition, blocks: int = 2, threads: int = 1,
                 planner: str = "FFTW_MEASURE"):
        from mpi4py_fft import PFFT

        dim = len(shape)
        transforms = None
        if cosine:
            from mpi4py_fft.fftw import dctn, idctn

            # REDFT10 forward, REDFT01 (its inverse up to 2n per axis) backward
            transforms = {(axis,): (partial(dctn, type=2), partial(idctn, type=2))
                          for axis in range(dim)}
        self.comm, self.blocks, self.cosine = comm, blocks, cosine
        self.pfft = PFFT(comm, tuple(shape), axes=tuple(range(dim)), dtype=np.dtype(dtype),
                         grid=decomposition.process_grid, transforms=transforms,
                         threads=threads, planner_effort=planner,
                         overwrite_input="FFTW_PRESERVE_INPUT")  # it runs on our arrays
        self.physical_slices = self.pfft.local_slice(False)
        self.spectral_slices = self.pfft.local_slice(True)
        self.physical_shape = tuple(self.pfft.shape(False))
        self.spectral_shape = tuple(self.pfft.shape(True))
        self.real_dtype = np.dtype(dtype)
        self.spectral_dtype = self.pfft.dtype(True)
        self.scale = math.prod(stage.M for stage in self.pfft.xfftn)  # 1/N, 1/(2ⁿN)
        self.transpose_seconds = self.transform_seconds = 0.0
        self.bytes_sent = 0
        self._sent_per_transfer = [self._bytes_leaving(t) for t in self.pfft.transfer]
        self.transposes = [PackedTranspose(t) for t in self.pfft.transfer]

    @staticmethod
    def _bytes_leaving(transfer: Any) -> int:
        """Bytes of a transpose's local array that go to other ranks: all but the part
        whose index along axis A falls in this rank's range of it in layout B."""
        size = math.prod(transfer.subshapeA) * transfer.dtype.itemsize
        kept = transfer.subshapeB[transfer.axisA] / transfer.shape[transfer.axisA]
        return int(round(size * (1.0 - kept)))

    def _forward_one(self, field: np.ndarray, out: np.ndarray) -> None:
        # FFTW runs on the caller's arrays where their layout allows (new-array execute):
        # the field in, the spectrum out; the scale 1/N rides on the first transpose.
        stages, transposes = self.pfft.xfftn, self.transposes
        for i, transpose in enumerate(transposes):
            stage = stages[i].fwd
            with self._timer("transform_seconds"):
                stage(field if i == 0 else None, None, implicit=True)
            with self._timer("transpose_seconds"):
                transpose.forward(stage.output_array, stages[i + 1].fwd.input_array,
                                  scale=self.scale if i == 0 else None)
            self.bytes_sent += self._sent_per_transfer[i]
        last = stages[-1].fwd
        direct = _fits(out, last.output_array)
        with self._timer("transform_seconds"):
            result = last(None if transposes else field, out if direct else None,
                          implicit=True)
            if not direct:
                _copy(result, out, None if transposes else self.scale)
            elif not transposes:
                out *= self.scale

    def _inverse_one(self, spectrum: np.ndarray, out: np.ndarray) -> None:
        stages, transposes = self.pfft.xfftn, self.transposes
        for i in reversed(range(len(transposes))):
            stage = stages[i + 1].bck
            with self._timer("transform_seconds"):
                stage(spectrum if i == len(transposes) - 1 else None, None, implicit=True)
            with self._timer("transpose_seconds"):
                transposes[i].backward(stage.output_array, stages[i].bck.input_array)
            self.bytes_sent += self._sent_per_transfer[i]
        first = stages[0].bck
        direct = _fits(out, first.output_array)
        with self._timer("transform_seconds"):
            result = first(None if transposes else spectrum, out if direct else None,
                           implicit=True)
            if not direct:
                out[...] = result

    @contextmanager
    def _timer(self, counter: str) -> Iterator[None]:
        """Adds the seconds of the block to the attribute ``counter``."""
        start = time.perf_counter()
        yield
        setattr(self, counter, getattr(self, counter) + time.perf_counter() - start)

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Spectra ``(blocks, *spectral_shape)`` of the stacked local fields ``u`` (any
        array of ``blocks · prod(physical_shape)`` values), scaled by 1/N (FFT) or
        1/(2ⁿN) (DCT-II), into ``out`` if given."""
        fields = u.reshape((self.blocks, *self.physical_shape))
        if out is None:
            out = empty_aligned((self.blocks, *self.spectral_shape), self.spectral_dtype)
        spectra = out.reshape((self.blocks, *self.spectral_shape))
        for block in range(self.blocks):
            self._forward_one(fields[block], spectra[block])
        return out

    def inverse(self, spectra: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The flat stacked local fields of ``spectra`` (the inverse of :meth:`forward`),
        into ``out`` if given; ``spectra`` may be overwritten (on one rank, where the
        transform is a single complex-to-real one)."""
        if out is None:
            out = empty_aligned(self.blocks * math.prod(self.physical_shape), self.real_dtype)
        fields = out.reshape((self.blocks, *self.physical_shape))
        spectra = spectra.reshape((self.blocks, *self.spectral_shape))
        for block in range(self.blocks):
            self._inverse_one(spectra[block], fields[block])
        return out.reshape(-1)

    def statistics(self) -> dict[str, float | int]:
        """Seconds in transposes and in serial transforms, and bytes sent, so far."""
        return {"transpose_seconds": self.transpose_seconds,
                "transform_seconds": self.transform_seconds, "bytes_sent": self.bytes_sent}


class DistributedDiagonalLinear(TransformDiagonalLinear):
    """L diagonal in a distributed FFT or DCT-II: this rank's part of a
    :class:`~pdekit.time.linear.TransformDiagonalLinear`.

    Parameters
    ----------
    eigenvalues
        This rank's block of the eigenvalues, shape ``(blocks, *transform.spectral_shape)``
        (real; in the state's precision).
    transform
        The distributed transform pair.
    threads
        Threads for the ETDRK4 stage loops.
    """

    def __init__(self, eigenvalues: np.ndarray, transform: PencilTransform, threads: int = 1):
        super().__init__(np.ascontiguousarray(eigenvalues), transform.physical_shape, threads)
        self.transform = transform

    @property
    def inverse_keeps_input(self) -> bool:  # type: ignore[override]
        """The inverse leaves the spectra as they were wherever it has a transpose."""
        return bool(self.transform.transposes)

    def forward(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self.transform.forward(u, out=out)

    def inverse(self, coefficients: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self.transform.inverse(coefficients, out=out)

    def spectral_radius(self) -> float:
        """max |λ| over all ranks' eigenvalues (one reduction)."""
        local = np.array([super().spectral_radius()])
        return float(global_max(self.transform.comm)(local)[0])
