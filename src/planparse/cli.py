"""Command line: ``planparse extract`` and ``planparse eval``.

Exit codes of ``extract``: 0 every file extracted, 1 some files failed (outputs still written) or the
outputs could not be written, 2 usage error (a path that does not exist, no input files), 130
interrupted (Ctrl-C: previous outputs left intact).
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    name="planparse",
    help="Turn Chinese government plan documents into grounded records written to Parquet.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell convention for a run stopped by Ctrl-C


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fatal(message: str, exc: BaseException, debug: bool, code: int = EXIT_FAILED) -> typer.Exit:
    if debug:
        _err("".join(traceback.format_exception(exc)))
    _err(f"error: {message}: {type(exc).__name__}: {exc}")
    return typer.Exit(code)


def _require_paths(paths: list) -> None:
    """Exit with a usage error when a path does not exist (a dangling symlink counts as given: its
    failure is reported per file, and so does a path that cannot be looked at: permission denied).
    URIs (s3://, hdfs://) are checked when they are listed."""
    missing = []
    for p in paths:
        if "://" in str(p):
            continue
        try:
            os.lstat(p)
        except FileNotFoundError:
            missing.append(p)
        except (OSError, ValueError):
            pass
    for p in missing:
        _err(f"error: {_shown(p)}: no such file or folder")
    if missing:
        raise typer.Exit(EXIT_USAGE)


def _shown(path) -> str:
    from planparse.runner import display_path

    return display_path(os.fspath(path))


def _parse_bytes(value: str) -> int:
    """``200MB``, ``1.5G``, ``500k`` or a plain number of bytes."""
    units = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9}
    text = value.strip().lower().replace("_", "")
    number = text.rstrip("kmgb")
    unit = text[len(number) :]
    try:
        size = int(float(number) * units[unit])
    except (KeyError, ValueError):
        raise typer.BadParameter(f"{value!r} is not a size (e.g. 200MB, 1G, 500000)") from None
    if size < 1:
        raise typer.BadParameter("must be at least 1 byte")
    return size


@app.command()
def extract(
    paths: list[str] = typer.Argument(..., help="Plan files or folders (walked recursively for .txt .pdf .docx .doc .wps .html .htm), or s3:// / hdfs:// URIs (read through pyarrow.fs)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder: <record type>/part-*.parquet, replaced atomically."),
    formats: Optional[str] = typer.Option(None, "--formats", help="Walk folders only for these formats, comma-separated (e.g. txt,docx,html)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes, or Ray actors (default: CPU count)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (no progress, no notes)."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds other files too (only planparse's own files are replaced)."),
    max_bytes: str = typer.Option("200MB", "--max-bytes", help="Skip (as an error) any input file larger than this."),
    engine: str = typer.Option("local", "--engine", help="local (a process pool) or ray (Ray Data actors; needs the ray extra)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join: auto or HOST:PORT (default: start a local one)."),
    shard_size: Optional[int] = typer.Option(None, "--shard-size", min=1, help="Documents per part file (default: about 64 shards, 1-256 each)."),
) -> None:
    """Extract records from plan texts and write Parquet part files per record type."""
    from planparse.report import COUNTED, BatchProgress, print_summary, summary_json
    from planparse.runner import NoInputs, describe_error, extract_to_folder, skip_notes
    from planparse.write import OutputFolderError, check_out

    if engine not in ("local", "ray"):
        _err(f"error: --engine must be local or ray, not {engine!r}")
        raise typer.Exit(EXIT_USAGE)
    limit = _parse_bytes(max_bytes)
    if engine == "ray":
        from planparse.ray_engine import RayUnavailable, require_ray

        try:
            require_ray()
        except RayUnavailable as exc:
            _err(f"error: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    _require_paths(paths)
    from planparse.readers import suffixes_for

    try:
        chosen = [f for f in formats.split(",") if f.strip()] if formats else None
        suffixes_for(chosen)
    except ValueError as exc:
        _err(f"error: --formats: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    try:
        plan = check_out(out, force=force)  # before any document is read
    except OutputFolderError as exc:
        _err(f"error: {_shown(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from None
    started = time.perf_counter()
    try:
        with BatchProgress(enabled=not (quiet or as_json)) as progress:
            batch = extract_to_folder(
                paths, out, workers=workers, progress=progress, max_bytes=limit, shard_size=shard_size,
                engine=engine, ray_address=ray_address, plan=plan, formats=chosen,
            )
    except KeyboardInterrupt:
        _err(f"interrupted: nothing written, previous outputs in {out} left intact")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except NoInputs:
        _err("error: no plan files (.txt .pdf .docx .doc .wps .html .htm) found in " + ", ".join(_shown(p) for p in paths))
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as exc:
        raise _fatal(f"the batch could not run or {out} could not be written (previous outputs left intact)", exc, debug) from None

    for error in batch.errors:
        _err(f"error: {describe_error(error)}")
        if debug and error.source_path in batch.tracebacks:
            _err(batch.tracebacks[error.source_path])
    if not (quiet or as_json):
        for note in skip_notes(batch.skipped):
            typer.echo(f"note: {note}")

    if as_json:
        typer.echo(json.dumps(summary_json(batch, out, time.perf_counter() - started), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(batch)
        totals = {name: sum(s.counts[name] for s in batch.summaries) for name in COUNTED}
        counts = ", ".join(f"{n} {name}" for name, n in totals.items())
        typer.echo(
            f"extracted {len(batch.summaries)} of {batch.n_files} file(s) in {time.perf_counter() - started:.2f}s: "
            f"{counts}; {len(batch.errors)} failed -> {out}/"
        )
    raise typer.Exit(EXIT_FAILED if batch.errors else EXIT_OK)


@app.command("eval")
def eval_(
    corpus: Path = typer.Argument(..., help="Folder holding the plan texts named in the gold files."),
    gold: Path = typer.Option(..., "--gold", "-g", help="Folder of <stem>.gold.json annotations."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Score the pipeline against the gold annotations (exact and soft matching)."""
    from planparse.evaluate import evaluate_corpus, print_report

    for p in (corpus, gold):
        if not p.is_dir():
            _err(f"error: {p}: not a folder")
            raise typer.Exit(EXIT_USAGE)
    try:
        report = evaluate_corpus(corpus, gold)
    except Exception as exc:
        raise _fatal("evaluation failed", exc, debug) from None
    if not report.documents:
        _err(f"error: no *.gold.json files in {gold}")
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_report(report)


@app.command("coverage")
def coverage_(
    paths: list[Path] = typer.Argument(..., help="Plan files or folders (walked recursively); no gold needed."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (per document and overall)."),
    overall_only: bool = typer.Option(False, "--overall", help="Print only the overall figures, not the per-document table."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Share of what the plans announce (responsibility tags, table captions, deadlines, agency names
    next to role words) that produced a record, per document and overall, plus headingless documents."""
    from planparse.coverage import coverage_paths, print_coverage

    _require_paths(paths)
    try:
        report = coverage_paths(paths)
    except Exception as exc:
        raise _fatal("coverage failed", exc, debug) from None
    if not report.documents and not report.errors:
        _err("error: no plan files found in " + ", ".join(map(str, paths)))
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_coverage(report, per_document=not overall_only)
        for path, message in report.errors:
            _err(f"error: {path}: {message}")


@app.command("schema")
def schema_(
    out: Path = typer.Option(Path("schemas"), "--out", "-o", help="Folder for the <record type>.schema.json files."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when the files in --out differ from the models."),
) -> None:
    """Write one JSON Schema per record type, generated from the pydantic models."""
    from planparse.models import SCHEMA_VERSION
    from planparse.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        for name in stale:
            _err(f"error: {out}/{name}.schema.json is missing or differs from the models (run: planparse schema --out {out})")
        raise typer.Exit(EXIT_FAILED if stale else EXIT_OK)
    written = write_schemas(out)
    typer.echo(f"wrote {len(written)} schemas (schema version {SCHEMA_VERSION}) to {out}/")


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., help="Plan text files or folders, and/or outputs folders (holding *.parquet)."),
    fmt: str = typer.Option("text", "--format", "-f", help="Report format: text or json."),
    schemas: Optional[Path] = typer.Option(None, "--schemas", help="Check rows against the *.schema.json in this folder (default: the schemas built into planparse)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes for plan texts (default: CPU count)."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Check plan texts (runs the pipeline) or extracted outputs against the schemas and what a plan must have.

    Exit 0 when every document and file passes (warnings allowed), 1 when any fails, 2 on usage errors.
    """
    from planparse.schema import load_schemas
    from planparse.validate import format_report, validate_paths

    if fmt not in ("text", "json"):
        _err(f"error: --format must be text or json, not {fmt!r}")
        raise typer.Exit(EXIT_USAGE)
    _require_paths(paths)
    try:
        contract = load_schemas(schemas) if schemas is not None else None
    except (OSError, ValueError) as exc:
        raise _fatal(f"cannot read schemas from {schemas}", exc, debug, EXIT_USAGE) from None
    try:
        report = validate_paths(paths, workers=workers, schemas=contract)
    except Exception as exc:
        raise _fatal("validation could not run", exc, debug) from None
    if not report.subjects:
        _err("error: no .txt files or Parquet outputs found in " + ", ".join(map(str, paths)))
        raise typer.Exit(EXIT_USAGE)
    if fmt == "json":
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in format_report(report):
            typer.echo(line)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


@app.command()
def show(
    path: Path = typer.Argument(..., help="A plan text file, or an outputs folder (then pick the document with --doc)."),
    doc: Optional[str] = typer.Option(None, "--doc", "-d", help="doc_id, source file name or file stem."),
) -> None:
    """Show one document as a tree: chapters, sections, measures with their deadlines, agencies, targets."""
    from planparse.show import run_show

    _require_paths([path])
    raise typer.Exit(run_show(path, doc))


@app.command()
def review(
    paths: list[Path] = typer.Argument(..., help="Plan texts or folders (the pipeline is run), or one outputs folder."),
    out: Path = typer.Option(Path("review"), "--out", "-o", help="Folder for index.html and one page per document."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes when extracting."),
) -> None:
    """Write self-contained HTML pages to review the extraction: highlighted text, records, tables, charts."""
    from planparse.review import run_review

    _require_paths(paths)
    raise typer.Exit(run_review(paths, out, workers))
