"""A run killed at any moment (SIGINT, SIGKILL) leaves the previous outputs intact and loadable.

Real subprocesses of the CLI are killed during start-up, processing and writing; the next complete run
removes whatever work folders a SIGKILL left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from planparse.ingest import decode_bytes
from robust_helpers import cli_command, corpus_texts, read_outputs, run_cli, snapshot

COPIES = 12  # ~100 documents: a couple of seconds of processing and a noticeable write


def _work_folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("kill")
    small, big = base / "small", base / "big"
    small.mkdir()
    big.mkdir()
    texts = {decode_bytes(p.read_bytes())[0]: p.stem for p in corpus_texts()}  # one per distinct text
    for i, (text, stem) in enumerate(sorted(texts.items(), key=lambda kv: kv[1])):
        if i < 2:
            (small / f"{stem}.txt").write_text(text, encoding="utf-8")
        for k in range(COPIES):
            (big / f"{stem}_copy{k:02d}.txt").write_text(f"{text}\n（副本 {k}）\n", encoding="utf-8")
    out = base / "out" / "outputs"
    out.parent.mkdir()
    assert run_cli("extract", small, "--out", out, "--workers", "2").returncode == 0
    reference = base / "reference"
    started = time.perf_counter()
    assert run_cli("extract", big, "--out", reference, "--workers", "2").returncode == 0
    duration = time.perf_counter() - started
    return big, out, reference, duration


def _start(big: Path, out: Path) -> subprocess.Popen:
    # A session of its own: signals go to the run and its workers, as Ctrl-C in a terminal does.
    return subprocess.Popen(
        cli_command("extract", big, "--out", out, "--workers", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_writing(proc: subprocess.Popen, out: Path, limit: float) -> bool:
    """Poll until the run has begun writing its work folder (False if it ended first)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        # Its own folder (named with its pid), not one a killed run left behind.
        if any(name.startswith(f".{out.name}.tmp-{proc.pid}-") for name in _work_folders(out)):
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize(
    "sig, moment",
    [
        (signal.SIGKILL, 0.3),  # start-up: imports, rule and model loading
        (signal.SIGINT, 0.6),  # documents being processed in the workers
        (signal.SIGKILL, "writing"),
        (signal.SIGINT, "writing"),
    ],
    ids=["kill-startup", "int-processing", "kill-writing", "int-writing"],
)
def test_killed_run_leaves_previous_outputs(setup, sig, moment):
    big, out, reference, duration = setup
    before = snapshot(out)
    proc = _start(big, out)
    try:
        if moment == "writing":
            if not _wait_for_writing(proc, out, limit=3 * duration):
                pytest.skip("the run finished writing before it could be interrupted")
        else:
            time.sleep(moment * duration)
        assert proc.poll() is None, "the run ended before the signal"
        os.killpg(proc.pid, sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    committed = snapshot(out) != before
    if committed:
        # The signal came after the new set was committed (the run went faster than the timed
        # reference run): then it is the complete new set, never a mix.
        new, expected = read_outputs(out), read_outputs(reference)
        assert new.keys() == expected.keys() and all(new[k].equals(expected[k]) for k in new)
    parts = list(out.glob("*/part-*.parquet"))
    assert parts
    for path in parts:
        pq.read_table(path)  # still loadable
    if sig == signal.SIGINT:
        assert proc.returncode in ((0, 1, 130) if committed else (1, 130)), stderr
        assert "Traceback" not in stderr
        assert not [name for name in _work_folders(out) if f"-{proc.pid}-" in name]  # it cleaned up after itself


def test_next_run_cleans_up_after_sigkill(setup):
    big, out, reference, _ = setup
    proc = _start(big, out)
    assert _wait_for_writing(proc, out, limit=120) or pytest.skip("the run finished before it could be killed")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = run_cli("extract", big, "--out", out, "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert _work_folders(out) == []
    new, expected = read_outputs(out), read_outputs(reference)
    assert new.keys() == expected.keys()
    for name in expected:
        assert new[name].equals(expected[name]), name
