"""The notebooks of docs/notebooks/: committed without outputs, and they run.

Each notebook is executed top to bottom by nbclient in a ``python3`` kernel of this
interpreter, in its own folder (the working directory Jupyter gives it). It must finish
without an error, draw its plots inline, name the ParaView series of the run it kept, and
leave nothing behind in the repository.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = ROOT / "docs" / "notebooks"
KINDS = {"turing.ipynb": "fields.pvd", "eigen.ipynb": "modes.pvd",
         "poisson_pinn.ipynb": ".pvd"}


def test_one_notebook_per_kind():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(KINDS)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_committed_without_outputs(name):
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(book)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_notebook_runs(name):
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(book, kernel_name="python3", timeout=600,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) >= 2, "the plots are drawn inline"
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    series = [line for line in text.splitlines() if line.startswith("paraview ")]
    assert series and all(line.endswith(".pvd") for line in series)
    assert any(line.endswith(KINDS[name]) for line in series)
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before  # nothing left behind
