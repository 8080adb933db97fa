"""NGSolve sparse matrices as scipy CSR and PETSc AIJ matrices (one process's part)."""

from __future__ import annotations

from typing import Any


def scipy_csr(matrix: Any) -> Any:
    """A serial NGSolve sparse matrix as scipy CSR."""
    import numpy as np
    import scipy.sparse as sp

    values, columns, starts = matrix.CSR()
    return sp.csr_matrix((np.asarray(values), np.asarray(columns), np.asarray(starts)),
                         shape=(matrix.height, matrix.width))


def scipy_free_block(matrix: Any, keep: Any) -> Any:
    """Rows and columns ``keep`` of a serial NGSolve sparse matrix, as scipy CSR."""
    return scipy_csr(matrix)[keep][:, keep].tocsr()


def free_block(matrix: Any, free: Any) -> Any:
    """The free-dof block of a serial NGSolve sparse matrix as a PETSc AIJ matrix, rows in
    the order of the free dofs (what :func:`free_dof_vector_to_gridfunction` assumes).

    One CSR slice with scipy: 3–5× faster than ``CreatePETScMatrix`` (block matrix,
    sub-matrix extraction, conversion), which serves the distributed case.
    """
    import numpy as np
    from petsc4py import PETSc

    block = scipy_free_block(matrix, np.flatnonzero(np.asarray(free, dtype=bool)))
    block.sort_indices()
    return PETSc.Mat().createAIJ(size=block.shape, comm=PETSc.COMM_SELF, csr=(
        block.indptr.astype(PETSc.IntType), block.indices.astype(PETSc.IntType), block.data))
