"""Options of the Turing PETSc path are tried before the run like the eigen kind's
(issue 27, B and D): misspelled or unread options and values PETSc refuses are bad input,
and `-- -help` prints the options of the solver that would run, then exits 0 — on both
PETSc paths."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, run_cli

TURING = str(ROOT / "cases" / "turing.toml")
PETSC = ["--set", "grid.backend=petsc", "--set", "time.method=arkimex", "--set", "grid.n=16",
         "--set", "time.T=1"]


@pytest.mark.parametrize("sets, after, key, phrase", [
    ([], ["-ts_tpye", "rk"], "-- -ts_tpye", "an option PETSc reads"),
    ([], ["-ts_type", "nonsense"], "-- -ts_type", "Unknown TS type: nonsense"),
    (['time.petsc={ts_type = "nonsense"}'], [], "time.petsc.ts_type",
     "Unknown TS type: nonsense"),
    (["time.petsc={ksp_rtoll = 1e-8}"], [], "time.petsc.ksp_rtoll", "an option PETSc reads"),
    # options that set what a case key sets name the key (ts_max_time was silently ignored)
    (["time.petsc={ts_max_time = 5}"], [], "time.petsc.ts_max_time", "the case key time.T"),
    ([], ["-ts_dt", "0.1"], "-- -ts_dt", "the case key time.dt"),
])
def test_turing_petsc_options_are_probed_before_the_run(tmp_path, sets, after, key, phrase):
    result = run_cli("solve", TURING, *PETSC, *[a for s in sets for a in ("--set", s)],
                     "--out", str(tmp_path / "out"), *(["--", *after] if after else []),
                     timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and phrase in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_turing_petsc_monitor_is_read_and_runs(tmp_path):
    result = run_cli("solve", TURING, *PETSC, "--quiet", "--out", str(tmp_path / "out"),
                     "--", "-ts_monitor", timeout=120)
    assert result.returncode == 0, result.stderr
    steps = [line for line in result.stdout.splitlines() if " TS dt " in line]
    assert steps and steps[0].startswith("0 TS dt")  # the run's monitor, not the probe's
    assert sum(line.startswith("0 TS dt") for line in steps) == 1


@pytest.mark.parametrize("case, extra, shown", [
    (TURING, PETSC, ["-ts_type <now arkimex", "-ts_arkimex_type", "-pc_type"]),
    (str(ROOT / "cases" / "eigen_square.toml"), [], ["-eps_type <now krylovschur",
                                                     "-st_type", "-eps_nev"]),
])
def test_help_prints_the_solvers_options_and_runs_nothing(tmp_path, case, extra, shown):
    result = run_cli("solve", case, *extra, "--out", str(tmp_path / "out"), "--", "-help",
                     timeout=180)
    assert result.returncode == 0, result.stderr
    for text in shown:
        assert text in result.stdout, text
    assert not (tmp_path / "out").exists() and "Results in" not in result.stdout
