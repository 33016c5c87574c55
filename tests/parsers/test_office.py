"""Legacy Word (.doc) and RTF reports are converted with LibreOffice, then read like DOCX."""

from __future__ import annotations

import pytest

from parsers import ParseError, parse_bytes, sniff
from parsers.office import convert, soffice
from testkit.render import render_docx
from testkit.synth import make_report
from tests.parsers.roundtrip import compare

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice missing: `make sysdeps` installs it")


@pytest.mark.parametrize("target,kind", [("doc:MS Word 97", "doc"), ("rtf", "rtf")])
def test_legacy_word_round_trip(target: str, kind: str) -> None:
    rep = make_report(77, "2021")
    legacy = convert(render_docx(rep, "docx"), ".docx", target)
    assert sniff(legacy) == kind
    (got,) = parse_bytes(legacy, f"report.{kind}")
    score = compare(rep, got)
    assert score.mismatches == [] and score.cells > 100
    assert (got.year, got.body, got.format) == (rep.year, rep.body, rep.format)


def test_damaged_doc_is_a_clear_error() -> None:
    with pytest.raises(ParseError) as ei:
        parse_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old/report.doc")
    assert "old/report.doc" in str(ei.value)
