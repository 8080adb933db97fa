"""Under mpiexec, bad input seen by one rank only stops every rank with one message."""

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import ROOT

CASE = """
[case]
kind = "eigen"
[mesh]
maxh = 0.3
[solver]
nev = 2
"""


@pytest.mark.skipif(shutil.which("mpiexec") is None, reason="needs mpiexec")
@pytest.mark.parametrize("bad_rank", [0, 1])
def test_bad_input_on_one_rank_stops_all(tmp_path, bad_rank):
    (tmp_path / "good.toml").write_text(CASE)
    script = textwrap.dedent(f"""
        import os, sys
        from pdekit.launcher import mpi_rank
        from pdekit.cli import main
        case = "missing.toml" if mpi_rank() == {bad_rank} else "good.toml"
        sys.exit(main(["eig", case, "--quiet"]))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMPI_ALLOW_RUN_AS_ROOT": "1",
           "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"}
    start = time.monotonic()
    result = subprocess.run(["mpiexec", "-n", "2", sys.executable, "-c", script],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert time.monotonic() - start < 60
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("pdekit:")]
    assert lines == ["pdekit: missing.toml: expected an existing case file (TOML)"]
    assert not (tmp_path / "results").exists()
