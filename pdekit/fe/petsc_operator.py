"""The finite-element reaction–diffusion operator on rows split over MPI ranks.

The same operator as :class:`pdekit.fe.operator.FEOperator` (same methods, so the
integrators of :mod:`pdekit.fe.steppers` run unchanged on each rank's block of the state
[u; v]), on PETSc MPIAIJ matrices built from each rank's rows
(:class:`pdekit.fe.distribute.Part`). Each shifted matrix M + a D_s K is set up once per
species and step size and reused for every step of that size:

- ``"cholesky"`` (2D domains and surfaces): factorized by MUMPS' parallel sparse Cholesky
  (Amestoy, Duff, L'Excellent & Koster, SIAM J. Matrix Anal. Appl. 23, 2001; its own
  sequential analysis and ordering: asking this build for PT-Scotch's parallel analysis,
  ICNTL(28) = 2, returned infinite solutions), the serial path's direct solve;
- ``"cg"`` (solids): conjugate gradients preconditioned by PETSc's smoothed-aggregation
  algebraic multigrid (GAMG; Adams, Brezina, Hu & Tuminaro, J. Comput. Phys. 188, 2003)
  until the preconditioned residual falls by :data:`CG_RTOL`. A 3D Cholesky factor fills
  like n^(4/3) and costs like n²: on the unit box with 2.8e5 P1 vertices (one core of a
  loaded machine, ``benchmarks/turing_domains_mpi.py``, 10 ARS(2,2,2) steps) MUMPS took
  53 s to factorize the two species' matrices (every new adaptive step size pays again)
  and 21 s for the steps, which 2 ranks did not speed up; CG + GAMG took 6 s to set up
  and 29 s for the steps (12 iterations per solve of these mass-dominated systems, a D_s
  dt / h² of order one), and 2 ranks halved both.

Matrix–vector products (M w, K w) are PETSc's, exchanging only the rows next to the cut.

Every method is collective: all ranks call it with their own block, in the same order.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from pdekit.errors import NumericalError
from pdekit.fe.distribute import Part
from pdekit.fe.operator import CACHED_FACTORIZATIONS

Solve = Callable[[np.ndarray, bool], np.ndarray]

CG_RTOL = 1e-13
"""Relative residual the ``"cg"`` solves reach (the solution then agrees with a direct
solve to about 1e-13 relative for these well-conditioned systems)."""


class DistributedOperator:
    """Mass, diffusion and cached shifted solves on this rank's block of [u; v].

    Parameters
    ----------
    comm
        The mpi4py communicator.
    part
        This rank's rows (:func:`pdekit.fe.distribute.scatter_problem`).
    diffusion
        (D_u, D_v).
    held
        (c_u, c_v): the values Dirichlet dofs are held at.
    method
        ``"cholesky"`` (MUMPS) or ``"cg"`` (CG + GAMG); see the module docstring.

    Attributes
    ----------
    factorizations
        Shifted matrices set up (factorized, or their multigrid built).
    iterations
        CG iterations over all solves (0 with ``"cholesky"``).
    """

    def __init__(self, comm: Any, part: Part, diffusion: tuple[float, float],
                 held: tuple[float, float] = (0.0, 0.0), method: str = "cholesky"):
        from petsc4py import PETSc

        self._petsc, self.comm, self.part, self.method = PETSc, comm, part, method
        self.n, self.diffusion = part.n, diffusion
        self.bias = np.concatenate([d * c * part.coupling for d, c in zip(diffusion, held)])
        self._M, self._K = self._matrix(part.M), self._matrix(part.K)
        self._diagonal = part.M.diagonal()
        self.lumped = self._all(part.M.nnz == self.n and bool(np.all(self._diagonal > 0)))
        self._x, self._y = self._M.createVecs()
        self._solvers: OrderedDict[float, list[Any]] = OrderedDict()
        self.factorizations = 0
        self.iterations = 0

    def _all(self, flag: bool) -> bool:
        """Whether ``flag`` holds on every rank."""
        return bool(self.comm.allreduce(int(flag), op=_mpi_min()))

    def _matrix(self, rows: sp.csr_matrix) -> Any:
        """An MPIAIJ matrix from this rank's rows (global column indices)."""
        PETSc, size = self._petsc, self.part.size
        rows = rows.tocsr()
        rows.sort_indices()
        matrix = PETSc.Mat().createAIJ(
            size=((rows.shape[0], size), (rows.shape[0], size)), comm=self.comm,
            csr=(rows.indptr.astype(PETSc.IntType), rows.indices.astype(PETSc.IntType),
                 rows.data))
        matrix.setOption(PETSc.Mat.Option.SYMMETRIC, True)
        return matrix

    def _product(self, matrix: Any, w: np.ndarray) -> np.ndarray:
        """``matrix @ w`` for this rank's block ``w`` (collective)."""
        self._x.array[:] = w
        matrix.mult(self._x, self._y)
        return self._y.array.copy()

    def mass(self, w: np.ndarray) -> np.ndarray:
        """M w per species."""
        n = self.n
        if self.lumped:
            return w * np.concatenate([self._diagonal, self._diagonal])
        return np.concatenate([self._product(self._M, w[:n]), self._product(self._M, w[n:])])

    def diffuse(self, w: np.ndarray) -> np.ndarray:
        """D_s (K w_s + c_s b): the diffusion term (it enters with a minus sign)."""
        n = self.n
        return np.concatenate([self.diffusion[0] * self._product(self._K, w[:n]),
                               self.diffusion[1] * self._product(self._K, w[n:])]) + self.bias

    def _factorize(self, a: float) -> list[Any]:
        """Per species: the inverse diagonal, or a factorized KSP of M + a D_s K."""
        PETSc = self._petsc
        solves: list[Any] = []
        for d in self.diffusion:
            rows = (self.part.M + (a * d) * self.part.K).tocsr()
            rows.eliminate_zeros()
            diagonal = rows.diagonal()
            if self._all(rows.nnz == self.n and bool(np.all(diagonal != 0))):
                solves.append(1.0 / diagonal)
                continue
            matrix = self._matrix(rows)
            matrix.setOption(PETSc.Mat.Option.SPD, True)
            ksp = PETSc.KSP().create(comm=self.comm)
            ksp.setOperators(matrix)
            pc = ksp.getPC()
            if self.method == "cg":
                ksp.setType("cg")
                ksp.setTolerances(rtol=CG_RTOL, atol=0.0, max_it=10000)
                pc.setType("gamg")
            else:
                ksp.setType("preonly")
                pc.setType("cholesky")
                pc.setFactorSolverType("mumps")
            ksp.setUp()
            solves.append(ksp)
            self.factorizations += 1
        return solves

    def _apply(self, solve: Any, r: np.ndarray) -> np.ndarray:
        if isinstance(solve, np.ndarray):
            return r * solve
        self._x.array[:] = r
        solve.solve(self._x, self._y)
        if self.method == "cg":
            reason = solve.getConvergedReason()
            if reason < 0:  # the same on every rank
                raise NumericalError(
                    f"CG + GAMG did not reach a relative residual of {CG_RTOL:g} (PETSc "
                    f"reason {reason}, {solve.getIterationNumber()} iterations)",
                    {"ksp_reason": reason}, collective=True)
            self.iterations += solve.getIterationNumber()
        return self._y.array.copy()

    def solver(self, a: float) -> Solve:
        """``solve(r, affine=True)``: x with (M + a D_s K) x_s = r_s − a D_s c_s b (see
        :meth:`pdekit.fe.operator.FEOperator.solver`)."""
        if a not in self._solvers:
            self._solvers[a] = self._factorize(a)
            while len(self._solvers) > CACHED_FACTORIZATIONS:
                for old in self._solvers.popitem(last=False)[1]:
                    if not isinstance(old, np.ndarray):
                        old.destroy()  # collective, in the same order on every rank
        self._solvers.move_to_end(a)
        solves, n, bias = self._solvers[a], self.n, self.bias

        def solve(r: np.ndarray, affine: bool = True) -> np.ndarray:
            if affine:
                r = r - a * bias
            return np.concatenate([self._apply(solves[0], r[:n]),
                                   self._apply(solves[1], r[n:])])

        return solve


def _mpi_min() -> Any:
    from mpi4py import MPI

    return MPI.MIN
