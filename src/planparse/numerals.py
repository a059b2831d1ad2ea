"""Numbers written in Arabic or Chinese numerals, converted only where a caller matched them."""

from __future__ import annotations

import cn2an


def cn_int(digits: str) -> int:
    """An integer written in Arabic or Chinese numerals ("2025", "二〇二五", "十二", "两")."""
    digits = digits.replace(" ", "")
    if digits.isdigit():
        return int(digits)
    return int(cn2an.cn2an(digits.replace("两", "二"), "smart"))
