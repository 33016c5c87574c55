"""Text as pdftotext makes it from a real PDF (how many crawled reports arrive): -layout output parses
cell-exact; the plain reading-order output, which interleaves columns, must never yield wrong numbers."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from parsers import parse_bytes
from parsers.layout import T3_COLS
from tests.parsers.test_pdf_real import PDF, T2, T3, T4, T4_OUT


def _pdftotext(*flags: str) -> bytes:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail("pdftotext missing: `make sysdeps` installs poppler-utils")
    return subprocess.run([exe, *flags, str(PDF), "-"], capture_output=True, check=True, timeout=60).stdout


def test_layout_text_every_cell() -> None:
    (rep,) = parse_bytes(_pdftotext("-layout"), "hongze.layout.txt")
    assert (rep.year, rep.format) == (2024, "2021")
    for key, want in T3.items():
        row = rep.table3.rows[key]
        assert tuple(row.cells[c].value for c in T3_COLS) == want, key
    for g, want in T4.items():
        assert tuple(rep.table4.cells[f"{g}_{o}"].value for o in T4_OUT) == want
    for (r, c), want in T2.items():
        assert rep.table2.rows[r][c].value == want
    assert not rep.notes


def test_reading_order_text_never_invents_numbers() -> None:
    (rep,) = parse_bytes(_pdftotext(), "hongze.raw.txt")
    for key, row in rep.table3.rows.items():
        if row.cells:  # whatever was read completely must be right
            assert tuple(row.cells[c].value for c in T3_COLS) == T3[key], key
        else:
            assert row.incomplete or row.ambiguous
