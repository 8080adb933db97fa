"""Physics-informed neural networks (PINNs) for the Poisson equation.

Modules: :mod:`~pdekit.pinn.points` (collocation sampling, NumPy),
:mod:`~pdekit.pinn.expressions` (case-file expressions in TensorFlow),
:mod:`~pdekit.pinn.network` (MLP with a forward Laplacian and per-sample Jacobians),
:mod:`~pdekit.pinn.residuals` (the least-squares residual of the Poisson problem),
:mod:`~pdekit.pinn.training` (training stages, by name in :mod:`~pdekit.pinn.methods`:
:mod:`~pdekit.pinn.first_order`, :mod:`~pdekit.pinn.explicit_lsq`, :mod:`pdekit.optim`).
The ``poisson-pinn`` kind: :mod:`~pdekit.pinn.schema` (case model),
:mod:`~pdekit.pinn.prepare` (checks, inputs built once), :mod:`~pdekit.pinn.run`,
:mod:`~pdekit.pinn.report`, :mod:`~pdekit.pinn.plugin`. Importing this package does not
import TensorFlow.
"""
