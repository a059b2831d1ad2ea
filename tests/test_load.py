"""planparse.load: record tables from an outputs folder (pandas / pyarrow / polars) and the documented joins;
read_results: the outputs folder back as the same DocumentResult objects."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

import planparse
from planparse.load import find_document, read_record_table, read_results, results_for
from planparse.models import RECORD_TYPES

from outputs_helper import unique_results, write_corpus_outputs


@pytest.fixture(scope="module")
def outputs(corpus_results, tmp_path_factory):
    return write_corpus_outputs(corpus_results, tmp_path_factory.mktemp("load") / "outputs")


def test_load_pandas_all_tables(outputs):
    tables = planparse.load(outputs)
    assert tables.engine == "pandas"
    assert set(tables) == set(RECORD_TYPES)
    for name in RECORD_TYPES:
        assert len(tables[name]) == read_record_table(outputs, name).num_rows
    assert tables.targets is tables["targets"]
    # Dates are datetime64 and nullable years stay integers, so the README's queries work as written.
    assert str(tables.deadlines["date"].dtype).startswith("datetime64")
    assert str(tables.targets["target_year"].dtype) == "Int64"


def test_documented_joins(outputs):
    t = planparse.load(outputs)
    with_region = t.targets.merge(t.documents[["doc_id", "region", "title"]], on="doc_id")
    assert len(with_region) == len(t.targets)
    with_measure = t.targets.merge(t.measures, on=["doc_id", "measure_id"], suffixes=("", "_measure"))
    assert len(with_measure) == t.targets["measure_id"].notna().sum()
    # Every measure-bound target lies inside its measure.
    assert ((with_measure.char_start >= with_measure.char_start_measure) & (with_measure.char_end <= with_measure.char_end_measure)).all()


def test_pyarrow_and_polars_engines(outputs):
    arrow = planparse.load(outputs, engine="pyarrow")
    assert arrow.targets.num_rows == len(planparse.load(outputs).targets)
    pl = pytest.importorskip("polars")
    polars_tables = planparse.load(outputs, engine="polars")
    assert isinstance(polars_tables.measures, pl.DataFrame)
    assert polars_tables.measures.height == arrow.measures.num_rows
    with pytest.raises(ValueError, match="engine"):
        planparse.load(outputs, engine="excel")


def test_not_an_outputs_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="documents/part"):
        planparse.load(tmp_path)


def test_read_results_round_trip(outputs, corpus_results):
    results, errors = read_results(outputs)
    assert errors == []
    expected = unique_results(corpus_results)
    assert [r.document.doc_id for r in results] == [r.document.doc_id for r in expected]
    for got, want in zip(results, expected):
        assert got.records() == want.records()


def test_results_for_texts_and_find_document(corpus_dir, corpus_results, outputs):
    path = sorted(corpus_dir.glob("*.txt"))[0]
    results, _ = results_for([path], workers=1)
    assert results[0].records() == corpus_results[0].records()
    from_outputs, _ = results_for([outputs])
    doc = corpus_results[0].document
    for key in (doc.doc_id, path.name, path.stem):
        assert find_document(from_outputs, key).document.doc_id == doc.doc_id
    with pytest.raises(LookupError, match="no document"):
        find_document(from_outputs, "nope")


def test_readme_readers_on_part_files(tmp_path):
    """The README's ways to read a record type of a many-shard folder give load()'s rows, in order."""
    import duckdb
    import pandas as pd
    import polars as pl

    from planparse.runner import extract_to_folder
    from conftest import CORPUS

    out = tmp_path / "out"
    extract_to_folder(sorted(CORPUS.glob("*.txt"))[:6], out, workers=1, shard_size=2)
    assert len(list((out / "responsibilities").glob("part-*.parquet"))) == 3
    want = planparse.load(out).responsibilities
    assert pd.read_parquet(out / "responsibilities")["assignment_id"].tolist() == want["assignment_id"].tolist()
    assert pl.read_parquet(out / "responsibilities" / "*.parquet")["assignment_id"].to_list() == want["assignment_id"].tolist()
    leads = duckdb.sql(
        f"SELECT canonical_name, count(*) AS leads FROM read_parquet('{out}/responsibilities/*.parquet') "
        "WHERE role = 'lead' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"
    ).fetchall()
    expected = want.query("role == 'lead'").groupby("canonical_name").size().reset_index(name="n")
    expected = sorted(expected.itertuples(index=False), key=lambda r: (-r.n, r.canonical_name))[:5]
    assert leads == [(r.canonical_name, r.n) for r in expected] and leads
