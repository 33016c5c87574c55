"""Prose claims and itemised totals (parsers/prose.py): what is read, and what is deliberately not."""

from __future__ import annotations

import pytest

from parsers.model import Report, Section
from parsers.prose import cn_number, prose_claims, prose_sums


def report(text: str, year: int = 2023) -> Report:
    r = Report(source="t.txt", body="某县人民政府办公室", year=year)
    r.sections = [Section("overview", 1, "总体情况", text)]
    return r


@pytest.mark.parametrize("text, value", [("一百二十三", 123), ("十五", 15), ("二十", 20), ("两千零五", 2005),
                                         ("三万四千", 34000), ("〇", 0), ("123", 123), ("甲", None)])
def test_chinese_numerals(text, value):
    assert cn_number(text) == value


def claims(text: str, year: int = 2023) -> dict[str, int]:
    return {c.key: c.value for c in prose_claims(report(text, year))}


def test_claims_about_the_tables():
    got = claims("2023年，本机关共收到政府信息公开申请二十件，办结18件，结转下年度继续办理2件。"
                 "其中予以公开7件，无法提供2件。全年未发生因政府信息公开引发的行政复议和行政诉讼。")
    assert got == {"t3.NEW.TOT": 20, "t3.R_TOTAL.TOT": 18, "t3.FWD.TOT": 2, "t3.R_OPEN.TOT": 7,
                   "t3.R_UNABLE": 2, "t4.REV_TOTAL": 0, "t4.LIT": 0}
    assert claims("全年共受理政府信息公开申请12件（含上年结转2件）。") == {"t3.NEW+CARRY": 12}


@pytest.mark.parametrize("text", [
    "2022年共收到政府信息公开申请16件。",  # a sentence about another year
    "收到申请数较上年增加5件。",  # a comparison
    "共收到政府信息公开申请20余件。",  # approximate
    "约收到政府信息公开申请20件。",
    "各乡镇共收到政府信息公开申请30件。",  # sub-units
    "予以公开及部分公开15件。",  # two categories together
    "共涉及申请接受、登记、做出答复、送达等9个环节。",  # not a count of requests
    "2018年底无政府信息公开申请行政复议、提起行政诉讼的情况。",  # no review: yes; no requests: no
])
def test_not_claims(text):
    got = claims(text, 2023 if "2018" not in text else 2018)
    assert "t3.NEW.TOT" not in got and "t3.R_OPEN.TOT" not in got and "t3.R_TOTAL.TOT" not in got


def test_a_number_stated_twice_differently_is_not_used():
    assert "t3.NEW.TOT" not in claims("共收到政府信息公开申请20件。全年收到政府信息公开申请21件。")


def sums(text: str) -> list[tuple[int, list[int], str]]:
    return [(s.total, [v for v, _ in s.parts], s.verdict) for s in prose_sums(report(text))]


def test_itemised_totals():
    # lower bounds that exceed, and a nested exact itemisation that falls short (seed 003's shape)
    assert sums("主动公开政府信息646条，其中，微信发布信息550余条，平台发布信息130条，其中机构职能类4条，"
                "政策法规类14条、规划计划类2条、行政权力类28条、重点领域68条、新闻发布3条、应急管理3条、其他3条。") == [
        (646, [550, 130], "over"), (130, [4, 14, 2, 28, 68, 3, 3, 3], "under")]
    # the itemisation in the next sentence (seed 001's shape), and a consistent one
    assert sums("2023年共主动公开政府信息200条。在各类公开的信息中，动态30条，政策50条，公告5条，宣传80条，其他100余条。"
                "共受理咨询400人次，其中：电话50人次，现场150人次，微信200人次。") == [
        (200, [30, 50, 5, 80, 100], "over"), (400, [50, 150, 200], "ok")]
    # a partial list (主要包括) may fall short; two exact parts short of the total are not complete
    assert sums("共主动公开政府信息497条，主要包括动态94条、会议107条、文件24条、解读39条。") == [
        (497, [94, 107, 24, 39], "ok")]
    assert sums("共收到申请20件，其中网上申请10件，信函3件。") == [(20, [10, 3], "ok")]
    # a share in the sentence: not read
    assert sums("共公开信息100条，其中网站60条，占60%，微信30条，新媒体20条。") == []
