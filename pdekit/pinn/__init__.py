"""Physics-informed neural networks (PINNs) for the Poisson equation.

Modules: :mod:`~pdekit.pinn.points` (collocation sampling, NumPy),
:mod:`~pdekit.pinn.expressions` (case-file expressions in TensorFlow),
:mod:`~pdekit.pinn.network` (MLP with a forward Laplacian and per-sample Jacobians),
:mod:`~pdekit.pinn.residuals` (the least-squares residual of the Poisson problem),
:mod:`~pdekit.pinn.training` (training stages), :mod:`~pdekit.pinn.case` (the
``poisson-pinn`` case kind). Importing this package does not import TensorFlow.
"""
