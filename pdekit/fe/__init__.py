"""Finite elements for the ``turing`` kind: reaction–diffusion on any domain of the eigen
kind's geometry layer and on closed surfaces (a case with ``[domain]`` instead of ``[grid]``).

The case section: :mod:`~pdekit.fe.section` (``[domain]``), :mod:`~pdekit.fe.methods`
(the integrators' names). Checks and set-up before anything is written:
:mod:`~pdekit.fe.prepare` (with :mod:`~pdekit.fe.surfaces` for the closed surfaces).
Numerics, plain functions on arrays: :mod:`~pdekit.fe.meshing` (NGSolve meshes),
:mod:`~pdekit.fe.assembly` (M and K as scipy matrices, nodal P2),
:mod:`~pdekit.fe.operator` and :mod:`~pdekit.fe.factor` (the semi-discrete operator and its
cached factorizations), :mod:`~pdekit.fe.steppers` (IMEX-RK, SBDF2, Strang),
:mod:`~pdekit.fe.initial` (position-seeded noise), :mod:`~pdekit.fe.modes` (the domain's
Laplace modes and linear stability). The run and its output: :mod:`~pdekit.fe.run`,
:mod:`~pdekit.fe.series` (ParaView), :mod:`~pdekit.fe.pictures` (``fields.png``),
:mod:`~pdekit.fe.report`. Under mpiexec: :mod:`~pdekit.fe.distribute` (rank 0's problem
split in slabs of rows), :mod:`~pdekit.fe.petsc_operator` (the operator on PETSc
matrices, MUMPS or CG + GAMG), :mod:`~pdekit.fe.pieces` (per-rank ``.vtu`` + ``.pvtu``),
:mod:`~pdekit.fe.run_mpi`. NGSolve and PETSc are imported inside functions only.
"""
