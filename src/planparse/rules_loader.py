"""Read rule files (YAML data in rules/): the set shipped with the package, or a user's copy.

A user's copy is a folder of ``<name>.yaml`` files (``planparse --rules DIR`` on the command line,
``PLANPARSE_RULES=DIR`` in the environment, ``use_rules(DIR)`` from Python). Files it lacks are read
from the package, so the folder may hold only the files changed. Each file is validated on load
against the shape of the shipped file of the same name: the same top-level keys, values of the same
kind (list, mapping, text, number), list items and mapping values shaped like the shipped ones, and
patterns that compile. A problem raises ``RulesError`` naming the file and the key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Callable, Iterable

import regex
import yaml

ENV_VAR = "PLANPARSE_RULES"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: faster start-up
EXAMPLES_SUFFIX = ".examples.yaml"  # examples run as tests; never rule data
# A shipped string with one of these is a pattern: the user's counterpart must compile.
_PATTERN_SYNTAX = regex.compile(r"\\[dspPwWbBnt]|\(\?|\[[^\]]+\]|[*+?|]")


class RulesError(ValueError):
    """A rule file that is missing, unreadable or shaped unlike the shipped one (the message names file and key)."""


def rules_dir() -> Path:
    """The rules shipped with planparse."""
    return Path(str(files("planparse") / "rules"))


def selected_rules_dir() -> Path | None:
    """The user's rules folder in force (``PLANPARSE_RULES``), or None for the shipped rules."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser().resolve() if value else None


@dataclass(frozen=True)
class RuleSet:
    """Every rule file, parsed and validated once: ``rules["agencies"]`` is the parsed agencies.yaml."""

    folder: Path | None  # None: the shipped rules
    data: dict

    def __getitem__(self, name: str):
        try:
            return self.data[name]
        except KeyError:
            raise RulesError(f"no rule file {name}.yaml (known: {', '.join(sorted(self.data))})") from None

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "RuleSet":
        shipped = {name: _read(path) for name, path in _rule_files(rules_dir()).items()}
        if folder is None:
            return cls(None, shipped)
        folder = Path(folder)
        if not folder.is_dir():
            raise RulesError(f"{folder}: rules folder does not exist or is not a folder")
        data = dict(shipped)
        for name, path in _rule_files(folder).items():
            if name not in shipped:
                raise RulesError(f"{path}: not a planparse rule file (known: {', '.join(f'{n}.yaml' for n in sorted(shipped))})")
            user = _read(path)
            _check_file(path, user, shipped[name])
            data[name] = user
        return cls(folder, data)


def _rule_files(folder: Path) -> dict[str, Path]:
    return {p.name[: -len(".yaml")]: p for p in sorted(folder.glob("*.yaml")) if not p.name.endswith(EXAMPLES_SUFFIX)}


def _read(path: Path):
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "empty" if value is None else type(value).__name__


def _check_file(path: Path, user, shipped) -> None:
    if not isinstance(user, dict):
        raise RulesError(f"{path}: expected a mapping of rule keys, got {_kind(user)}")
    for key in shipped:
        if key not in user:
            raise RulesError(f"{path}: key {key!r} is missing (copy it from the shipped {path.name})")
    for key in user:
        if key not in shipped:
            raise RulesError(f"{path}: key {key!r} is not a rule key of {path.name} (known: {', '.join(map(str, shipped))})")
        _check_value(path, str(key), user[key], shipped[key])


def _check_value(path: Path, where: str, user, shipped) -> None:
    """``user`` must be shaped like ``shipped``: the same kind; items of lists and values of mappings
    shaped like one of the shipped ones; mapping keys the shipped one has are kept."""
    if shipped is None:
        return
    if _kind(user) != _kind(shipped):
        raise RulesError(f"{path}: key {where!r}: expected {_kind(shipped)}, got {_kind(user)}")
    if isinstance(shipped, str):
        if _PATTERN_SYNTAX.search(shipped) and _compiles(shipped):
            try:
                regex.compile(user)
            except regex.error as exc:
                raise RulesError(f"{path}: key {where!r}: pattern {user!r} does not compile: {exc}") from None
    elif isinstance(shipped, list):
        for i, item in enumerate(user):
            _check_like_one(path, f"{where}[{i}]", item, shipped)
    elif isinstance(shipped, dict):
        for key, value in user.items():
            if key in shipped:
                _check_value(path, f"{where}.{key}", value, shipped[key])
            else:  # a new entry (an alias, a keyword group): shaped like the shipped entries
                _check_like_one(path, f"{where}.{key}", value, list(shipped.values()))


def _check_like_one(path: Path, where: str, user, examples: list) -> None:
    if not examples:
        return
    failures = []
    for example in _distinct_shapes(examples):
        try:
            _check_value(path, where, user, example)
            return
        except RulesError as exc:
            failures.append(exc)
    raise failures[0]


def _distinct_shapes(values: list) -> list:
    """One value per kind (and per key set for mappings), so long lists are not compared item by item."""
    seen, kept = set(), []
    for value in values:
        key = (_kind(value), tuple(sorted(map(str, value))) if isinstance(value, dict) else None)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _compiles(pattern: str) -> bool:
    try:
        regex.compile(pattern)
        return True
    except regex.error:
        return False


@lru_cache(maxsize=None)
def _ruleset(folder: Path | None) -> RuleSet:
    return RuleSet.load(folder)


def active_rules() -> RuleSet:
    """The rule set in force, loaded and validated once per process."""
    return _ruleset(selected_rules_dir())


def load_rules(name: str):
    """The parsed content of ``<name>.yaml`` from the rule set in force (``<rule>.examples`` names an
    examples file: the user's copy when the rules folder has one, else the shipped one)."""
    if name.endswith(EXAMPLES_SUFFIX[: -len(".yaml")]):
        return _examples(selected_rules_dir(), name)
    return active_rules()[name]


@lru_cache(maxsize=None)
def _examples(folder: Path | None, name: str):
    user = folder / f"{name}.yaml" if folder is not None else None
    return _read(user if user is not None and user.is_file() else rules_dir() / f"{name}.yaml")


def use_rules(folder: str | os.PathLike | None) -> RuleSet:
    """Select a user's rules folder (None: the shipped rules) for this process and its workers.

    Validates it first (``RulesError`` on a problem, leaving the selection unchanged), then clears the
    compiled-rule caches of planparse's modules so every stage reads the new set.
    """
    resolved = Path(folder).expanduser().resolve() if folder is not None else None
    ruleset = _ruleset(resolved)
    if resolved is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = str(resolved)
    _clear_rule_caches()
    return ruleset


def _clear_rule_caches() -> None:
    # Stages compile their rules once into module-level lru_caches; drop them all (not the rule sets).
    for name, module in list(sys.modules.items()):
        if not name.startswith("planparse") or module is None or name == __name__:
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()


def alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal rule words, longest first so the longest reading wins."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))


def word_tree(words: Iterable[str], heads: bool = False) -> str:
    """The alternation of ``words`` written as a prefix tree (国(?:务院|家(?:统计局|…))): the same
    matches as alternation() in a forward search (at a position the longest word first, shorter ones on
    backtracking, since the words that match there are prefixes of one another), but the engine reads
    each character once instead of trying every word. Not for REVERSE patterns: the order differs there.

    With ``heads``, a class of the words' first characters is tested first: after a lazy repeat
    (…{1,20}?) the engine tries the words after each character, and one class test fails fast where
    the tree tries its branches in turn (a search's own scan gains nothing from it)."""
    words = set(words)
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def branch(node: dict) -> str:
        alts = "|".join(regex.escape(ch) + branch(child) for ch, child in node.items() if ch)
        if not alts:
            return ""
        if "" in node:  # a word may end here: the longer words first (greedy)
            return f"(?:{alts})?"
        return f"(?:{alts})" if len(node) > 1 else alts

    tree = branch(root)
    if heads and tree:
        return f"(?=[{regex.escape(''.join(sorted({w[0] for w in words if w})))}])(?:{tree})"
    return tree


# Syntax that needs what comes before a match's start (positive lookbehind, word boundaries). A
# negative lookbehind is no bar: with nothing before the character it only passes more often.
_LOOKS_BEHIND = regex.compile(r"\(\?<=|\\[bBmM]")


def opening_test(pattern: regex.Pattern) -> Callable[[str], bool]:
    """A test of one character: False when no match of ``pattern`` can start with it, so a caller may
    skip the match (most lines open with no label, most numbers have no unit: a cached lookup instead
    of a regex call). The regex itself is asked, once per character, by partial matching. A pattern
    that needs what comes before its start gets a test that never skips, since the character is
    tried on its own."""
    if _LOOKS_BEHIND.search(pattern.pattern):
        return lambda char: True

    @lru_cache(maxsize=4096)  # keyed on one character: bounded by the alphabet a corpus uses
    def opens(char: str) -> bool:
        return pattern.match(char, partial=True) is not None

    return opens
