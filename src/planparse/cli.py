"""Command line: ``planparse extract`` and ``planparse eval``.

Exit codes of ``extract``: 0 every file extracted, 1 some files failed (outputs still written) or the
outputs could not be written, 2 usage error (a path that does not exist, no input files), 130
interrupted (Ctrl-C: previous outputs left intact).
"""

from __future__ import annotations

import json
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


def _require_paths(paths: list[Path]) -> None:
    """Exit with a usage error when a path does not exist (a dangling symlink counts as given: its
    failure is reported per file)."""
    missing = [p for p in paths if not p.exists() and not p.is_symlink()]
    for p in missing:
        _err(f"error: {p}: no such file or folder")
    if missing:
        raise typer.Exit(EXIT_USAGE)


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="Plan files or folders (walked recursively for .txt .pdf .docx .doc .wps .html .htm)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder, replaced atomically."),
    formats: Optional[str] = typer.Option(None, "--formats", help="Walk folders only for these formats, comma-separated (e.g. txt,docx,html)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes (default: CPU count)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print errors only."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON (no progress, no notes)."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks."),
) -> None:
    """Extract records from plan texts and write one Parquet file per record type."""
    from planparse.report import BatchProgress, print_summary, summary_json
    from planparse.runner import describe_error, run_batch, skip_notes
    from planparse.write import write_outputs

    _require_paths(paths)
    from planparse.readers import suffixes_for

    try:
        chosen = [f for f in formats.split(",") if f.strip()] if formats else None
        suffixes_for(chosen)
    except ValueError as exc:
        _err(f"error: --formats: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    started = time.perf_counter()
    try:
        with BatchProgress(enabled=not (quiet or as_json)) as progress:
            batch = run_batch(paths, workers=workers, progress=progress, formats=chosen)
    except KeyboardInterrupt:
        _err(f"interrupted: nothing written, previous outputs in {out} left intact")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        raise _fatal("the batch could not run", exc, debug) from None
    if batch.n_files == 0:
        _err("error: no plan files (.txt .pdf .docx .doc .wps .html .htm) found in " + ", ".join(map(str, paths)))
        raise typer.Exit(EXIT_USAGE)

    for error in batch.errors:
        _err(f"error: {describe_error(error)}")
        if debug and error.source_path in batch.tracebacks:
            _err(batch.tracebacks[error.source_path])
    if not (quiet or as_json):
        for note in skip_notes(batch.skipped):
            typer.echo(f"note: {note}")

    records = batch.records()
    try:
        write_outputs(records, out)
    except KeyboardInterrupt:
        _err(f"interrupted while writing: previous outputs in {out} left intact")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        raise _fatal(f"could not write {out} (previous outputs left intact)", exc, debug) from None

    if as_json:
        typer.echo(json.dumps(summary_json(batch, out, time.perf_counter() - started), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(batch)
        counts = ", ".join(f"{len(records[name])} {name}" for name in records if name not in ("documents", "errors"))
        typer.echo(
            f"extracted {len(batch.documents)} of {batch.n_files} file(s) in {time.perf_counter() - started:.2f}s: "
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
