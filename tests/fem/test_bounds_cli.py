"""``solver.bounds = "guaranteed"`` through the CLI and the API: the bundled case, what
summary.json records, and the one-line refusals (exit 2) where bounds do not apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pdekit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "cases"

LSHAPE = [9.639723844021946, 15.197251926454308, 19.739208802178716, 29.521481114144848,
          31.912635957137752]
"""λ1 … λ5 of the L-shape to about 14 digits (λ1: Betcke & Trefethen, SIAM Rev. 47 (2005);
λ3 = 2π²; the others agree with Trefethen & Betcke, Contemp. Math. 412 (2006) to the 10
digits printed there). The bounds here prove that the 11-digit λ2 = 15.19725192586,
λ4 = 29.52148111094, λ5 = 31.91263596069 quoted in issue 26 are off in their last digits."""


def test_bundled_lshape_case(tmp_path, capsys):
    out = tmp_path / "bounds"
    code = main(["solve", str(CASES / "eigen_bounds_lshape.toml"), "--out", str(out),
                 "--set", "output.modes=0", "--set", "output.plot=0"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "guaranteed bounds (target relative width 1e-07, reached" in printed
    bounds = json.loads((out / "summary.json").read_text())["results"]["bounds"]
    assert bounds["reached"] and bounds["target"] == 1e-7
    for entry, value in zip(bounds["bounds"], LSHAPE):
        slack = 1e-13 * value  # the digits of the reference
        assert entry["lower"] - slack <= value <= entry["upper"] + slack
        assert entry["relative_width"] <= 1e-7
        assert entry["lower_method"] == "lehmann-goerisch"
        assert entry["upper_method"] == "rayleigh-ritz"
        assert entry["lower_from"]["order"] >= 8 and entry["upper_from"]["ndof"] > 0
        assert entry["cr_lower"] < entry["lower"]
    assert bounds["trial_functions"] == 5 and LSHAPE[4] < bounds["shift_rho"] < 41.47
    assert any("assembly" in item for item in bounds["estimated"])
    assert any("inertia" in item for item in bounds["verified"])
    assert (out / "bounds.png").stat().st_size > 10_000


@pytest.mark.parametrize("case, extra, says", [
    ("eigen_disk.toml", [], "curved boundary"),
    ("eigen_cube.toml", [], "3D"),
    ("eigen_square.toml", ["--set", "boundary.neumann=['left']"], "Neumann"),
])
def test_refused_where_bounds_do_not_apply(tmp_path, capsys, case, extra, says):
    out = tmp_path / "refused"
    code = main(["solve", str(CASES / case), "--out", str(out), "--quiet",
                 "--set", "solver.bounds='guaranteed'", *extra])
    assert code == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "solver.bounds" in error[0] and says in error[0]
    assert not out.exists()


def test_bounds_keys_are_checked():
    from pdekit import CaseError, load_case

    with pytest.raises(CaseError, match="bounds"):
        load_case(CASES / "eigen_square.toml", set=["solver.bounds='proven'"])
    with pytest.raises(CaseError, match="bounds_target"):
        load_case(CASES / "eigen_square.toml", set=["solver.bounds_target=1e-20"])


def test_refused_under_mpiexec(monkeypatch):
    """Bounds run on one process: a launcher's rank count above 1 is refused up front."""
    from pdekit import CaseError, load_case

    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    with pytest.raises(CaseError, match="mpiexec -n 2"):
        load_case(CASES / "eigen_square.toml", set=["solver.bounds='guaranteed'"])
