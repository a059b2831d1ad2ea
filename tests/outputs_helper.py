"""Write the corpus results (one per doc_id, as the runner keeps them) to an outputs folder for tests."""

from __future__ import annotations

from pathlib import Path

from planparse.models import RECORD_TYPES
from planparse.write import write_outputs


def unique_results(results):
    seen, kept = set(), []
    for result in results:
        if result.document.doc_id not in seen:
            seen.add(result.document.doc_id)
            kept.append(result)
    return kept


def write_corpus_outputs(results, folder: Path) -> Path:
    records = {name: [] for name in RECORD_TYPES}
    for result in unique_results(results):
        for name, recs in result.records().items():
            records[name].extend(recs)
    return write_outputs(records, folder)
