"""One ``pdekit solve`` process on a turing case written for a benchmark (shared helper)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def solve_case(folder: Path, name: str, text: str) -> dict | str:
    """Write ``text`` to ``folder/name.toml`` and run ``pdekit solve --quiet`` on it.

    Returns
    -------
    dict or str
        The run's ``summary.json``, or the end of its stderr when it failed.
    """
    case = folder / f"{name}.toml"
    case.write_text(text)
    out = folder / f"out_{name}"
    result = subprocess.run([sys.executable, "-m", "pdekit.cli", "solve", str(case), "--quiet",
                             "--out", str(out)], capture_output=True, text=True, cwd=folder,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        return result.stderr.strip()[-300:]
    return json.loads((out / "summary.json").read_text())
