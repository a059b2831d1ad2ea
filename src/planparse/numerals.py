"""Numbers written in Arabic or Chinese numerals, converted only where a caller matched them."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)  # callers pass matched numerals, short and repeated (cn2an takes ~13 us a call)
def cn_int(digits: str) -> int:
    """An integer written in Arabic or Chinese numerals ("2025", "二〇二五", "十二", "两")."""
    digits = digits.replace(" ", "")
    if digits.isdigit():
        return int(digits)
    import cn2an  # imported on first use: 0.14 s of start-up a text without Chinese numerals never needs

    return int(cn2an.cn2an(digits.replace("两", "二"), "smart"))
