"""The owners registry: CSV and YAML, name normalisation, the matching order, clear errors."""

from __future__ import annotations

import pytest

from flows.alerts.owners import OwnersError, load_owners, normalise, parse_owners

CSV = """body,aliases,region,emails,webhooks,lang,prefixes
东阿县人民政府办公室,东阿县政务公开办;东阿县政府办,,gk@donga.gov.cn;ban@donga.gov.cn,,zh,
平潭综合实验区农业农村局,,,nync@pingtan.gov.cn,,en,
市教育局,,,jy@example.gov.cn,https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${EDU_KEY},,bureaus/edu/
,,聊城市,lc@liaocheng.gov.cn,,,
,,平潭综合实验区,gkb@pingtan.gov.cn,,,
*,,,all@example.gov.cn,,,
"""


def test_normalised_names_are_equal():
    assert normalise("东阿县人民政府办公室") == normalise("东阿县政府办公室")
    assert normalise("東阿縣人民政府辦公室") == normalise("东阿县政府办公室")
    assert normalise(" 东阿县 政府办公室（２０２３） ") == normalise("东阿县政府办公室(2023)")
    assert normalise("东阿县政府办公室") != normalise("东阿县教育局")


def test_matching_order(tmp_path):
    p = tmp_path / "owners.csv"
    p.write_text(CSV, encoding="utf-8")
    reg = load_owners(p)
    assert len(reg) == 6
    m = reg.match("東阿縣人民政府辦公室")
    assert (m.owner.body, m.how) == ("东阿县人民政府办公室", "body")
    assert m.owner.emails == ("gk@donga.gov.cn", "ban@donga.gov.cn")
    assert reg.match("东阿县政府办").how == "alias"
    m = reg.match("某某学校", "bureaus/edu/2023/a.pdf")
    assert (m.owner.body, m.how) == ("市教育局", "prefix")
    # a body the registry does not name, placed by the gazetteer: 阳谷县 lies in 聊城市
    m = reg.match("阳谷县人民政府", "x.txt")
    assert (m.owner.region, m.how) == ("聊城市", "region")
    # a region the gazetteer does not know, found in the name
    m = reg.match("平潭综合实验区财政金融局")
    assert (m.owner.region, m.how) == ("平潭综合实验区", "region")
    m = reg.match("国家税务总局", "x.txt")
    assert (m.owner.emails, m.how) == (("all@example.gov.cn",), "run")
    assert reg.match("平潭综合实验区农业农村局").owner.lang == "en"


def test_no_fallback_means_no_owner():
    reg = parse_owners("body,aliases,region,emails,webhooks\n东阿县人民政府办公室,,,a@b.cn,\n")
    assert reg.match("阳谷县人民政府").owner is None
    assert reg.match(None).how == "none"


def test_yaml_registry():
    reg = parse_owners("""
owners:
  - body: 东阿县人民政府办公室
    aliases: [东阿县政府办]
    emails: gk@donga.gov.cn
    webhooks: ["dingtalk+https://oapi.dingtalk.com/robot/send?access_token=${T}#secret=${S}"]
    kinds: errors;verify;unreadable
    resolved: yes
""", "owners.yaml")
    o = reg.match("东阿县政府办").owner
    assert o.kinds == frozenset({"errors", "verify", "unreadable"}) and o.resolved
    assert o.webhooks[0].startswith("dingtalk+https://")


@pytest.mark.parametrize("text, message", [
    ("body,aliases,region,emails,webhooks\nA局,,,not-an-address,\n", "row 2: 'not-an-address' is not an email"),
    ("body,aliases,region,emails,webhooks\nA局,,,,\n", "row 2: A局: neither emails nor webhooks"),
    ("body,aliases,region,emails,webhooks,phone\nA局,,,a@b.cn,,1\n", "unknown columns phone"),
    ("body,aliases,emails\nA局,,a@b.cn\n", "the CSV header lacks region, webhooks"),
    ("body,aliases,region,emails,webhooks\nA局,,,a@b.cn,\nA局,,,c@d.cn,\n", "rows 2 and 3 name the same body"),
    ("body,aliases,region,emails,webhooks,lang\nA局,,,a@b.cn,,fr\n", "lang 'fr'"),
    ("body,aliases,region,emails,webhooks\nA局,,,a@b.cn,qyapi.weixin.qq.com/x\n", "is not a URL"),
    ("- just: a list\n", "unknown fields just"),
])
def test_errors_name_the_file_and_row(text, message):
    with pytest.raises(OwnersError) as e:
        parse_owners(text, "owners.csv")
    assert str(e.value).startswith("owners.csv") and message in str(e.value)


def test_unreadable_file_is_named(tmp_path):
    with pytest.raises(OwnersError, match=r"missing\.csv: cannot read"):
        load_owners(tmp_path / "missing.csv")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("body,aliases,region,emails,webhooks\n东阿县教育局,,,a@b.cn,\n".encode("gb18030"))
    assert load_owners(gbk).match("东阿县教育局").owner is not None
