"""Write the corpus results (one per doc_id, as the runner keeps them) to an outputs folder for tests."""

from __future__ import annotations

from pathlib import Path

from planparse.runner import BatchResult
from planparse.write import write_outputs


def unique_results(results):
    seen, kept = set(), []
    for result in results:
        if result.document.doc_id not in seen:
            seen.add(result.document.doc_id)
            kept.append(result)
    return kept


def write_corpus_outputs(results, folder: Path) -> Path:
    # BatchResult.records() merges the record types exactly as the CLI writes them.
    return write_outputs(BatchResult(documents=unique_results(results)).records(), folder)
