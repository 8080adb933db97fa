"""FEM eigenproblems: NGSolve geometry/mesh/assembly and the SLEPc eigen solve.

Numerics are plain functions (no case files): :mod:`~pdekit.fem.geometry.shapes2d`,
:mod:`~pdekit.fem.geometry.mesh`, :mod:`~pdekit.fem.solve.assembly`, :mod:`~pdekit.fem.solve.slepc_solver`
(with :mod:`~pdekit.petsc_options`), :mod:`~pdekit.fem.solve.reference`,
:mod:`~pdekit.fem.solve.convergence`, :mod:`~pdekit.fem.output.modes_output`.
The ``eigen`` kind: :mod:`~pdekit.fem.schema` (the case model),
:mod:`~pdekit.fem.prepare` (checks and set-up), :mod:`~pdekit.fem.solve.study` (one level),
:mod:`~pdekit.fem.run`, :mod:`~pdekit.fem.output.report`, :mod:`~pdekit.mpi_abort`,
:mod:`~pdekit.fem.plugin`. NGSolve, PETSc, SLEPc and MPI are imported inside functions only.
"""
