"""Run every bundled case and collect its picture and run time for the gallery page.

Each case of ``cases/*.toml`` runs through :func:`pdekit.solve` in a fresh interpreter
(as a user's ``pdekit solve`` would) into a scratch folder. Its main picture is copied,
downscaled, to ``docs/gallery/<case>.png`` and the wall time of the :func:`pdekit.solve`
call is recorded in ``docs/gallery/times.json`` (with the machine's load average when it
started), which the documentation build reads.

Usage (from the repository root)::

    .venv/bin/python docs/gallery.py                  # every bundled case
    .venv/bin/python docs/gallery.py turing eigen_disk  # some cases; the others' entries kept
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "docs" / "gallery"
TIMES = GALLERY / "times.json"
# The picture that shows a run best, by kind, first match wins.
PICTURES = {
    "turing": ["fields.png"],
    "eigen": ["convergence.png", "modes.png"],
    "poisson-pinn": ["solution.png"],
}
MAX_WIDTH = 1000  # pixels; the plots are drawn larger than a page shows them


def run_one(case: Path, folder: Path) -> dict:
    """Solve ``case`` into ``folder`` in this process; its kind, time and picture."""
    import pdekit

    load = os.getloadavg()[0]  # other work on the machine slows the run down
    start = time.perf_counter()
    result = pdekit.solve(case, out=folder)
    seconds = time.perf_counter() - start
    for name in PICTURES.get(result.kind, []):
        if (folder / name).is_file():
            picture = folder / name
            break
    else:
        pictures = sorted(folder.glob("*.png"))
        if not pictures:
            raise RuntimeError(f"{case.name}: the run wrote no PNG")
        picture = pictures[0]
    return {"kind": result.kind, "seconds": round(seconds, 1), "load": round(load, 1),
            "source": picture.name,
            "picture": str(picture)}


def downscale(source: Path, target: Path) -> None:
    """Copy a PNG, shrunk to :data:`MAX_WIDTH` pixels wide if it is wider and reduced to
    a 256-colour palette (a few times smaller; plots use far fewer colours)."""
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > MAX_WIDTH:
            height = round(image.height * MAX_WIDTH / image.width)
            image = image.resize((MAX_WIDTH, height), Image.LANCZOS)
        image.quantize(256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def main(names: list[str]) -> int:
    GALLERY.mkdir(parents=True, exist_ok=True)
    cases = sorted((ROOT / "cases").glob("*.toml"))
    if names:
        cases = [c for c in cases if c.stem in names]
    times = json.loads(TIMES.read_text()) if TIMES.is_file() else {}
    entries = times.get("cases", {})
    failed = []
    with tempfile.TemporaryDirectory(prefix="pdekit-gallery-") as scratch:
        for case in cases:
            folder = Path(scratch) / case.stem
            print(f"{case.name} ...", flush=True)
            # a fresh interpreter per case: its own imports, caches and memory, as a user run
            child = subprocess.run(
                [sys.executable, __file__, "--one", str(case), str(folder)],
                capture_output=True, text=True, cwd=ROOT)
            if child.returncode != 0:
                failed.append(case.name)
                print(f"  failed (exit {child.returncode}):\n{child.stderr[-2000:]}", flush=True)
                continue
            entry = json.loads(child.stdout.strip().splitlines()[-1])
            downscale(Path(entry.pop("picture")), GALLERY / f"{case.stem}.png")
            entries[case.stem] = entry
            print(f"  {entry['seconds']} s, {entry['source']}", flush=True)
            times = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                f"{platform.python_implementation()} {platform.python_version()}",
                     "cases": dict(sorted(entries.items()))}
            TIMES.write_text(json.dumps(times, indent=1) + "\n")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(Path(sys.argv[2]), Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
