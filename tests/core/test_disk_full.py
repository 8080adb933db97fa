"""A run that fills the disk: one line, exit 1, no half files, the previous result intact."""

import os
import subprocess
import uuid

import pytest

from tests.conftest import run_cli

CASE = """
[case]
kind = "turing"
name = "full"
[grid]
n = 64
[time]
method = "etdrk4"
dt = 0.5
T = 20.0
[output]
every = 0.5
png = false
"""


@pytest.fixture
def tiny_disk(tmp_path):
    """A 400 kB tmpfs (needs root and mount rights; skipped elsewhere)."""
    mount_point = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount_point)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_disk_full_is_one_line_and_keeps_the_previous_result(tiny_disk, tmp_path):
    case = tmp_path / "full.toml"
    case.write_text(CASE)
    out = tiny_disk / "run"
    first = run_cli("solve", str(case), "--out", str(out), "--quiet",
                    "--set", "time.T=1", "--set", "output.every=1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    previous = {p.name: p.read_bytes() for p in out.iterdir()}

    result = run_cli("solve", str(case), "--out", str(out), "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous
    leftovers = [p for p in tiny_disk.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert not (tiny_disk / "run.running").exists()
    assert os.path.isdir(tiny_disk / "run.failed") or not (tiny_disk / "run.failed").exists()
