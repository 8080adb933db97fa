"""FEM eigenproblems: NGSolve geometry/mesh/assembly and the SLEPc eigen solve.

Numerics are plain functions (no case files): :mod:`~pdekit.fem.geometry`,
:mod:`~pdekit.fem.mesh`, :mod:`~pdekit.fem.assembly`, :mod:`~pdekit.fem.slepc_solver`
(with :mod:`~pdekit.petsc_options`), :mod:`~pdekit.fem.reference`,
:mod:`~pdekit.fem.convergence`, :mod:`~pdekit.fem.modes_output`.
The ``eigen`` kind: :mod:`~pdekit.fem.schema` (the case model),
:mod:`~pdekit.fem.prepare` (checks and set-up), :mod:`~pdekit.fem.study` (one level),
:mod:`~pdekit.fem.run`, :mod:`~pdekit.fem.report`, :mod:`~pdekit.mpi_abort`,
:mod:`~pdekit.fem.plugin`. NGSolve, PETSc, SLEPc and MPI are imported inside functions only.
"""
