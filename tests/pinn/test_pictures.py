"""PINN pictures that tell the truth: the residual's colour scale is not set by a few
boundary outliers, and a run that trains nothing draws no empty history."""

from __future__ import annotations

import numpy as np
import pytest


def captured(monkeypatch) -> dict:
    from pdekit.pinn import plots

    saved: dict = {}
    monkeypatch.setattr(plots, "save_figure", lambda figure, path: saved.setdefault("f", figure))
    return saved


def test_residual_scale_is_robust_to_boundary_outliers(tmp_path, monkeypatch):
    from pdekit.pinn.plots import save_residual

    # A smooth residual of size 0.1, and ±12 at 12 boundary points (0.5 % of the grid;
    # a PINN's residual often peaks where the network meets the boundary condition).
    x = y = np.linspace(0.0, 1.0, 51)
    X, Y = np.meshgrid(x, y, indexing="ij")
    residual = 0.1 * np.sin(2 * np.pi * X) * np.sin(3 * np.pi * Y)
    residual[[0, 0, 0, 50, 50, 50], [0, 1, 2, 48, 49, 50]] = 12.0
    residual[[1, 2, 3, 47, 48, 49], [0, 0, 0, 50, 50, 50]] = -12.0
    expected = np.percentile(np.abs(residual), 99.0)
    assert expected < 0.1
    saved = captured(monkeypatch)
    save_residual([x, y], residual, "residual", tmp_path / "residual.png")
    figure = saved["f"]
    (image,) = [i for axis in figure.axes for i in axis.get_images()]
    assert image.get_clim() == pytest.approx((-expected, expected), rel=1e-12)
    labels = [axis.get_ylabel() for axis in figure.axes]
    assert any("99th percentile" in label and "max 12" in label for label in labels)


def test_residual_without_outliers_keeps_the_full_scale(tmp_path, monkeypatch):
    from pdekit.pinn.plots import save_residual

    x = y = np.linspace(0.0, 1.0, 21)
    residual = np.full((21, 21), 0.5)
    residual[0, 0] = -0.5
    saved = captured(monkeypatch)
    save_residual([x, y], residual, "residual", tmp_path / "residual.png")
    (image,) = [i for axis in saved["f"].axes for i in axis.get_images()]
    assert image.get_clim() == (-0.5, 0.5)
    assert not any("percentile" in axis.get_ylabel() for axis in saved["f"].axes)


def test_evaluation_only_run_writes_no_history_picture(tmp_path):
    pytest.importorskip("tensorflow")
    import pdekit

    case = {"case": {"kind": "poisson-pinn", "name": "eval"},
            "domain": {"x": [0.0, 1.0], "y": [0.0, 1.0]},
            "problem": {"exact": "sin(pi*x)*sin(pi*y)"},
            "network": {"width": 4, "depth": 1}, "points": {"interior": 16},
            "evaluation": {"n": 11}, "training": {"stages": []}}
    result = pdekit.solve(case, out=tmp_path / "eval", quiet=True)
    assert result.summary["results"]["stages"] == []
    assert (tmp_path / "eval" / "residual.png").exists()
    assert not (tmp_path / "eval" / "history.png").exists()
    assert "history.png" not in result.summary["results"]["files"]
