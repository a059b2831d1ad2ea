"""The Ray Data engine (``planparse extract --engine ray``, the optional extra ``planparse[ray]``).

The shape that works on Ray 2.60 (see the README's "Scaling out"):

* the driver lists the sources (local paths, or ``s3://`` / ``hdfs://`` / ``file://`` URIs through
  pyarrow.fs: :func:`planparse.runner.list_sources`) and cuts the sorted list into shards, exactly as the local runner does;
* the shards go in through ``ray.data.from_items`` (one block each), so no read task competes with
  the actors for CPUs (``read_binary_files`` with an actor pool holding every CPU hangs);
* ``.map(ShardExtractor, compute=ActorPoolStrategy(...), num_cpus=1)``: each actor loads rules and
  models once, runs :func:`planparse.runner.extract_shard` (the local runner's per-shard function)
  and writes its shard's part files itself, so no record passes through the object store or the
  driver (``map_batches -> write_parquet`` would hold every result there, in a varying order);
* actors killed mid-run are restarted and their shard retried: a shard's part files are written to
  temporary names and renamed, so a retry overwrites, never duplicates;
* the driver checks that every shard reported, then commits the folder.

The work folder (beside ``--out``) must be reachable at the same path from every node: a local
cluster, or ``--out`` on a shared filesystem.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable


INSTALL_HINT = "the Ray engine needs the ray extra: pip install 'planparse[ray]'"


class RayUnavailable(RuntimeError):
    """Ray is not installed (``--engine ray`` is then a usage error)."""


def require_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise RayUnavailable(f"{INSTALL_HINT} ({exc})") from None
    return ray


class ShardExtractor:
    """A Ray Data actor: rules and models loaded once, then one shard per call."""

    def __init__(self):
        from planparse.runner import warm_up_worker

        warm_up_worker()

    def __call__(self, row: dict) -> dict:
        from planparse.runner import extract_shard

        items, work, max_bytes = pickle.loads(row["payload"])
        report = extract_shard(int(row["shard"]), items, work, max_bytes)
        return {"shard": row["shard"], "report": pickle.dumps(report)}


def run_shards(
    shards: list[tuple[int, list]],
    work: str,
    max_bytes: int,
    done: Callable,
    address: str | None = None,
    workers: int | None = None,
) -> None:
    """Run every shard on Ray and call ``done(ShardReport)`` in the driver as each one reports.

    Uses the running Ray session if there is one (a library caller's cluster); otherwise connects to
    ``address`` (``"auto"``, ``"HOST:PORT"`` or ``"ray://…"``), or starts a local one when None.
    """
    ray = require_ray()
    started = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
        started = True
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        size = max(1, min(workers or cpus, cpus, len(shards)))
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.verbose_stats_logs = False
        rows = [{"shard": k, "payload": pickle.dumps((items, work, max_bytes))} for k, items in shards]
        ds = ray.data.from_items(rows, override_num_blocks=len(rows))
        ds = ds.map(
            ShardExtractor,
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=size),
            num_cpus=1,
        )  # Ray Data restarts a killed actor and retries its shard (max_restarts=-1 by default)
        for row in ds.iter_rows():
            done(pickle.loads(row["report"]))
    finally:
        if started:
            ray.shutdown()
