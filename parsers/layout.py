"""The statutory table layouts (statutory-format.md §3–§5) as data.

Everything that knows a label, a row key or a column key reads it from here: the parsers (to
recognise rows), the renderer (to write reports), the rule catalogue (to name cells).
"""

from __future__ import annotations

from dataclasses import dataclass

GEN_2019 = "2019"
GEN_2021 = "2021"
GEN_PRE2019 = "pre2019"
GEN_UNKNOWN = "unknown"
GENERATIONS = (GEN_2019, GEN_2021, GEN_PRE2019, GEN_UNKNOWN)

# ---------------------------------------------------------------- table 三
T3_APPL = ("NAT", "BIZ", "RES", "NGO", "LAW", "OTH")
T3_COLS = (*T3_APPL, "TOT")
T3_COL_LABELS = {
    "NAT": "自然人",
    "BIZ": "商业企业",
    "RES": "科研机构",
    "NGO": "社会公益组织",
    "LAW": "法律服务机构",
    "OTH": "其他",
    "TOT": "总计",
}
T3_COL_LABELS_EN = {
    "NAT": "natural persons",
    "BIZ": "businesses",
    "RES": "research institutions",
    "NGO": "public-interest organisations",
    "LAW": "legal service institutions",
    "OTH": "other organisations",
    "TOT": "total",
}
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True, slots=True)
class RowDef:
    key: str
    label: str  # exact statutory label
    en: str
    group: str | None = None  # group label printed in a merged cell, e.g. （三）不予公开
    aliases: tuple[str, ...] = ()  # other printed forms that identify the row


_DENY = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOTPROC = "（五）不予处理"
_OTHER = "（六）其他处理"

_T3_HEAD = (
    RowDef("NEW", "一、本年新收政府信息公开申请数量", "new requests this year"),
    RowDef("CARRY", "二、上年结转政府信息公开申请数量", "carried over from last year"),
    RowDef("R_OPEN", "（一）予以公开", "disclosed"),
    RowDef("R_PARTIAL", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partly disclosed"),
    RowDef("R_DENY_1", "1.属于国家秘密", "denied: state secret", _DENY),
    RowDef("R_DENY_2", "2.其他法律行政法规禁止公开", "denied: barred by other laws", _DENY),
    RowDef("R_DENY_3", "3.危及“三安全一稳定”", "denied: endangers security or stability", _DENY),
    RowDef("R_DENY_4", "4.保护第三方合法权益", "denied: third-party rights", _DENY),
    RowDef("R_DENY_5", "5.属于三类内部事务信息", "denied: internal affairs", _DENY),
    RowDef("R_DENY_6", "6.属于四类过程性信息", "denied: process information", _DENY),
    RowDef("R_DENY_7", "7.属于行政执法案卷", "denied: enforcement case files", _DENY),
    RowDef("R_DENY_8", "8.属于行政查询事项", "denied: administrative query items", _DENY),
    RowDef("R_UNABLE_1", "1.本机关不掌握相关政府信息", "unable: not held by this body", _UNABLE),
    RowDef("R_UNABLE_2", "2.没有现成信息需要另行制作", "unable: would need to be produced", _UNABLE),
    RowDef("R_UNABLE_3", "3.补正后申请内容仍不明确", "unable: still unclear after correction", _UNABLE),
    RowDef("R_NOTPROC_1", "1.信访举报投诉类申请", "not processed: petitions and complaints", _NOTPROC),
    RowDef("R_NOTPROC_2", "2.重复申请", "not processed: repeated request", _NOTPROC),
    RowDef("R_NOTPROC_3", "3.要求提供公开出版物", "not processed: published materials", _NOTPROC),
    RowDef("R_NOTPROC_4", "4.无正当理由大量反复申请", "not processed: mass repeated requests", _NOTPROC),
    RowDef(
        "R_NOTPROC_5",
        "5.要求行政机关确认或重新出具已获取信息",
        "not processed: confirm or re-issue held information",
        _NOTPROC,
    ),
)
_T3_TAIL = (
    RowDef("R_TOTAL", "（七）总计", "results total"),
    RowDef("FWD", "四、结转下年度继续办理", "carried into next year"),
)
T3_ROWS_2019: tuple[RowDef, ...] = (
    *_T3_HEAD,
    RowDef("R_OTHER", "（六）其他处理", "other handling"),
    *_T3_TAIL,
)
T3_ROWS_2021: tuple[RowDef, ...] = (
    *_T3_HEAD,
    RowDef(
        "R_OTHER_1",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other: no correction in time",
        _OTHER,
    ),
    RowDef(
        "R_OTHER_2",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other: fee not paid in time",
        _OTHER,
    ),
    RowDef("R_OTHER_3", "3.其他", "other: other", _OTHER),
    *_T3_TAIL,
)
T3_GROUP_LABELS = {
    "三、本年度办理结果": "RESULTS",
    _DENY: "R_DENY",
    _UNABLE: "R_UNABLE",
    _NOTPROC: "R_NOTPROC",
    _OTHER: "R_OTHER",
}
T3_ROWS_BY_KEY: dict[str, RowDef] = {r.key: r for r in (*T3_ROWS_2019, *T3_ROWS_2021)}
# the sub-rows under each group label of table 三
T3_GROUP_SUBROWS: dict[str, tuple[str, ...]] = {
    "R_DENY": tuple(f"R_DENY_{i}" for i in range(1, 9)),
    "R_UNABLE": ("R_UNABLE_1", "R_UNABLE_2", "R_UNABLE_3"),
    "R_NOTPROC": tuple(f"R_NOTPROC_{i}" for i in range(1, 6)),
    "R_OTHER": ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3"),
}


def t3_rows(gen: str) -> tuple[RowDef, ...]:
    return T3_ROWS_2019 if gen == GEN_2019 else T3_ROWS_2021


def t3_result_rows(present: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Result rows summed by （七）总计: 2021 sub-rows when any is present, else the single （六） row."""
    other = ("R_OTHER_1", "R_OTHER_2", "R_OTHER_3")
    if not any(k in present for k in other):
        other = ("R_OTHER",)
    keys = [r.key for r in _T3_HEAD[2:]]
    return (*keys, *other)


# ---------------------------------------------------------------- table 四
T4_GROUPS = (("REV", "行政复议"), ("LIT_D", "行政诉讼·未经复议直接起诉"), ("LIT_R", "行政诉讼·复议后起诉"))
T4_OUTCOMES = (
    ("MAINTAIN", "结果维持", "upheld"),
    ("CORRECT", "结果纠正", "corrected"),
    ("OTHER", "其他结果", "other outcome"),
    ("PENDING", "尚未审结", "pending"),
    ("TOTAL", "总计", "total"),
)
T4_KEYS: tuple[str, ...] = tuple(f"{g}_{o}" for g, _ in T4_GROUPS for o, _, _ in T4_OUTCOMES)
T4_LABELS: dict[str, str] = {f"{g}_{o}": f"{gl}·{ol}" for g, gl in T4_GROUPS for o, ol, _ in T4_OUTCOMES}
T4_LABELS_EN: dict[str, str] = {
    f"{g}_{o}": f"{ {'REV': 'review', 'LIT_D': 'direct lawsuit', 'LIT_R': 'lawsuit after review'}[g]} {oe}"
    for g, _ in T4_GROUPS
    for o, _, oe in T4_OUTCOMES
}


# ---------------------------------------------------------------- table 二
@dataclass(frozen=True, slots=True)
class T2Block:
    item: str  # 第二十条第（X）项 -> "1", "5", "6", "8", "9"
    columns: tuple[tuple[str, str], ...]  # (column key, statutory header)
    rows: tuple[tuple[str, str], ...]  # (row key, statutory label)


T2_BLOCKS_2019: tuple[T2Block, ...] = (
    T2Block("1", (("MADE", "本年新制作数量"), ("PUBLISHED", "本年新公开数量"), ("TOTAL", "对外公开总数量")),
            (("REG", "规章"), ("NORM", "规范性文件"))),
    T2Block("5", (("PREV", "上一年项目数量"), ("CHANGE", "本年增/减"), ("DECISIONS", "处理决定数量")),
            (("LICENSE", "行政许可"), ("SERVICE", "其他对外管理服务事项"))),
    T2Block("6", (("PREV", "上一年项目数量"), ("CHANGE", "本年增/减"), ("DECISIONS", "处理决定数量")),
            (("PENALTY", "行政处罚"), ("COERCION", "行政强制"))),
    T2Block("8", (("PREV", "上一年项目数量"), ("CHANGE", "本年增/减")), (("FEE", "行政事业性收费"),)),
    T2Block("9", (("COUNT", "采购项目数量"), ("AMOUNT", "采购总金额")), (("PROCURE", "政府集中采购"),)),
)
T2_BLOCKS_2021: tuple[T2Block, ...] = (
    T2Block("1", (("ISSUED", "本年制发件数"), ("REPEALED", "本年废止件数"), ("VALID", "现行有效件数")),
            (("REG", "规章"), ("NORM", "行政规范性文件"))),
    T2Block("5", (("DECISIONS", "本年处理决定数量"),), (("LICENSE", "行政许可"),)),
    T2Block("6", (("DECISIONS", "本年处理决定数量"),), (("PENALTY", "行政处罚"), ("COERCION", "行政强制"))),
    T2Block("8", (("AMOUNT", "本年收费金额（单位：万元）"),), (("FEE", "行政事业性收费"),)),
)
T2_ROW_LABELS: dict[str, str] = {
    "REG": "规章",
    "NORM": "规范性文件",
    "LICENSE": "行政许可",
    "SERVICE": "其他对外管理服务事项",
    "PENALTY": "行政处罚",
    "COERCION": "行政强制",
    "FEE": "行政事业性收费",
    "PROCURE": "政府集中采购",
}
T2_ROW_LABELS_EN: dict[str, str] = {
    "REG": "rules (规章)",
    "NORM": "normative documents",
    "LICENSE": "licensing",
    "SERVICE": "other management services",
    "PENALTY": "penalties",
    "COERCION": "coercive measures",
    "FEE": "administrative fees",
    "PROCURE": "central procurement",
}
T2_COL_LABELS: dict[str, str] = {
    "MADE": "本年新制作数量",
    "PUBLISHED": "本年新公开数量",
    "TOTAL": "对外公开总数量",
    "PREV": "上一年项目数量",
    "CHANGE": "本年增/减",
    "DECISIONS": "处理决定数量",
    "COUNT": "采购项目数量",
    "AMOUNT": "金额",
    "ISSUED": "本年制发件数",
    "REPEALED": "本年废止件数",
    "VALID": "现行有效件数",
}
T2_COL_LABELS_EN: dict[str, str] = {
    "MADE": "made this year",
    "PUBLISHED": "published this year",
    "TOTAL": "total published",
    "PREV": "items last year",
    "CHANGE": "change this year",
    "DECISIONS": "decisions this year",
    "COUNT": "procurement projects",
    "AMOUNT": "amount",
    "ISSUED": "issued this year",
    "REPEALED": "repealed this year",
    "VALID": "in force",
}


def t2_blocks(gen: str) -> tuple[T2Block, ...]:
    return T2_BLOCKS_2019 if gen == GEN_2019 else T2_BLOCKS_2021


# ---------------------------------------------------------------- sections
SECTION_KEYS = ("overview", "proactive", "requests", "review", "problems", "other")
SECTION_TITLES = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
