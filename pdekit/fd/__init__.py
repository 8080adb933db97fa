"""Finite differences on uniform grids: Laplacians, reaction models, linear stability."""
