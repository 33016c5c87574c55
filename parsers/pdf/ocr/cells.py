"""OCR of single table cells: each crop read on its own, numbers by a digits-only model.

Whole-page OCR with chi_sim misreads 9-point table digits ("48" as "4") and glues neighbouring
columns together. Here every cell is cut out of the page (ink found with the page's Otsu threshold,
rule remnants removed), trimmed to its ink, padded and scaled, then read in one tesseract process
per batch (a list file of images: the models load once):

- ``eng --psm 7`` with a whitelist of digits and number punctuation, at two ink heights (20 and 28
  pixels; two more for crops those do not settle),
- ``chi_sim --psm 6`` for the crops that are not settled as numbers (labels), snapped to the
  statutory wording when that is clear (``parsers.pdf.ocr.lexicon``).

A number is accepted only when the readings agree on one clean number that has as many characters
as the crop prints glyphs, on one line (``agreed_number``). A crop that is not a label and not such a
number is reported as unreadable (``UNREADABLE_TEXT``), never as a guessed number.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parsers.pdf.ocr.lexicon import snap_label

NUMBER_CHARS = "0123456789.,-+/"
# What an unreadable number cell reads as: not a number, not a blank, not a label the assembler knows.
UNREADABLE_TEXT = "?"
MIN_NUMBER_CONF = 50.0  # word confidence (0..100) a digits reading needs to count at all
SURE_CONF = 70.0  # ... to stand on its own (without a second scale agreeing)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_THOUSANDS_POINT = re.compile(r"\.\d{3}$")
_CLEAN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[-/]$")


@dataclass(frozen=True, slots=True)
class CellRead:
    text: str  # "" for a blank cell, UNREADABLE_TEXT for a number that cannot be trusted
    conf: float  # 0..100 (100 for a blank: no ink is certain)
    kind: str  # blank | number | label | unreadable
    guess: str = ""  # what tesseract read for an unreadable cell (for notes, never as a value)


def _trim_rules(dark: Any) -> Any:
    """Blank the rows and columns of a crop that are ink almost end to end: what is left of the cell's
    rules (a glyph stroke never spans the whole crop: crops are cut with a margin around the text)."""
    d = dark.copy()
    if d.size == 0:
        return d
    rows = d.mean(axis=1) > 0.9
    cols = d.mean(axis=0) > 0.9
    d[rows, :] = False
    d[:, cols] = False
    return d


def ink_box(dark: Any, min_pixels: int) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the ink in a binarised crop, or None when the crop is blank.

    Specks smaller than ``min_pixels`` in total (scanner dust) count as blank paper.
    """
    import numpy as np

    d = _trim_rules(dark)
    if int(d.sum()) < min_pixels:
        return None
    ys = np.flatnonzero(d.any(axis=1))
    xs = np.flatnonzero(d.any(axis=0))
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def prepare_crop(gray: Any, dark: Any, min_pixels: int, height: int | None = None) -> Any | None:
    """The image tesseract gets for one cell crop (PIL, mode L), or None for a blank cell.

    ``gray``/``dark``: the cell's pixels on the page (inset from its rules) and their ink mask. The
    crop is trimmed to its ink (rule remnants whitened), scaled so the ink is ``height`` pixels tall
    (None: unscaled), and padded with white.
    """
    import numpy as np
    from PIL import Image

    ib = ink_box(dark, min_pixels)
    if ib is None:
        return None
    clean = _trim_rules(dark)
    x0, y0, x1, y1 = ib
    arr = np.array(gray[y0:y1, x0:x1], dtype=np.uint8)
    arr[~clean[y0:y1, x0:x1] & (arr < 128)] = 255  # rule remnants, not ink of the text
    img = Image.fromarray(arr)
    if height is not None:
        f = height / max(1, y1 - y0)
        img = img.resize((max(1, round(img.width * f)), max(1, round(img.height * f))), Image.Resampling.LANCZOS)
    pad = max(10, img.height // 2) if height is not None else 12
    out = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), 255)
    out.paste(img, (pad, pad))
    return out


def ocr_batch(images: Sequence[Any], lang: str, psm: int, timeout: float,
              whitelist: str | None = None) -> list[tuple[str, float]]:
    """Read each image with one tesseract process; per image the text and the lowest word confidence.

    Lines of a multi-line image are joined without a separator (CJK labels wrap anywhere).
    """
    if not images:
        return []
    cmd_cfg = ["-c", f"tessedit_char_whitelist={whitelist}"] if whitelist else []
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="nianbao-ocr-") as d:
        paths = []
        for i, img in enumerate(images):
            p = Path(d) / f"c{i:05d}.png"
            img.save(p)
            paths.append(str(p))
        lst = Path(d) / "list.txt"
        lst.write_text("\n".join(paths) + "\n", encoding="utf-8")
        res = subprocess.run(["tesseract", str(lst), "-", "-l", lang, "--psm", str(psm), *cmd_cfg, "tsv"],
                             capture_output=True, timeout=timeout, env=env)
    if res.returncode != 0:
        raise RuntimeError(res.stderr.decode(errors="replace").strip()[:300])
    return parse_tsv(res.stdout.decode("utf-8", errors="replace"), len(images))


def parse_tsv(tsv: str, n: int) -> list[tuple[str, float]]:
    """Text and lowest word confidence of each page (image) of tesseract's TSV output."""
    lines: list[dict[tuple[int, int, int], list[str]]] = [{} for _ in range(n)]
    confs: list[list[float]] = [[] for _ in range(n)]
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        page = int(f[1]) - 1
        text = f[11].strip()
        if not 0 <= page < n or not text:
            continue
        lines[page].setdefault((int(f[2]), int(f[3]), int(f[4])), []).append(text)
        confs[page].append(float(f[10]))
    out = []
    for i in range(n):
        parts = ["".join(ws) if _CJK.search("".join(ws)) else " ".join(ws) for _, ws in sorted(lines[i].items())]
        out.append(("".join(parts), min(confs[i]) if confs[i] else 0.0))
    return out


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def clean_number(text: str) -> str | None:
    """The number text when ``text`` is exactly one well-formed number (or a dash or "/").

    Not a number: words separated by spaces (two cells' numbers), and a point followed by exactly
    three digits ("8.411"), which OCR makes of the thousands comma of "8,411".
    """
    t = text.strip()
    if " " in t or _THOUSANDS_POINT.search(t):
        return None
    return t if _CLEAN_NUMBER.match(t) else None


def decide(label: tuple[str, float], digits: Sequence[tuple[str, float]], glyphs: int | None) -> CellRead:
    """One cell from its chi_sim reading and its digits-only readings (one per scale).

    A number the digits readings establish (``agreed_number``) wins over a chi_sim reading ("3" read
    as "了"). Otherwise a crop with CJK in its chi_sim reading is a label; the rest is unreadable.
    """
    ltext, lconf = label
    num = agreed_number(digits, glyphs)
    dconf = max((c for t, c in digits if t.strip() == num), default=0.0)
    if num is not None:
        return CellRead(num, dconf, "number")
    if has_cjk(ltext):
        return CellRead(ltext, lconf, "label")
    texts = {t.strip() for t, _ in digits if t.strip()}
    guess = "|".join(sorted(texts)) if texts else ltext
    return CellRead(UNREADABLE_TEXT, min(dconf, lconf), "unreadable", guess=guess)


NUMBER_HEIGHTS = (20, 28)  # ink heights (pixels) of the two digits readings
MAX_GAP = 0.6  # widest gap between the glyphs of one number, in ink heights (measured: up to 0.21)
MAX_GLYPHS = 16  # "-1,234,567.89" has 13
RETRY_HEIGHTS = (24, 36)  # ... and of two more for the crops those do not settle ("117" read as "17")


def _runs(flags: Any) -> list[tuple[int, int]]:
    """(start, end-exclusive) of the runs of True in a 1-D array."""
    import numpy as np

    f = np.concatenate([[0], flags.astype(np.int8), [0]])
    d = np.diff(f)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def ink_glyphs(dark: Any, min_pixels: int, open_edges: bool = False) -> int | None:
    """How many glyphs a one-line crop prints: runs of inked columns (digits of a printed number never
    touch at table sizes; a comma or a point is a glyph of its own). None when the crop is blank or
    prints more than one line (a wrapped label such as "自然" over "人" is never a number) or a gap
    wider than ``MAX_GAP`` × the ink height between two glyphs (two numbers side by side). Lines are
    bands of inked rows at least 60% as tall as the tallest: the flag of a "5" cut off from its
    bowl in a coarse scan is not a line of its own. ``open_edges``: the crop is not bounded by rules
    (a borderless cell), so ink touching its edge means it cuts through a neighbour: None.
    """
    ib = ink_box(dark, min_pixels)
    if ib is None:
        return None
    x0, y0, x1, y1 = ib
    if open_edges and (x0 == 0 or y0 == 0 or x1 >= dark.shape[1] or y1 >= dark.shape[0]):
        return None  # a crop without rules around it that cuts through ink: part of something else
    ink = _trim_rules(dark)[y0:y1, x0:x1]
    bands = [b - a for a, b in _runs(ink.any(axis=1))]
    if sum(1 for h in bands if h >= 0.6 * max(bands)) != 1:
        return None
    cols = _runs(ink.any(axis=0))
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(cols)]
    if any(g > MAX_GAP * (y1 - y0) for g in gaps):
        return None  # two numbers side by side (a rule the grid missed), not one
    return len(cols)


def agreed_number(digits: Sequence[tuple[str, float]], glyphs: int | None) -> str | None:
    """The number the digits readings of one crop (one per scale) establish, or None.

    A reading is a candidate when it is a clean number read with confidence >= ``MIN_NUMBER_CONF``
    and has as many characters as the crop prints glyphs (tesseract's typical misreading drops a
    "1": "117" as "7"). Exactly one candidate, read at two scales or once with ``SURE_CONF``, is the
    number; two different candidates are a conflict. When glyphs touch (no candidate has the
    count), every reading must be the same clean number, longer than the glyph count, with
    ``SURE_CONF``.
    """
    if glyphs is None:
        return None
    cands: dict[str, list[float]] = {}
    for text, conf in digits:
        t = text.strip()
        if conf >= MIN_NUMBER_CONF and clean_number(t) is not None and len(t) == glyphs:
            cands.setdefault(t, []).append(conf)
    if len(cands) == 1:
        ((t, confs),) = cands.items()
        return t if len(confs) >= 2 or max(confs) >= SURE_CONF else None
    if cands or not digits:
        return None
    texts = {t.strip() for t, _ in digits}
    t = next(iter(texts))
    if len(texts) == 1 and len(t) > glyphs and min(c for _, c in digits) >= SURE_CONF:
        return clean_number(t)  # more characters than ink runs: glyphs touch; never fewer (a dropped "1")
    return None


def read_crops(crops: Sequence[tuple[Any, Any]], scale: float, timeout: float, pool: Any = None,
               label_lang: str = "chi_sim", open_edges: bool = False) -> list[CellRead]:
    """Read cell crops: (gray, ink mask) pixel arrays of each cell, inset from its rules.

    Every inked crop is read by the digits model at two scales; one-line crops those do not settle are
    read at two more (``agreed_number`` over all readings) and, side by side, by chi_sim (labels,
    and numbers to be reported unreadable). ``scale``: pixels per point of the page image; ``pool``:
    an executor on which the batches run side by side; ``label_lang``: tesseract language of labels;
    ``open_edges``: crops not bounded by rules (see ``ink_glyphs``).
    """

    min_pixels = max(4, int((0.8 * scale) ** 2))  # about a 0.8-point square of ink
    inked = [i for i, (g, d) in enumerate(crops) if ink_box(d, min_pixels) is not None]

    def run(jobs: list[tuple[Any, ...]]) -> list[list[tuple[str, float]]]:
        if pool is not None:
            return [f.result() for f in [pool.submit(ocr_batch, *j) for j in jobs]]
        return [ocr_batch(*j) for j in jobs]

    def digits_jobs(ks: list[int], heights: tuple[int, ...]) -> list[tuple[Any, ...]]:
        return [([prepare_crop(crops[inked[k]][0], crops[inked[k]][1], min_pixels, h) for k in ks], "eng", 7,
                 timeout, NUMBER_CHARS) for h in heights]

    out = [CellRead("", 100.0, "blank")] * len(crops)
    glyphs = {i: ink_glyphs(crops[i][1], min_pixels, open_edges) for i in inked}
    reads: dict[int, list[tuple[str, float]]] = {k: [] for k in range(len(inked))}

    def settle(ks: list[int]) -> list[int]:
        """Crops of ``ks`` whose readings so far establish no number."""
        left = []
        for k in ks:
            num = agreed_number(reads[k], glyphs[inked[k]])
            if num is not None:
                out[inked[k]] = CellRead(num, max(c for t, c in reads[k] if t.strip() == num), "number")
            else:
                left.append(k)
        return left

    # a crop of several lines or of more glyphs than any table number has is a label: chi_sim only
    first = [k for k in range(len(inked)) if (glyphs[inked[k]] or MAX_GLYPHS + 1) <= MAX_GLYPHS]
    if first:
        for d in run(digits_jobs(first, NUMBER_HEIGHTS)):
            for k, r in zip(first, d, strict=True):
                reads[k].append(r)
    rest = sorted({*settle(first), *(k for k in range(len(inked)) if k not in set(first))})
    # Second round, side by side: two more scales for one-line crops some scale read as a number, and
    # chi_sim for every crop not settled (a label, or a number that may stay unreadable).
    retry = [k for k in rest if glyphs[inked[k]] is not None and any(clean_number(t) for t, _ in reads[k])]
    jobs = digits_jobs(retry, RETRY_HEIGHTS) if retry else []
    jobs.append(([prepare_crop(crops[inked[k]][0], crops[inked[k]][1], min_pixels) for k in rest], label_lang, 6,
                 timeout))
    results = run(jobs) if rest else [[]]
    for d in results[:-1]:
        for k, r in zip(retry, d, strict=True):
            reads[k].append(r)
    settle(retry)
    for k, lab in zip(rest, results[-1], strict=True):
        if out[inked[k]].kind != "blank":
            continue  # settled as a number by the retry
        r = decide(lab, reads[k], glyphs[inked[k]])
        out[inked[k]] = CellRead(snap_label(r.text), r.conf, r.kind) if r.kind == "label" else r
    return out
