"""Body names compared across files, years and registries: one normal form.

东阿县人民政府办公室 = 东阿县政府办公室 = 東阿縣政府辦公室 = "东阿县 政府办公室": NFKC (full-width →
ASCII), traditional → simplified, no whitespace or punctuation, 人民 dropped, lower case.
"""

from __future__ import annotations

import re
import unicodedata

from parsers.lines import to_simplified

_DROP = re.compile(r"[\s\u3000·•()（）\[\]【】「」《》\"'“”‘’,，.。、:：;；-]+")


def normalise(name: str | None) -> str:
    if not name:
        return ""
    t = to_simplified(unicodedata.normalize("NFKC", name))
    return _DROP.sub("", t).replace("人民", "").lower()
