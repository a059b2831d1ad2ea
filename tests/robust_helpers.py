"""Helpers shared by the robustness, kill, determinism and write tests: run the real CLI in a subprocess, read outputs back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from conftest import CORPUS
# The installed console script does exactly this.
CLI = [sys.executable, "-c", "from planparse.cli import app; app(prog_name='planparse')"]


def cli_command(*args: str | os.PathLike) -> list[str]:
    return CLI + [os.fspath(a) for a in args]


def run_cli(*args: str | os.PathLike, timeout: float = 300, as_user: bool = False) -> subprocess.CompletedProcess:
    """The CLI in a subprocess; ``as_user``: without CAP_DAC_OVERRIDE, so file modes apply even to root."""
    return subprocess.run((AS_USER if as_user else []) + cli_command(*args), capture_output=True, text=True, timeout=timeout)


SETPRIV = shutil.which("setpriv")
AS_USER = [SETPRIV or "setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--"]


def corpus_texts() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path, byte for byte (walked iteratively: a tree 1,100
    levels deep is one of the inputs; symlinked folders are not followed, FIFOs and devices not read)."""
    files, stack = {}, [os.fspath(folder)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                try:
                    if not entry.is_file():
                        continue
                    with open(entry.path, "rb") as fh:
                        files[os.path.relpath(entry.path, folder)] = fh.read()
                except OSError:  # a symlink loop or a dangling link: no file to compare
                    continue
    return dict(sorted(files.items()))


def read_outputs(out: Path) -> dict[str, "pq.Table"]:
    """Every record type of an output folder as one table (its part files concatenated)."""
    from planparse.load import read_record_table, record_files
    from planparse.models import RECORD_TYPES

    return {name: read_record_table(out, name) for name in RECORD_TYPES if record_files(out, name)}
