"""Benchmark (``make bench``): pipeline throughput, start-up and memory beside a bare ``jieba.lcut`` pass,
then a batch of a few hundred documents on 1 and 2 workers, the parent's memory on 10x as many, and
Ray vs the local pool.

Every measurement runs in a fresh Python process, so start-up (imports, rule and model loading) and
peak memory (``ru_maxrss``) belong to that measurement alone. Throughput is counted in characters of
decoded source text per second, after start-up; single-process throughput in CPU seconds, the
fastest of 3 corpus passes in each of 6 processes run in turn with jieba's (the machine may be shared), batches in wall seconds (their point is the
parallel speed-up).

Then the pathological inputs of ``planparse.pathological`` (issue 13 §4), each at 25 and 100 KB, one
large document at 1 and 20 MB, and last every goal of issue 11 with its figure, met or NOT met.

    python -m planparse.bench [--corpus corpus] [--docs 300] [--workers 1,2] [--big-docs 3000] [--no-ray]
                              [--linear-mb 1,20] [--json]
    python -m planparse.bench --pathological [CASE ...]   # only that table
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

PASSES = 3  # corpus passes timed (pipeline and jieba: the fastest counts; readers: all of them)
PATHOLOGICAL_REPEATS = 2  # runs of each pathological size; the fastest counts
# On a shared machine other processes only ever add CPU time (cache and core contention), so the
# fastest of a few runs is the figure closest to the code's own cost, for the pipeline and jieba alike.


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
    from planparse.runner import warm_up_worker

    warm_up_worker()  # rules loaded and the collector set, as in planparse's workers
    startup = time.perf_counter() - started
    texts = _corpus_texts(corpus)
    data = [t.encode("utf-8") for t in texts]
    chars = sum(map(len, texts))
    # CPU seconds of this process: one core's work, unlike wall time on a shared machine
    passes = []
    for _ in range(PASSES):
        t0 = time.process_time()
        for i, blob in enumerate(data):
            process_bytes(blob, f"doc{i}.txt")
        passes.append(time.process_time() - t0)
    return {"startup_s": startup, "chars": chars, "seconds": min(passes), "passes_s": passes, "peak_rss_mb": _peak_rss_mb()}


def _child_stages(corpus: Path) -> dict:
    """CPU seconds per pipeline stage over the corpus (reader, segmenter with its table finder, each
    extractor component), from the fastest of PASSES passes. Its own process: the stages are timed by
    wrapping them, which the throughput figure must not pay for."""
    import dataclasses

    from planparse import extract, pipeline
    from planparse.runner import warm_up_worker
    from planparse.segment import blocks

    warm_up_worker()  # rules loaded and the collector set, as in planparse's workers
    spent: dict[str, float] = {}

    def timed(fn, key):
        def run(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.process_time() - t0
        return run

    pipeline.read_document = timed(pipeline.read_document, "read (decode, clean)")
    pipeline.segment_document = timed(pipeline.segment_document, "segment (structure, tables, metadata)")
    blocks.find_tables = timed(blocks.find_tables, "  of which tables")
    for name, comp in list(extract.COMPONENTS.items()):
        extract.COMPONENTS[name] = dataclasses.replace(comp, fn=timed(comp.fn, f"extract: {name}"))
    data = [t.encode("utf-8") for t in _corpus_texts(corpus)]
    best: tuple[float, dict] | None = None
    for _ in range(PASSES):
        spent.clear()
        t0 = time.process_time()
        for i, blob in enumerate(data):
            pipeline.process_bytes(blob, f"doc{i}.txt")
        seconds = time.process_time() - t0
        if best is None or seconds < best[0]:
            best = (seconds, dict(spent))
    seconds, stages = best
    stages["rest (ids, records, pages)"] = seconds - sum(v for k, v in stages.items() if not k.startswith(" "))
    return {"seconds": seconds, "stages": stages}


def _child_jieba(corpus: Path) -> dict:
    started = time.perf_counter()
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    startup = time.perf_counter() - started
    texts = _corpus_texts(corpus)
    passes = []
    for _ in range(PASSES):  # CPU seconds, as the pipeline's
        t0 = time.process_time()
        for text in texts:
            jieba.lcut(text)
        passes.append(time.process_time() - t0)
    return {"startup_s": startup, "chars": sum(map(len, texts)), "seconds": min(passes), "passes_s": passes,
            "peak_rss_mb": _peak_rss_mb()}


def _child_batch(folder: Path, workers: int, engine: str = "local") -> dict:
    """One streamed extraction of ``folder`` (what ``planparse extract`` does), timed after start-up."""
    from planparse.runner import extract_to_folder, warm_up_worker

    warm_up_worker()  # start-up is measured above: time the batch itself
    out = Path(tempfile.mkdtemp(prefix="planparse-bench-out-"))
    t0 = time.perf_counter()
    try:
        batch = extract_to_folder([folder], out / "outputs", workers=workers, engine=engine)
        elapsed = time.perf_counter() - t0
    finally:
        shutil.rmtree(out, ignore_errors=True)
    parent = _peak_rss_mb()
    # Local workers are children; with one worker the documents are processed in this process. Ray
    # actors are the raylet's children, not measured here.
    worker = _peak_rss_mb(resource.RUSAGE_CHILDREN) if workers > 1 and engine == "local" else (parent if engine == "local" else None)
    return {
        "engine": engine,
        "workers": workers,
        "documents": len(batch.summaries),
        "errors": len(batch.errors),
        "chars": sum(d.n_chars for d in batch.summaries),
        "seconds": elapsed,
        "peak_rss_parent_mb": parent,
        "peak_rss_worker_mb": worker,
    }


# ---- start-up: a one-paragraph ``planparse extract``, CPU seconds of the whole process ----

STARTUP_REPEATS = 7
STARTUP_PARAGRAPH = "为加快推进数字经济发展，制定本方案。到2025年，全市数字经济核心产业增加值达到1000亿元，由市发展改革委牵头负责。\n"
_CLI = "import sys; from planparse.cli import app; sys.argv[0] = 'planparse'; app()"


def _startup() -> dict:
    """CPU seconds (user + system) of ``planparse extract`` on one paragraph, each run a fresh process.
    CPU, not wall: on a shared machine wall time mostly measures the other processes.

    With compiled bytecode, as an installed planparse has it: an unmeasured first run writes it
    under a temporary PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set (this
    sandbox's shell sets it, and compiling planparse's modules each run costs about 0.1 s)."""
    tmp = Path(tempfile.mkdtemp(prefix="planparse-bench-startup-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    try:
        para = tmp / "paragraph.txt"
        para.write_text(STARTUP_PARAGRAPH, encoding="utf-8")
        command = [sys.executable, "-c", _CLI, "extract", str(para), "--out", str(tmp / "out"), "--force"]
        subprocess.run(command, capture_output=True, check=True, env=env)
        cpu = []
        for _ in range(STARTUP_REPEATS):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(command, capture_output=True, check=True, env=env)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"cpu_s": sorted(cpu)}


# ---- one large document: CPU seconds per MB at two sizes (no super-linear term) ----

LINEAR_MB = (1, 20)


def _child_linear(corpus: Path, mb: float) -> dict:
    """One document of ``mb`` MB (UTF-8) made of the corpus texts end to end, timed in CPU seconds."""
    from planparse.pipeline import process_bytes
    from planparse.runner import warm_up_worker

    warm_up_worker()  # rules loaded and the collector set, as in planparse's workers
    texts = _corpus_texts(corpus)
    target = int(mb * 1e6)
    parts, size, k = [], 0, 0
    while size < target:
        part = texts[k % len(texts)] + "\n"
        parts.append(part)
        size += len(part.encode("utf-8"))
        k += 1
    data = "".join(parts).encode("utf-8")
    c0 = time.process_time()
    process_bytes(data, "large.txt")
    cpu = time.process_time() - c0
    return {"mb": len(data) / 1e6, "seconds": cpu, "s_per_mb": cpu / (len(data) / 1e6), "peak_rss_mb": _peak_rss_mb()}


# ---- pathological inputs (issue 13 §4): seconds per MB at two sizes, so ×4 input shows ×4 time ----
# Timed in CPU seconds of the child (process_time): on a shared machine wall time mostly measures
# the other processes, and one document is single-threaded.

PATHOLOGICAL_KB = (25, 100)
PATHOLOGICAL_TIMEOUT_S = 120  # per case; a quadratic case is reported as "> timeout" instead of hanging


def _child_pathological(name: str) -> None:
    """One line of JSON per size, printed as each finishes (the parent keeps them on a timeout)."""
    from planparse.pathological import pathological_text
    from planparse.pipeline import process_bytes
    from planparse.runner import warm_up_worker

    warm_up_worker()  # rules loaded and the collector set, as in planparse's workers
    for kb in PATHOLOGICAL_KB:
        data = pathological_text(name, kb * 1000).encode("utf-8")
        runs = []
        for _ in range(PATHOLOGICAL_REPEATS):
            t0, c0 = time.perf_counter(), time.process_time()
            result = process_bytes(data, f"{name}.txt")
            runs.append((time.process_time() - c0, time.perf_counter() - t0))
        cpu, elapsed = min(runs)
        quotes = [r.quote for key in ("targets", "deadlines", "responsibilities") for r in getattr(result, key)]
        row = {"kb": kb, "wall_s": elapsed, "seconds": cpu, "s_per_mb": cpu / (len(data) / 1e6),
               "peak_rss_mb": _peak_rss_mb(), "max_quote": max(map(len, quotes), default=0)}
        print(json.dumps(row), flush=True)


def _run_pathological(name: str) -> dict:
    cmd = [sys.executable, "-m", "planparse.bench", "--child", "pathological", name]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=PATHOLOGICAL_TIMEOUT_S)
        if done.returncode != 0:
            raise SystemExit(f"bench: pathological case {name} failed:\n{done.stderr}")
        out = done.stdout
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    rows = {row["kb"]: row for row in map(json.loads, out.splitlines())}
    return {"case": name, "sizes": [rows.get(kb) for kb in PATHOLOGICAL_KB]}


def print_pathological(rows: list[dict]) -> None:
    small, large = PATHOLOGICAL_KB
    print(f"pathological inputs: CPU seconds per MB, fastest of {PATHOLOGICAL_REPEATS} runs (timeout {PATHOLOGICAL_TIMEOUT_S} s wall per case), peak RSS, longest quote")
    print(f"{'case':<24}{f'{small} KB':>10}{f'{large} KB':>10}{'x4 time':>9}{'peak RSS':>10}{'quote':>7}")
    for r in rows:
        a, b = r["sizes"]
        cells = [f"{x['s_per_mb']:>8.2f}s" if x else f"{'> T':>9}" for x in (a, b)]
        growth = f"{b['seconds'] / max(a['seconds'], 1e-9) :>8.1f}x" if a and b else f"{'-':>9}"
        last = b or a
        rss = f"{last['peak_rss_mb']:>7.0f} MB" if last else f"{'-':>10}"
        quote = f"{max(x['max_quote'] for x in (a, b) if x):>7}" if last else f"{'-':>7}"
        print(f"{r['case']:<24}{cells[0]:>10}{cells[1]:>10}{growth}{rss}{quote}")


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


def _ray_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


BATCH_RUNS = 4  # rounds of the worker counts on the batch folder; per count the fastest run counts
SIDE_BY_SIDE_ROUNDS = 6  # pipeline and jieba children alternated: a slow spell of the machine hits both


def _pipeline_vs_jieba(corpus: Path) -> dict:
    """The pipeline and the bare jieba pass, each in fresh processes run in turn; per side the
    child with the fastest pass counts (its other passes are kept in ``passes_s``)."""
    runs: dict[str, list[dict]] = {"pipeline": [], "jieba": []}
    for _ in range(SIDE_BY_SIDE_ROUNDS):
        for kind, done in runs.items():
            done.append(_run_child(kind, str(corpus)))
    out = {}
    for kind, done in runs.items():
        fastest = min(done, key=lambda m: m["seconds"])
        out[kind] = {**fastest, "passes_s": [s for m in done for s in m["passes_s"]]}
    return out


def run(corpus: Path, n_docs: int, workers: list[int], big_docs: int = 3000, ray: bool = True,
        linear_mb: tuple[float, ...] = LINEAR_MB) -> dict:
    texts = _corpus_texts(corpus)
    report = {
        "cpu_count": os.cpu_count(),
        "startup": _startup(),
        "corpus": {"documents": len(texts), "chars": sum(map(len, texts))},
        **_pipeline_vs_jieba(corpus),
        "stages": _run_child("stages", str(corpus)),
        "batch": [],
        "scale": [],
        "ray": [],
    }
    ray = ray and _ray_available()
    if (corpus / "native").is_dir():
        report["formats"] = _run_child("formats", str(corpus / "native"))
    folder = Path(tempfile.mkdtemp(prefix="planparse-bench-"))
    try:
        make_batch_folder(texts, n_docs, folder)
        # Worker counts in turn, BATCH_RUNS rounds, the fastest run of each: a slow spell of a shared
        # machine lasts seconds, and the speed-up must not hang on which count it hit.
        runs: dict[int, list[dict]] = {n: [] for n in workers}
        for _ in range(BATCH_RUNS):
            for n in workers:
                runs[n].append(_run_child("batch", str(folder), str(n)))
        report["batch"] = [min(runs[n], key=lambda b: b["seconds"]) for n in workers]
        if big_docs:
            # Parent memory must not grow with the corpus: the same run on 10x the documents.
            big = Path(tempfile.mkdtemp(prefix="planparse-bench-big-"))
            try:
                make_batch_folder(texts, big_docs, big)
                report["scale"] = [next(b for b in report["batch"] if b["workers"] == max(workers)), _run_child("batch", str(big), str(max(workers)))]
            finally:
                shutil.rmtree(big, ignore_errors=True)
        if ray:
            n = max(workers)
            local_corpus = _run_child("batch", str(corpus), str(n))
            report["ray"] = [
                {"input": "corpus", **local_corpus},
                {"input": "corpus", **_run_child("batch", str(corpus), str(n), "ray")},
                {"input": f"{n_docs} documents", **next(b for b in report["batch"] if b["workers"] == n)},
                {"input": f"{n_docs} documents", **_run_child("batch", str(folder), str(n), "ray")},
            ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from planparse.pathological import CASES

    report["pathological"] = [_run_pathological(name) for name in CASES]
    # The sizes in turn, BATCH_RUNS rounds, the fastest run of each (as the batch's worker counts).
    linear = {mb: [] for mb in linear_mb}
    for _ in range(BATCH_RUNS):
        for mb in linear_mb:
            linear[mb].append(_run_child("linear", str(corpus), str(mb)))
    report["linear"] = [min(linear[mb], key=lambda m: m["s_per_mb"]) for mb in linear_mb]
    return report


def _rate(m: dict) -> float:
    return m["chars"] / m["seconds"]


def _print_rows(r: dict, key: str, title, line) -> None:
    """One optional section of the report: a blank line, its title, a line per measured row."""
    if rows := r.get(key):
        print()
        print(title(rows))
        for row in rows:
            print(line(row))


def print_report(r: dict) -> None:
    p, j = r["pipeline"], r["jieba"]
    print(f"corpus: {r['corpus']['documents']} distinct texts, {r['corpus']['chars']:,} chars; {r['cpu_count']} CPU cores")
    print()
    print(f"{'single process':<24}{'start-up':>10}{'chars/s (CPU)':>14}{'peak RSS':>11}")
    print(f"{'planparse pipeline':<24}{p['startup_s']:>9.2f}s{_rate(p):>14,.0f}{p['peak_rss_mb']:>8.0f} MB")
    print(f"{'jieba.lcut pass':<24}{j['startup_s']:>9.2f}s{_rate(j):>14,.0f}{j['peak_rss_mb']:>8.0f} MB")
    ratio = _rate(p) / _rate(j)
    verdict = "faster" if ratio > 1 else "slower"
    print(f"pipeline / jieba.lcut throughput: {ratio:.2f}x ({verdict} than the bare segmentation pass)")
    # the spread of the passes shows how much the machine's speed varied while they ran
    print(f"  {len(p['passes_s'])} passes per side: pipeline {min(p['passes_s']):.2f}-{max(p['passes_s']):.2f} s,"
          f" jieba {min(j['passes_s']):.2f}-{max(j['passes_s']):.2f} s")
    if st := r.get("stages"):
        print()
        print(f"where a corpus pass goes (CPU s, fastest of {PASSES} passes with each stage timed: {st['seconds']:.3f} s)")
        order = ["read (decode, clean)", "segment (structure, tables, metadata)", "  of which tables"]
        extractors = sorted((k for k in st["stages"] if k.startswith("extract:")), key=lambda k: -st["stages"][k])
        for name in [k for k in order if k in st["stages"]] + extractors + ["rest (ids, records, pages)"]:
            seconds = st["stages"][name]
            print(f"  {name:<40}{seconds:>7.3f} s{seconds / st['seconds']:>7.0%}")
    print()
    first = r["batch"][0]
    print(f"batch (streamed to part files): {first['documents']} documents, {first['chars']:,} chars ({first['errors']} failed)")
    print(f"{'workers':>7}{'wall':>9}{'chars/s':>13}{'speed-up':>10}{'RSS parent':>12}{'RSS/worker':>12}")
    base = _rate(first)
    for b in r["batch"]:
        print(
            f"{b['workers']:>7}{b['seconds']:>8.2f}s{_rate(b):>13,.0f}{_rate(b) / base:>9.2f}x"
            f"{b['peak_rss_parent_mb']:>9.0f} MB{b['peak_rss_worker_mb']:>9.0f} MB"
        )
    # The verdict on parent memory is one of the goals printed last.
    _print_rows(r, "scale", lambda rows: f"parent memory vs corpus size ({rows[-1]['workers']} workers)",
                lambda b: f"{b['documents']:>7} docs{b['seconds']:>8.1f}s  RSS parent {b['peak_rss_parent_mb']:>5.0f} MB  RSS/worker {b['peak_rss_worker_mb']:>5.0f} MB")
    _print_rows(r, "ray", lambda rows: "Ray (local cluster, start-up of the cluster included) vs local process pool",
                lambda b: f"{b['input']:>14} {b['engine']:>6} {b['workers']} workers {b['seconds']:>8.2f}s{_rate(b):>13,.0f} chars/s")
    print()
    print_pathological(r["pathological"])
    _print_formats(r)
    _print_rows(r, "linear", lambda rows: "one large document (corpus texts end to end): CPU seconds per MB",
                lambda m: f"{m['mb']:>8.1f} MB{m['seconds']:>9.1f}s{m['s_per_mb']:>8.2f} s/MB  peak RSS {m['peak_rss_mb']:>6.0f} MB")
    print()
    print_goals(r)


# Goals of issue 11 §3 (and §1's parent memory), each with its figure.
GOAL_STARTUP_S = 1.0
GOAL_VS_JIEBA = 2.0
GOAL_TWO_WORKERS = 1.7
GOAL_LINEAR = 1.25  # s/MB at the largest size / s/MB at the smallest: above this, a super-linear term


def goals(r: dict) -> list[tuple[str, str, bool]]:
    """(goal, figure, met) for every goal the report has figures for."""
    out = []
    cpu = r["startup"]["cpu_s"]
    out.append((f"one-paragraph extract start-up <= {GOAL_STARTUP_S:.1f} s CPU",
                f"fastest {cpu[0]:.2f} s CPU (runs {', '.join(f'{c:.2f}' for c in cpu)})",
                cpu[0] <= GOAL_STARTUP_S))  # other jobs only add CPU time: the fastest run, as for throughput
    ratio = _rate(r["pipeline"]) / _rate(r["jieba"])
    out.append((f"steady state >= {GOAL_VS_JIEBA:.1f}x a bare jieba.lcut pass", f"{ratio:.2f}x", ratio >= GOAL_VS_JIEBA))
    by_workers = {b["workers"]: b for b in r["batch"]}
    if 1 in by_workers and 2 in by_workers:
        speed = _rate(by_workers[2]) / _rate(by_workers[1])
        out.append((f"2 workers >= {GOAL_TWO_WORKERS:.1f}x one worker on {by_workers[1]['documents']} documents",
                    f"{speed:.2f}x", speed >= GOAL_TWO_WORKERS))
    if r.get("scale"):
        small, big = r["scale"]
        growth = big["peak_rss_parent_mb"] / small["peak_rss_parent_mb"] - 1
        out.append((f"parent peak RSS {small['documents']} -> {big['documents']} documents within 10 %",
                    f"{growth:+.1%}", abs(growth) <= 0.10))
    if len(r.get("linear") or ()) >= 2:
        lo, hi = r["linear"][0], r["linear"][-1]
        growth = hi["s_per_mb"] / lo["s_per_mb"]
        out.append((f"no super-linear term {lo['mb']:.0f} MB -> {hi['mb']:.0f} MB in one document (s/MB ratio <= {GOAL_LINEAR})",
                    f"{lo['s_per_mb']:.2f} -> {hi['s_per_mb']:.2f} s/MB ({growth:.2f}x)", growth <= GOAL_LINEAR))
    return out


def print_goals(r: dict) -> None:
    print("goals (issue 11)")
    for goal, figure, met in goals(r):
        print(f"goal: {goal}  figure: {figure}  {'met' if met else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planparse.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="folder of plan texts (default: corpus)")
    parser.add_argument("--docs", type=int, default=300, help="documents in the batch (default: 300)")
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated (default: 1,2)")
    parser.add_argument("--big-docs", type=int, default=3000, help="documents of the parent-memory run (default: 3000; 0 skips it)")
    parser.add_argument("--no-ray", action="store_true", help="skip Ray vs local (skipped anyway without the ray extra)")
    parser.add_argument("--linear-mb", default=",".join(map(str, LINEAR_MB)),
                        help="sizes in MB of the one-large-document run (default: 1,20; empty skips it)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--pathological", nargs="*", metavar="CASE",
                        help="only the pathological-input table (all cases, or those named)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "pathological":
            _child_pathological(rest[0])
            return 0
        if kind == "pipeline":
            result = _child_pipeline(Path(rest[0]))
        elif kind == "jieba":
            result = _child_jieba(Path(rest[0]))
        elif kind == "stages":
            result = _child_stages(Path(rest[0]))
        elif kind == "linear":
            result = _child_linear(Path(rest[0]), float(rest[1]))
        elif kind == "formats":
            result = _child_formats(Path(rest[0]))
        else:
            result = _child_batch(Path(rest[0]), int(rest[1]), *rest[2:])
        print(json.dumps(result))
        return 0
    if args.pathological is not None:
        from planparse.pathological import CASES

        rows = [_run_pathological(name) for name in args.pathological or CASES]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print_pathological(rows)
        return 0
    if not any(args.corpus.glob("*.txt")):
        print(f"bench: no *.txt files in {args.corpus}", file=sys.stderr)
        return 2
    workers = [int(w) for w in args.workers.split(",")]
    linear = tuple(float(mb) for mb in args.linear_mb.split(",") if mb)
    report = run(args.corpus.resolve(), args.docs, workers, args.big_docs, not args.no_ray, linear)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
