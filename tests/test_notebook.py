"""The example notebook runs top to bottom against a fresh extraction (read from PLANPARSE_OUTPUTS)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from outputs_helper import write_corpus_outputs

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore_outputs.ipynb"


def test_notebook_runs(corpus_results, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    outputs = write_corpus_outputs(corpus_results, tmp_path / "outputs")
    monkeypatch.setenv("PLANPARSE_OUTPUTS", str(outputs))  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "commit the notebook without outputs"
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    texts = [
        out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    ]
    assert not any(out.output_type == "error" for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    joined = "\n".join(texts)
    n_targets = sum(len(r.targets) for r in {r.document.doc_id: r for r in corpus_results}.values())
    assert f"{n_targets} target quotes match their documents" in joined
    assert "约束性 targets, " in joined and "targets.csv: " in joined and "Result(1 document(s)" in joined
    html = [str(out.get("data", {}).get("text/html", "")) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert any(h.startswith("<iframe srcdoc=") and "hl hl-heading" in h for h in html)  # Result._repr_html_ shown inline
    assert os.fspath(outputs) not in NOTEBOOK.read_text(encoding="utf-8")  # the path comes from the environment
