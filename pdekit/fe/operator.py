"""The finite-element reaction–diffusion operator the integrators work on.

For the stacked state w = [u; v] of the free dofs the semi-discrete system is

    M dw_s/dt = −D_s (K w_s + c_s b) + M N_s(w),   s = u, v,

with M, K the mass and stiffness matrices, D_s the diffusion coefficients, N the reaction
terms at the nodes, and c_s b the pull of Dirichlet dofs held at the value c_s (b =
K_free,Dirichlet · 1; zero without Dirichlet boundaries). Implicit stages solve
(M + a D_s K) x = r for a few fixed a: each is factorized once per species
(:func:`pdekit.fe.factor.spd_solver`) and reused for every step of that size.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import numpy as np
import scipy.sparse as sp

from pdekit.fe.factor import spd_solver

Solve = Callable[[np.ndarray, bool], np.ndarray]

CACHED_FACTORIZATIONS = 12
"""Shifted matrices kept factorized (adaptive steps land on a ladder of sizes; landing on
output times adds a few odd ones)."""


class FEOperator:
    """Mass, diffusion and cached shifted solves on the stacked state [u; v].

    Parameters
    ----------
    M, K
        Mass and stiffness on the free dofs.
    diffusion
        (D_u, D_v).
    held
        (c_u, c_v): the values Dirichlet dofs are held at (ignored without them).
    coupling
        K_free,Dirichlet · 1 (zeros without Dirichlet dofs).
    """

    def __init__(self, M: sp.csr_matrix, K: sp.csr_matrix, diffusion: tuple[float, float],
                 held: tuple[float, float] = (0.0, 0.0), coupling: np.ndarray | None = None):
        self.M, self.K = M.tocsr(), K.tocsr()
        self.n = M.shape[0]
        self.diffusion = diffusion
        coupling = np.zeros(self.n) if coupling is None else coupling
        # the constant part of the diffusion term, D_s c_s b, per species
        self.bias = np.concatenate([d * c * coupling for d, c in zip(diffusion, held)])
        diagonal = M.diagonal()
        self.lumped = M.nnz == self.n and np.all(diagonal > 0)
        self._diagonal = diagonal
        self._solvers: OrderedDict[float, list[Callable[[np.ndarray], np.ndarray]]] = \
            OrderedDict()
        self.factorizations = 0

    def mass(self, w: np.ndarray) -> np.ndarray:
        """M w per species."""
        n = self.n
        if self.lumped:
            return w * np.concatenate([self._diagonal, self._diagonal])
        return np.concatenate([self.M @ w[:n], self.M @ w[n:]])

    def diffuse(self, w: np.ndarray) -> np.ndarray:
        """D_s (K w_s + c_s b): the diffusion term (it enters with a minus sign)."""
        n = self.n
        return np.concatenate([self.diffusion[0] * (self.K @ w[:n]),
                               self.diffusion[1] * (self.K @ w[n:])]) + self.bias

    def _factorize(self, a: float) -> list[Callable[[np.ndarray], np.ndarray]]:
        solves = []
        for d in self.diffusion:
            matrix = (self.M + (a * d) * self.K).tocsr()
            matrix.eliminate_zeros()
            if matrix.nnz == self.n and np.all(matrix.diagonal() != 0):  # diagonal
                solves.append(lambda r, inverse=1.0 / matrix.diagonal(): r * inverse)
            else:
                solves.append(spd_solver(matrix))
                self.factorizations += 1
        return solves

    def solver(self, a: float) -> Solve:
        """``solve(r, affine=True)``: x with (M + a D_s K) x_s = r_s − a D_s c_s b (the
        implicit stage of a step; ``affine=False`` leaves the Dirichlet pull out, for
        differences of two solutions)."""
        if a not in self._solvers:
            self._solvers[a] = self._factorize(a)
            while len(self._solvers) > CACHED_FACTORIZATIONS:
                self._solvers.popitem(last=False)
        self._solvers.move_to_end(a)
        solves, n, bias = self._solvers[a], self.n, self.bias

        def solve(r: np.ndarray, affine: bool = True) -> np.ndarray:
            if affine:
                r = r - a * bias
            return np.concatenate([solves[0](r[:n]), solves[1](r[n:])])

        return solve
