"""The format-independent assembly: titles, years, bodies, sections, splitting, format decision."""

from __future__ import annotations

from parsers.assemble import decide_format, find_sections, find_title, infer_year, split_reports
from parsers.lines import Fragment, Line, normalize_text
from parsers.model import Provenance


def _lines(*texts: str) -> list[Line]:
    return [Line((Fragment(normalize_text(t), t, Provenance("text", line=i + 1)),)) for i, t in enumerate(texts)]


def test_title_split_over_two_lines_with_spaces() -> None:
    title, year, body = find_title(_lines("字号:", "东阿县政府办公室2021年政府信息公开工作", "年 度 报 告", "一、总体情况"))
    assert (year, body) == (2021, "东阿县政府办公室")
    assert title == "东阿县政府办公室2021年政府信息公开工作年度报告"


def test_title_with_body_on_the_line_before_and_site_chrome() -> None:
    _, year, body = find_title(_lines("大 中 小东阿县人民政府办公室", "2022年政府信息公开工作年度报告", "一、总体情况"))
    assert (year, body) == (2022, "东阿县人民政府办公室")


def test_breadcrumb_is_not_the_title() -> None:
    _, year, body = find_title(_lines("当前位置: 网站首页 > 政府信息公开年报 > 2020年 > 正文",
                                      "【2020】都龙镇人民政府2020年政府信息公开工作年度报告", "一、总体情况"))
    assert (year, body) == (2020, "都龙镇人民政府")


def test_year_from_statistics_period_without_title() -> None:
    assert infer_year("本报告所列数据统计期限为2023年1月1日至2023年12月31日。2024年1月30日") == 2023


def test_sections_in_regulation_wording_and_sub_items_ignored() -> None:
    secs = find_sections(_lines(
        "一、总体情况", "一、紧扣强基础深化政务公开", "二、紧扣政府信息公开条例深化政务公开",
        "二、行政机关主动公开政府信息情况", "三、行政机关收到和处理政府信息公开申请情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "五、政府信息公开工作存在的主要问题及改进情况",
        "六、其他需要报告的事项", "无。"))
    assert [(s.key, s.number) for s in secs] == [("overview", 1), ("proactive", 2), ("requests", 3), ("review", 4),
                                                 ("problems", 5), ("other", 6)]
    assert "紧扣强基础" in secs[0].text


def test_table_rows_are_not_sections() -> None:
    secs = find_sections(_lines("一、总体情况", "x", "一、本年新收政府信息公开申请数量", "四、结转下年度继续办理"))
    assert [s.key for s in secs] == ["overview"]


def test_split_only_after_a_report_reached_its_later_sections() -> None:
    one = ["甲镇2021年政府信息公开工作年度报告", "一、总体情况", "a", "四、政府信息公开行政复议、行政诉讼情况",
           "五、存在的主要问题及改进情况", "b", "六、其他需要报告的事项", "无"]
    two = ["乙镇", "2020年政府信息公开工作年度报告", "本报告根据条例编制。", "一、总体情况", "c",
           "五、存在的主要问题及改进情况", "d"]
    parts = split_reports(_lines(*one, "扫码使用手机浏览本页内容", *two))
    assert len(parts) == 2
    assert parts[1][0].text == "乙镇"


def test_format_decision() -> None:
    assert decide_format({"t2_headers": "2021", "t3_other": "2019", "year": "2021"}, 2024, True) == "2021"
    assert decide_format({"t2_headers": "2019", "t2_item9": "2019"}, 2021, True) == "2019"  # old format used late
    assert decide_format({}, 2018, False) == "pre2019"
    assert decide_format({}, 2022, False) == "unknown"
    assert decide_format({}, None, False) == "unknown"
