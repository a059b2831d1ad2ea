"""Command line: ``planparse extract``, ``eval``, ``schema``, ``validate``, ``show``, ``review``, ``export``.

Every command takes ``--debug`` (Python tracebacks on errors; without it an error is one line naming
the file and the problem), and the commands that run the pipeline take ``--rules DIR`` (or
``PLANPARSE_RULES``). Exit codes of ``extract``: 0 every file extracted, 1 some files failed (outputs still written) or the
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


RULES_HELP = "Folder with your copy of the rule files (rules/*.yaml; files it lacks come from planparse). Also PLANPARSE_RULES."
DEBUG_HELP = "Show Python tracebacks."


def _use_rules(folder: Optional[Path], debug: bool) -> None:
    if folder is None:
        return
    from planparse.rules_loader import RulesError, use_rules

    try:
        use_rules(folder)
    except RulesError as exc:
        if debug:
            _err("".join(traceback.format_exception(exc)))
        _err(f"error: --rules: {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _version(value: bool) -> None:
    if value:
        from planparse import __version__

        typer.echo(f"planparse {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Turn Chinese government plan documents into grounded records written to Parquet."""


def _fatal_line(message: str, exc: BaseException, debug: bool, code: int = EXIT_FAILED) -> typer.Exit:
    """Like ``_fatal`` for errors whose message already names the file and the problem."""
    if debug:
        _err("".join(traceback.format_exception(exc)))
    _err(f"error: {message}")
    return typer.Exit(code)


def _guarded(run, what: str, debug: bool):
    """``run()``'s result; an unreadable outputs folder or any other failure ends the command with one
    line (exit 1) instead of a traceback."""
    from planparse.load import OutputsError

    try:
        return run()
    except OutputsError as exc:  # its message names the file and the problem
        raise _fatal_line(str(exc), exc, debug) from None
    except Exception as exc:
        raise _fatal(what, exc, debug) from None


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
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
    ner: bool = typer.Option(False, "--ner", help="Add the agency NER to the rules (slower start; see README)."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that holds other files too (only planparse's own files are replaced)."),
    max_bytes: str = typer.Option("200MB", "--max-bytes", help="Skip (as an error) any input file larger than this."),
    engine: str = typer.Option("local", "--engine", help="local (a process pool) or ray (Ray Data actors; needs the ray extra)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join: auto or HOST:PORT (default: start a local one)."),
    shard_size: Optional[int] = typer.Option(None, "--shard-size", min=1, help="Documents per part file (default: about 64 shards, 1-256 each)."),
) -> None:
    """Extract records from plan documents and write Parquet part files per record type."""
    from planparse.extract import NER_ENV
    from planparse.report import BatchProgress, print_summary, summary_json, summary_line
    from planparse.runner import NoInputs, describe_error, extract_to_folder, skip_notes, tune_gc
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
    _use_rules(rules, debug)
    if ner:
        os.environ[NER_ENV] = "1"  # read by every worker (planparse.extract.ner_enabled)
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
    if engine == "local":
        tune_gc()  # the documents are read here or in workers forked from here
    try:
        with BatchProgress(enabled=not (quiet or as_json)) as progress:
            batch = extract_to_folder(
                paths, out, workers=workers, progress=progress, max_bytes=limit, shard_size=shard_size,
                engine=engine, ray_address=ray_address, plan=plan, formats=chosen,
            )
    except KeyboardInterrupt:
        _err(f"interrupted: nothing written, previous outputs in {_shown(out)} left intact")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except NoInputs as exc:
        for note in skip_notes(exc.skipped):  # a file named on the command line gets its note here too
            _err(f"note: {note}")
        _err("error: no plan files (.txt .pdf .docx .doc .wps .html .htm) found in " + ", ".join(_shown(p) for p in paths))
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as exc:
        raise _fatal(f"the batch could not run or {_shown(out)} could not be written (previous outputs left intact)", exc, debug) from None

    for error in batch.errors:
        _err(f"error: {describe_error(error)}")
        if debug and error.source_path in batch.tracebacks:
            _err(batch.tracebacks[error.source_path])
    if not (quiet or as_json):
        for note in skip_notes(batch.skipped):
            typer.echo(f"note: {note}")

    if as_json:
        typer.echo(json.dumps(summary_json(batch, _shown(out), time.perf_counter() - started), ensure_ascii=False, indent=2))
    elif not quiet:
        print_summary(batch)
        typer.echo(summary_line(batch, _shown(out), time.perf_counter() - started))  # --out shown as inputs are
    raise typer.Exit(EXIT_FAILED if batch.errors else EXIT_OK)


@app.command("eval")
def eval_(
    corpus: Path = typer.Argument(..., help="Folder holding the plan texts named in the gold files."),
    gold: Optional[Path] = typer.Option(None, "--gold", "-g", help="Folder of <stem>.gold.json annotations (default: CORPUS/gold)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
) -> None:
    """Score the pipeline against the gold annotations (exact and soft matching).

    Exit 0 when every gold file was scored, 1 when a gold file is unusable (empty, not JSON, its
    document missing) or a document failed, 2 on usage errors.
    """
    from planparse.evaluate import evaluate_corpus, print_report

    gold = gold if gold is not None else corpus / "gold"
    _use_rules(rules, debug)
    for p in (corpus, gold):
        if not p.is_dir():
            _err(f"error: {p}: not a folder")
            raise typer.Exit(EXIT_USAGE)
    try:
        report = evaluate_corpus(corpus, gold)
    except Exception as exc:
        raise _fatal("evaluation failed", exc, debug) from None
    if not report.documents and not report.problems:
        _err(f"error: no *.gold.json files in {gold}")
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif report.documents:
        print_report(report)
    for problem in report.problems:
        _err(f"error: {problem}")
    for d in report.documents:
        if d.error:
            _err(f"error: {d.source_path or d.doc}: {d.error}")
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


@app.command("coverage")
def coverage_(
    paths: list[Path] = typer.Argument(..., help="Plan files or folders (walked recursively); no gold needed."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON (per document and overall)."),
    overall_only: bool = typer.Option(False, "--overall", help="Print only the overall figures, not the per-document table."),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
) -> None:
    """Share of what the plans announce (responsibility tags, table captions, deadlines, agency names
    next to role words) that produced a record, per document and overall, plus headingless documents."""
    from planparse.coverage import coverage_paths, print_coverage

    _require_paths(paths)
    _use_rules(rules, debug)
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
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
) -> None:
    """Write one JSON Schema per record type, generated from the pydantic models."""
    from planparse.models import SCHEMA_VERSION
    from planparse.schema import stale_schemas, write_schemas

    if check:
        stale = stale_schemas(out)
        for name in stale:
            _err(f"error: {out}/{name}.schema.json is missing or differs from the models (run: planparse schema --out {out})")
        raise typer.Exit(EXIT_FAILED if stale else EXIT_OK)
    try:
        written = write_schemas(out)
    except OSError as exc:
        raise _fatal(f"cannot write schemas to {out}", exc, debug) from None
    typer.echo(f"wrote {len(written)} schemas (schema version {SCHEMA_VERSION}) to {out}/")


@app.command()
def validate(
    paths: list[Path] = typer.Argument(..., help="Plan text files or folders, and/or outputs folders (holding *.parquet)."),
    fmt: str = typer.Option("text", "--format", "-f", help="Report format: text or json."),
    schemas: Optional[Path] = typer.Option(None, "--schemas", help="Check rows against the *.schema.json in this folder (default: the schemas built into planparse)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes for plan texts (default: CPU count)."),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
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
    _use_rules(rules, debug)
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
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
) -> None:
    """Show one document as a tree: chapters, sections, measures with their deadlines, agencies, targets."""
    from planparse.show import run_show

    _require_paths([path])
    _use_rules(rules, debug)
    raise typer.Exit(_guarded(lambda: run_show(path, doc), f"cannot show {path}", debug))


@app.command()
def review(
    paths: list[Path] = typer.Argument(..., help="Plan texts or folders (the pipeline is run), or one outputs folder."),
    out: Path = typer.Option(Path("review"), "--out", "-o", help="Folder for index.html and one page per document."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Worker processes when extracting."),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
    rules: Optional[Path] = typer.Option(None, "--rules", envvar="PLANPARSE_RULES", help=RULES_HELP),
) -> None:
    """Write self-contained HTML pages to review the extraction: highlighted text, records, tables, charts."""
    from planparse.review import check_review_out, cjk_font_warning, run_review

    _require_paths(paths)
    problem = check_review_out(out)
    if problem:
        _err(f"error: --out {problem}")
        raise typer.Exit(EXIT_USAGE)
    _use_rules(rules, debug)
    warning = cjk_font_warning()
    if warning:
        _err(f"warning: {warning}")
    raise typer.Exit(_guarded(lambda: run_review(paths, out, workers), f"cannot write the review pages to {out}", debug))


@app.command()
def export(
    outputs: Path = typer.Argument(..., help="An outputs folder written by planparse extract."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for one <record type>.<format> file per record type."),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl (one JSON object per line) or csv (UTF-8 with BOM, lists as JSON)."),
    debug: bool = typer.Option(False, "--debug", help=DEBUG_HELP),
) -> None:
    """Convert an outputs folder to JSON Lines or CSV, one file per record type."""
    from planparse.export import FORMATS, export_outputs

    if fmt not in FORMATS:
        _err(f"error: --format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        raise typer.Exit(EXIT_USAGE)
    _require_paths([outputs])
    if out.exists() and not out.is_dir():
        _err(f"error: --out {out}: is a file, not a folder")
        raise typer.Exit(EXIT_USAGE)
    written = _guarded(lambda: export_outputs(outputs, out, fmt), f"cannot export {outputs} to {out}", debug)
    rows = sum(n for _, n in written)
    typer.echo(f"wrote {len(written)} {fmt} files ({rows} rows) to {out}/")
