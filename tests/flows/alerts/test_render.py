"""Digest text: untrusted report text cannot inject markup into HTML mail or robot markdown."""

from __future__ import annotations

from flows.alerts.items import ERRORS, Item, ReportItems
from flows.alerts.owners import Owner
from flows.alerts.render import Digest, md, render


def digest(body: str, lang: str = "zh") -> Digest:
    f = {"id": "x", "rule": "T3-BAL", "message_zh": f"{body} 表三 1 ≠ 2", "message_en": f"{body} table 3: 1 ≠ 2",
         "read": "exact", "cells": [], "expected": 2, "actual": 1, "likely": None}
    ri = ReportItems("a.html", "e", "a.html#0", 0, body, 2023, None, "failed", "p.html", [Item(ERRORS, "k", f)])
    return Digest(Owner(body="某局", emails=("a@b.cn",), lang=lang), "r1", [ri], {"k"}, links={"a.html#0": "http://d/p.html"})


def test_untrusted_text_is_escaped_in_html_and_neutralised_in_markdown():
    evil = '<script>alert(1)</script>[点我](http://evil.example) **粗** @all'
    m = render(digest(evil))
    assert "<script>" not in m.html and "&lt;script&gt;" in m.html
    assert "](http://evil.example)" not in m.markdown and "<script>" not in m.markdown
    assert "@all" not in m.markdown and "**粗**" not in m.markdown
    assert "[查看逐单元格详情](http://d/p.html)" in m.markdown  # our own link stays a link
    assert m.markdown == "".join(m.sections) + md("本邮件由 nianbao-audit 自动生成。如认为某项为误报，请回复说明，核查人员复核后将不再提示。")


def test_english_digest():
    m = render(digest("Test Bureau", "en"))
    assert m.subject == "[Annual report audit] 某局: 1 errors"
    assert "Errors (numbers read exactly" in m.text and "Details, cell by cell: http://d/p.html" in m.text
