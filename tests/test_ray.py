"""The Ray Data engine on a local cluster: the same outputs as the local runner, row for row, also
when an actor is SIGKILLed mid-run; without Ray, ``--engine ray`` is a usage error with the hint.

Ray's failure mode is a hang, so every test here has a timeout (pytest-timeout).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from planparse.ingest import decode_bytes
from planparse.runner import extract_to_folder
from robust_helpers import CLI, corpus_texts, read_outputs

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="session")
def ray_cluster():
    ray = pytest.importorskip("ray")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()  # never `ray stop`: it kills every Ray process on the machine


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Distinct corpus texts with small edits, a duplicate in another shard and a bad file."""
    folder = tmp_path_factory.mktemp("ray-in")
    texts = sorted({decode_bytes(p.read_bytes())[0]: p.stem for p in corpus_texts()}.items(), key=lambda kv: kv[1])
    for k in range(16):
        text, stem = texts[k % len(texts)]
        (folder / f"{k:02d}_{stem}.txt").write_text(f"{text}\n（副本 {k}）\n", encoding="utf-8")
    (folder / "99_dup.txt").write_text(f"{texts[0][0]}\n（副本 0）\n", encoding="utf-8")
    (folder / "50_empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def local_outputs(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    extract_to_folder([inputs], out, workers=1, shard_size=3)
    return read_outputs(out)


def _same(out: Path, expected: dict) -> None:
    got = read_outputs(out)
    assert got.keys() == expected.keys()
    for name, table in expected.items():
        assert got[name].num_rows == table.num_rows, name
        assert got[name].equals(table), name


def test_ray_outputs_equal_local_outputs(ray_cluster, inputs, local_outputs, tmp_path):
    out = tmp_path / "out"
    batch = extract_to_folder([inputs], out, engine="ray", shard_size=3)
    _same(out, local_outputs)
    assert [e.error_type for e in batch.errors] == ["empty"]
    assert [n.source_path for n in batch.skipped if n.kind == "duplicate"] == [str(inputs / "99_dup.txt")]
    assert local_outputs["documents"].num_rows == 16


def test_file_uri_sources(ray_cluster, inputs, local_outputs, tmp_path):
    out = tmp_path / "out"
    extract_to_folder([inputs.as_uri()], out, engine="ray", shard_size=4)
    got = read_outputs(out)
    # Same records; source paths are the URIs.
    assert got["targets"].equals(local_outputs["targets"])
    assert got["documents"]["source_path"].to_pylist()[0].startswith("file://")


def _actor_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ShardExtractor" in cmdline:
                pids.append(int(entry.name))
    return pids


def test_sigkill_of_one_actor_mid_run_gives_complete_identical_outputs(ray_cluster, inputs, local_outputs, tmp_path):
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one_actor_mid_run() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not killed:
            parts = list(tmp_path.glob(f".{out.name}.tmp-*/documents/part-*.parquet"))
            pids = _actor_pids()
            if parts and pids:  # at least one shard done, more to come (shard_size=1: 18 shards)
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_actor_mid_run, daemon=True)
    killer.start()
    extract_to_folder([inputs], out, engine="ray", shard_size=1)
    killer.join(timeout=5)
    assert killed, "no actor was killed: the run ended first or the actors were not found"
    _same(out, local_outputs)
    assert not list(tmp_path.glob(f".{out.name}.*"))  # the work folder was committed


def test_engine_ray_without_the_extra_exits_2_with_the_hint(inputs, tmp_path):
    # A Python that cannot import ray (None in sys.modules makes `import ray` raise ImportError).
    code = "import sys; sys.modules['ray'] = None; " + CLI[-1]
    result = subprocess.run(
        [sys.executable, "-c", code, "extract", str(inputs), "--out", str(tmp_path / "out"), "--engine", "ray"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "pip install 'planparse[ray]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
