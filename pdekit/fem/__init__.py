"""FEM eigenproblems: NGSolve geometry/mesh/assembly and the SLEPc eigen solve.

The modules are plain functions (no TOML): :mod:`~pdekit.fem.geometry`,
:mod:`~pdekit.fem.mesh`, :mod:`~pdekit.fem.assembly`, :mod:`~pdekit.fem.slepc_solver`,
:mod:`~pdekit.fem.reference`, :mod:`~pdekit.fem.convergence`,
:mod:`~pdekit.fem.modes_output`; :mod:`~pdekit.fem.case` is the case-file glue.
NGSolve, PETSc, SLEPc and MPI are imported inside functions only.
"""
