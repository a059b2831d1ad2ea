"""Benchmark (``make bench``): pipeline throughput, start-up and memory beside a bare ``jieba.lcut`` pass,
then a batch of a few hundred documents on 1 and 2 workers.

Every measurement runs in a fresh Python process, so start-up (imports, rule and model loading) and
peak memory (``ru_maxrss``) belong to that measurement alone. Throughput is counted in characters of
decoded source text per second, after start-up.

    python -m planparse.bench [--corpus corpus] [--docs 300] [--workers 1,2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASSES = 3  # corpus passes timed in the single-process measurements


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 2**20


def _corpus_texts(corpus: Path) -> list[str]:
    """Decoded texts of the corpus, one per distinct text (the corpus holds one plan in two encodings)."""
    from planparse.ingest import decode_bytes

    texts: dict[str, None] = {}
    for path in sorted(corpus.glob("*.txt")):
        texts.setdefault(decode_bytes(path.read_bytes())[0])
    return list(texts)


# ---- measurements, each run in its own process (``--child``) ----


def _child_pipeline(corpus: Path) -> dict:
    started = time.perf_counter()
    from planparse.pipeline import process_bytes
    from planparse.runner import warm_up

    warm_up()
    startup = time.perf_counter() - started
    texts = _corpus_texts(corpus)
    data = [t.encode("utf-8") for t in texts]
    chars = sum(map(len, texts))
    t0 = time.perf_counter()
    for _ in range(PASSES):
        for i, blob in enumerate(data):
            process_bytes(blob, f"doc{i}.txt")
    elapsed = time.perf_counter() - t0
    return {"startup_s": startup, "chars": chars * PASSES, "seconds": elapsed, "peak_rss_mb": _peak_rss_mb()}


def _child_jieba(corpus: Path) -> dict:
    started = time.perf_counter()
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    startup = time.perf_counter() - started
    texts = _corpus_texts(corpus)
    t0 = time.perf_counter()
    for _ in range(PASSES):
        for text in texts:
            jieba.lcut(text)
    elapsed = time.perf_counter() - t0
    return {"startup_s": startup, "chars": sum(map(len, texts)) * PASSES, "seconds": elapsed, "peak_rss_mb": _peak_rss_mb()}


def _child_batch(folder: Path, workers: int) -> dict:
    from planparse.runner import run_batch, warm_up
    from planparse.write import write_outputs

    warm_up()  # start-up is measured above: time the batch itself
    t0 = time.perf_counter()
    batch = run_batch([folder], workers=workers)
    elapsed = time.perf_counter() - t0
    out = Path(tempfile.mkdtemp(prefix="planparse-bench-out-"))
    t1 = time.perf_counter()
    write_outputs(batch.records(), out / "outputs")
    written = time.perf_counter() - t1
    shutil.rmtree(out, ignore_errors=True)
    parent = _peak_rss_mb()
    # Workers are children; with one worker the documents are processed in this process.
    worker = _peak_rss_mb(resource.RUSAGE_CHILDREN) if workers > 1 else parent
    return {
        "workers": workers,
        "documents": len(batch.documents),
        "errors": len(batch.errors),
        "chars": sum(d.document.n_chars for d in batch.documents),
        "seconds": elapsed,
        "write_s": written,
        "peak_rss_parent_mb": parent,
        "peak_rss_worker_mb": worker,
    }


def _run_child(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "planparse.bench", "--child", *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"bench: measurement {args[0]} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- per-format readers: corpus/native, next to poppler's pdftotext for PDF ----

_FORMAT_MODULES = ("pdf", "docx", "html")  # readers timed, where their module exists


def _child_formats(native: Path) -> dict:
    """Documents (and PDF pages) per second of each reader on the files of its format, reading
    only (no segmenting); OCR off, so the PDF figure is the text layer's. pdftotext (plain mode,
    one process per file, as a user would run it) reads the same PDFs."""
    import importlib

    from planparse.ingest import IngestError
    from planparse.readers import READERS

    os.environ["PLANPARSE_OCR"] = "off"
    for name in _FORMAT_MODULES:
        try:
            importlib.import_module(f"planparse.readers.{name}")
        except ModuleNotFoundError:
            pass
    out: dict = {}
    for name in _FORMAT_MODULES:
        reader = READERS.get(name)
        if reader is None:
            continue
        files = sorted(p for p in native.iterdir() if p.suffix.lower() in reader.suffixes)
        blobs = [(str(p), p.read_bytes()) for p in files]
        readable, pages, skipped = [], 0, 0
        for path, data in blobs:
            try:
                doc = reader.read(data, path)
            except IngestError:
                skipped += 1  # e.g. the scanned PDF without OCR
                continue
            readable.append((path, data))
            pages += doc.n_pages or 0
        if not readable:
            continue
        t0 = time.perf_counter()
        for _ in range(PASSES):
            for path, data in readable:
                reader.read(data, path)
        entry = {"documents": len(readable) * PASSES, "pages": pages * PASSES, "skipped": skipped,
                 "seconds": time.perf_counter() - t0}
        if name == "pdf" and shutil.which("pdftotext"):
            t0 = time.perf_counter()
            for _ in range(PASSES):
                for path, _data in readable:
                    subprocess.run(["pdftotext", "-q", path, "-"], capture_output=True, check=False)
            entry["pdftotext_seconds"] = time.perf_counter() - t0
        out[name] = entry
    return out


def _print_formats(r: dict) -> None:
    formats = r.get("formats") or {}
    if not formats:
        return
    print()
    print(f"{'reader (corpus/native)':<24}{'docs':>6}{'docs/s':>9}{'pages/s':>9}{'pdftotext pages/s':>19}")
    for name, m in formats.items():
        pages = f"{m['pages'] / m['seconds']:>9.1f}" if m["pages"] else f"{'':>9}"
        poppler = f"{m['pages'] / m['pdftotext_seconds']:>19.1f}" if "pdftotext_seconds" in m else ""
        print(f"{name:<24}{m['documents'] // PASSES:>6}{m['documents'] / m['seconds']:>9.2f}{pages}{poppler}")
        if "pdftotext_seconds" in m:
            ratio = m["seconds"] / m["pdftotext_seconds"]
            print(f"  pdf reader time / pdftotext time: {ratio:.2f}x (goal: within 3x); {m['skipped']} without a text layer skipped")


# ---- the report ----


def make_batch_folder(texts: list[str], n_docs: int, folder: Path) -> None:
    """``n_docs`` copies of the corpus texts under new names, each made unique (so doc_ids differ)."""
    for k in range(n_docs):
        text = texts[k % len(texts)]
        (folder / f"copy{k:04d}.txt").write_text(f"{text}\n（副本 {k}）\n", encoding="utf-8")


def run(corpus: Path, n_docs: int, workers: list[int]) -> dict:
    texts = _corpus_texts(corpus)
    report = {
        "cpu_count": os.cpu_count(),
        "corpus": {"documents": len(texts), "chars": sum(map(len, texts))},
        "pipeline": _run_child("pipeline", str(corpus)),
        "jieba": _run_child("jieba", str(corpus)),
        "batch": [],
    }
    if (corpus / "native").is_dir():
        report["formats"] = _run_child("formats", str(corpus / "native"))
    folder = Path(tempfile.mkdtemp(prefix="planparse-bench-"))
    try:
        make_batch_folder(texts, n_docs, folder)
        for n in workers:
            report["batch"].append(_run_child("batch", str(folder), str(n)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report


def _rate(m: dict) -> float:
    return m["chars"] / m["seconds"]


def print_report(r: dict) -> None:
    p, j = r["pipeline"], r["jieba"]
    print(f"corpus: {r['corpus']['documents']} distinct texts, {r['corpus']['chars']:,} chars; {r['cpu_count']} CPU cores")
    print()
    print(f"{'single process':<24}{'start-up':>10}{'chars/s':>14}{'peak RSS':>11}")
    print(f"{'planparse pipeline':<24}{p['startup_s']:>9.2f}s{_rate(p):>14,.0f}{p['peak_rss_mb']:>8.0f} MB")
    print(f"{'jieba.lcut pass':<24}{j['startup_s']:>9.2f}s{_rate(j):>14,.0f}{j['peak_rss_mb']:>8.0f} MB")
    ratio = _rate(p) / _rate(j)
    verdict = "faster" if ratio > 1 else "slower"
    print(f"pipeline / jieba.lcut throughput: {ratio:.2f}x ({verdict} than the bare segmentation pass)")
    print()
    first = r["batch"][0]
    print(f"batch: {first['documents']} documents, {first['chars']:,} chars ({first['errors']} failed)")
    print(f"{'workers':>7}{'wall':>9}{'chars/s':>13}{'speed-up':>10}{'RSS parent':>12}{'RSS/worker':>12}{'write':>8}")
    base = _rate(first)
    for b in r["batch"]:
        print(
            f"{b['workers']:>7}{b['seconds']:>8.2f}s{_rate(b):>13,.0f}{_rate(b) / base:>9.2f}x"
            f"{b['peak_rss_parent_mb']:>9.0f} MB{b['peak_rss_worker_mb']:>9.0f} MB{b['write_s']:>7.2f}s"
        )
    _print_formats(r)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planparse.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of plan texts (default: corpus)")
    parser.add_argument("--docs", type=int, default=300, help="documents in the batch (default: 300)")
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated (default: 1,2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "pipeline":
            result = _child_pipeline(Path(rest[0]))
        elif kind == "jieba":
            result = _child_jieba(Path(rest[0]))
        elif kind == "formats":
            result = _child_formats(Path(rest[0]))
        else:
            result = _child_batch(Path(rest[0]), int(rest[1]))
        print(json.dumps(result))
        return 0
    if not any(args.corpus.glob("*.txt")):
        print(f"bench: no *.txt files in {args.corpus}", file=sys.stderr)
        return 2
    workers = [int(w) for w in args.workers.split(",")]
    report = run(args.corpus.resolve(), args.docs, workers)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
