"""Crawler and converter metadata above a report's text.

Crawled pages start with a header of ``key: value`` lines (``标题:``, ``发布时间:``, ``原文链接:`` …) and a
separator (``==== 正文 ====``); converters add comment lines (``# source: …``). None of it is the
report: it must not become the body name, and it must not hide the title. ``split_meta`` takes the
header off and keeps its values (the 标题 stands in for a title the article itself does not print).
"""

from __future__ import annotations

import re

from parsers.lines import Line

_KEYS = {
    "标题": "title", "题名": "title", "文章标题": "title", "名称": "title",
    "发布时间": "published", "发布日期": "published", "成文日期": "written", "日期": "published",
    "发布机构": "publisher", "发文机关": "publisher", "发布单位": "publisher", "来源": "publisher",
    "文号": "doc_no", "索引号": "index_no", "栏目": "channel", "主题分类": "channel", "分类": "channel",
    "原文链接": "url", "链接": "url", "网址": "url", "url": "url", "source": "url", "本地目录": "local_path",
    "作者": "author", "浏览次数": "views", "点击数": "views", "字号": "font",
}
_KV = re.compile(r"^\s*(?:#+\s*)?(?P<key>[\w\u4e00-\u9fff]{1,8})\s*[:：]\s*(?P<value>.*)$")
_SEPARATOR = re.compile(r"^\s*(?:[=\-*#~]{3,}.*|.*正文\s*[=\-*#~]{3,}\s*|页面链接与图片详见.*)$")
_COMMENT = re.compile(r"^\s*#+\s*[A-Za-z_][\w\- ]*\s*[:：]")
_MAX_HEADER_LINES = 40


def split_meta(lines: list[Line]) -> tuple[list[Line], dict[str, str]]:
    """The lines after a leading metadata header, and the header's values by canonical key."""
    meta: dict[str, str] = {}
    i = 0
    seen = 0
    while i < len(lines) and i < _MAX_HEADER_LINES:
        ln = lines[i]
        if ln.structured:
            break
        text = ln.first.raw if len(ln.cells) == 1 else ln.text
        if _SEPARATOR.match(text):
            i += 1
            seen += 1
            continue
        m = _KV.match(text)
        key = _KEYS.get(m.group("key").lower() if m and m.group("key").isascii() else (m.group("key") if m else ""))
        if m and key and len(text) <= 400:
            value = m.group("value").strip()
            if value and key not in meta:
                meta[key] = value
            i += 1
            seen += 1
            continue
        if _COMMENT.match(text):
            i += 1
            seen += 1
            continue
        break
    if seen < 2 and not meta.get("title"):
        return lines, {}  # one "key: value" line is as likely the report's own text
    return lines[i:], meta
