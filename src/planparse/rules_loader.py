"""Read rule files (YAML data in rules/) shipped with the package."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Iterable

import regex
import yaml


def rules_dir() -> Path:
    return Path(str(files("planparse") / "rules"))


@lru_cache(maxsize=None)
def load_rules(name: str):
    """The parsed content of ``rules/<name>.yaml``."""
    path = rules_dir() / f"{name}.yaml"
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal rule words, longest first so the longest reading wins."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))
