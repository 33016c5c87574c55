"""What kind of body published a report, told from its name, for rule T2-REG-AUTH.

Only some bodies may make 规章 (《立法法》): the State Council's ministries, commissions and agencies
with administrative functions, provincial governments (省、自治区、直辖市) and the governments of
设区的市 and 自治州. Departments of local governments never issue 规章 in their own name.

The classification is deliberately conservative: a body is called ``no_power`` only when its name
clearly makes it a township or street, a county-level government (县、区、旗, or its office), or a
department of a local government. A name that could belong to a body with rule-making power (e.g.
"XX市人民政府": a 设区的市 or a 县级市) is ``unknown``, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from parsers.lines import to_simplified

NO_POWER, MAY_HAVE_POWER, UNKNOWN = "no_power", "may_have_power", "unknown"
POWER_CODES = {UNKNOWN: 0, NO_POWER: 1, MAY_HAVE_POWER: 2}


@dataclass(frozen=True, slots=True)
class BodyType:
    kind: str  # township | county | county_office | department | province | municipality |
    #            autonomous_prefecture | higher_office | national | unknown
    power: str  # no_power | may_have_power | unknown

    @property
    def code(self) -> int:
        return POWER_CODES[self.power]


KIND_LABELS = {
    "township": ("乡镇、街道", "a township or street"),
    "county": ("县级人民政府", "a county-level government"),
    "county_office": ("县级人民政府办公室", "the office of a county-level government"),
    "department": ("政府工作部门", "a government department"),
    "province": ("省级人民政府", "a provincial government"),
    "municipality": ("直辖市人民政府", "the government of a municipality"),
    "autonomous_prefecture": ("自治州人民政府", "the government of an autonomous prefecture"),
    "higher_office": ("省级人民政府办公厅（室）", "the office of a provincial government"),
    "national": ("国务院部门", "a State Council department"),
    "unknown": ("类型不明的机关", "a body of unknown type"),
}

_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_NATIONAL_PREFIX = ("国务院", "国家", "中华人民共和国", "中国人民银行")
# A place name ending in an administrative unit at the start of a name. "城乡", "市场", "区域" and
# "县域" are words, not units.
_LOCALITY = re.compile(
    r"^[\u4e00-\u9fff]{1,8}?(?:自治区|自治州|自治县|自治旗|省|市(?!场)|州|盟|地区|县(?!域)|旗|区(?!域)|镇|"
    r"(?<!城)乡|街道|苏木)"
)
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_ORGAN = re.compile(r"(?:局|委员会|委|办公室|办公厅|办|厅|署|中心|部|所|站|队|处|院|馆|会)$")
_GOV_OFFICE = re.compile(r"^(?P<place>.*?)(?:人民)?政府办公[室厅]$")
_GOV = re.compile(r"^(?P<place>.*?)(?:人民政府|政府|行政公署)$")
_TOWNSHIP = re.compile(r"(?:街道办事处|街道办|街道|镇|(?<!城)乡|苏木)$")


def _normalise(name: str) -> str:
    s = to_simplified(unicodedata.normalize("NFKC", name))
    s = re.sub(r"\s+", "", s)
    return _BRACKETS.sub("", s)


def _government(place: str) -> str:
    """The level of the government of ``place`` (the name before 人民政府)."""
    if place.endswith(("自治区", "省")):
        return "province"
    if place in _MUNICIPALITIES or place.endswith(tuple(f"省{m}" for m in _MUNICIPALITIES)):
        return "municipality"
    if place.endswith("自治州"):
        return "autonomous_prefecture"
    if _TOWNSHIP.search(place):
        return "township"
    if place.endswith(("县", "旗", "特区", "林区")) or (place.endswith("区") and not place.endswith("地区")):
        return "county"
    return "unknown"  # 市 (设区的市 or 县级市?), 地区, 盟, or not a place at all


@lru_cache(maxsize=4096)
def body_type(name: str | None) -> BodyType:
    """Classify a publishing body by its name (see the module doc); pure and cached."""
    s = _normalise(name or "")
    if len(s) < 2:
        return BodyType("unknown", UNKNOWN)
    m = _GOV_OFFICE.match(s)
    if m:
        level = _government(m.group("place"))
        if level in ("township", "county"):
            return BodyType("township" if level == "township" else "county_office", NO_POWER)
        if level in ("province", "municipality", "autonomous_prefecture"):
            # the office publishes its government's 规章 (e.g. 上海市人民政府办公厅 lists them)
            return BodyType("higher_office", MAY_HAVE_POWER)
        return BodyType("unknown", UNKNOWN)
    m = _GOV.match(s)
    if m:
        level = _government(m.group("place"))
        if level == "unknown":
            return BodyType("unknown", UNKNOWN)
        power = NO_POWER if level in ("township", "county") else MAY_HAVE_POWER
        return BodyType(level, power)
    if s.startswith(_NATIONAL_PREFIX):
        # 国家税务总局XX县税务局: a local branch of a national agency is a department
        rest = re.sub(r"^.*?(?:总局|局|署|部|委员会)", "", s, count=1)
        if rest and _LOCALITY.match(rest) and _ORGAN.search(rest):
            return BodyType("department", NO_POWER)
        if not rest or not _LOCALITY.match(rest):
            return BodyType("national", MAY_HAVE_POWER)
        return BodyType("unknown", UNKNOWN)
    local = _LOCALITY.match(s)
    if local and _TOWNSHIP.search(s):
        return BodyType("township", NO_POWER)  # 俵口镇, 下达河乡, XX街道办事处
    if local and local.end() == len(s):
        level = _government(s)  # a bare place name stands for its government
        if level in ("township", "county"):
            return BodyType(level, NO_POWER)
        return BodyType("unknown", UNKNOWN)
    if local and _ORGAN.search(s):
        return BodyType("department", NO_POWER)
    if not local and re.search(r"(?:部|委员会|总署|署)$", s) and len(s) <= 12:
        return BodyType("national", MAY_HAVE_POWER)  # 生态环境部, 海关总署, 审计署
    return BodyType("unknown", UNKNOWN)
