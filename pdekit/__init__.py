"""pdekit: solve partial differential equations from TOML case files."""

__version__ = "0.1.0"
