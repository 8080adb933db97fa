"""The documentation site: ``sphinx-build -W`` succeeds and its generated pages are whole.

The site is built once (into a temporary folder, the notebooks shown unexecuted). The
gallery must show every bundled case with its picture and run time, the case-file
reference every key that ``pdekit list`` prints, and the API page the public names.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape

import pytest

from tests.conftest import ROOT

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                            "-b", "html", str(ROOT / "docs"), str(out)],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert build.returncode == 0, build.stderr[-4000:]
    assert build.stderr.strip() == "", build.stderr[-4000:]  # no warnings at all
    return out


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_gallery_has_every_case_with_its_picture(site):
    html = (site / "gallery.html").read_text()
    times = json.loads((ROOT / "docs" / "gallery" / "times.json").read_text())["cases"]
    cases = sorted((ROOT / "cases").glob("*.toml"))
    assert cases
    images = [dict(re.findall(r'(\w+)="([^"]*)"', tag))
              for tag in re.findall(r"<img [^>]*>", html)]
    shown = {image["alt"].split(" of ")[-1]: image["src"] for image in images}
    for case in cases:
        assert case.name in shown, f"{case.name}: no picture in the gallery"
        picture = site / shown[case.name]
        assert picture.is_file() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"run time {times[case.stem]['seconds']:g} s" in _text(html)
    assert len(images) == len(cases)


def test_case_reference_has_every_key_of_pdekit_list(site):
    from pdekit.core.casefields import describe_model
    from pdekit.core.plugin import kinds

    text = _text((site / "case_files.html").read_text())
    registry = kinds()
    for name in registry.names():
        assert f'kind = "{name}"' in text
        for line in describe_model(registry.get(name).case_model):
            line = line.strip()
            if line.startswith("["):  # a section: "[grid]"
                assert f"{name}: {line}" in text
            else:  # a key and its help text
                key, meaning = line.split()[0], line.split(": ", 1)[1]
                assert key in text and meaning.strip() in text, (name, key)


def test_api_page_documents_the_public_names(site):
    html = (site / "api.html").read_text()
    for name in ["load_case", "solve", "Result", "CaseError", "NumericalError"]:
        assert f'id="pdekit.{name}"' in html
    assert "Overrides as on the command line" in _text(html)  # the docstrings came through


def test_notebooks_and_results_are_pages(site):
    for name in ["turing", "eigen", "poisson_pinn"]:
        assert (site / "notebooks" / f"{name}.html").is_file()
    first = (ROOT / "benchmarks" / "RESULTS.md").read_text().splitlines()[0].lstrip("# ")
    assert first in _text((site / "benchmarks.html").read_text())
