"""Issue 10 measurements: start-up time of `pdekit list` / `pdekit check`, the largest
module, and the string lookups into cases, for two source trees side by side in one run.

    python benchmarks/bench_structure.py --before /path/to/old/checkout [--repeat 7]

"String lookups into cases" counts subscripts with a string constant (``x["key"]``)
whose subscripted expression is case data: an expression naming ``case``, ``params``,
or the section/stage dicts the old glue unpacked from it (``p``, ``geometry``, ``bc``,
``solver``, ``study``, ``stage``, ``table``, ``model_keys``, ``spec``).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

CASE_DATA = re.compile(r"\bcase\b|params|^p$|^p\[|geometry|^bc$|^solver$|^study$|^stage$|"
                       r"^table$|model_keys|^spec$")


def case_lookups(tree: Path) -> int:
    count = 0
    for path in (tree / "pdekit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) \
                    and CASE_DATA.search(ast.unparse(node.value)):
                count += 1
    return count


def largest_modules(tree: Path, top: int = 3) -> list[tuple[int, str]]:
    sizes = [(len(p.read_text().splitlines()), str(p.relative_to(tree)))
             for p in (tree / "pdekit").rglob("*.py")]
    return sorted(sizes, reverse=True)[:top]


def startup(tree: Path, args: list[str], repeat: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "MPLBACKEND": "Agg"}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pdekit.cli", *args], cwd=tree, env=env,
                       check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    rows = []
    for label, tree in (("before", options.before), ("after", options.after)):
        rows.append((label, startup(tree, ["list"], options.repeat),
                     startup(tree, ["check", "cases/turing.toml"], options.repeat),
                     largest_modules(tree), case_lookups(tree)))
    print(f"| tree | `pdekit list` (s, median of {options.repeat}) | `pdekit check "
          "cases/turing.toml` (s) | largest modules (lines) | string lookups into cases |")
    print("|---|---|---|---|---|")
    for label, list_s, check_s, largest, lookups in rows:
        biggest = ", ".join(f"{name} {lines}" for lines, name in largest)
        print(f"| {label} | {list_s:.3f} | {check_s:.3f} | {biggest} | {lookups} |")


if __name__ == "__main__":
    main()
