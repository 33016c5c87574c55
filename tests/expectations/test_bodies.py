"""Publishing body types for T2-REG-AUTH: conservative, never guessing a body's rule-making power."""

from __future__ import annotations

import pytest

from expectations.bodies import MAY_HAVE_POWER, NO_POWER, UNKNOWN, body_type


@pytest.mark.parametrize("name,kind", [
    ("都龙镇人民政府", "township"), ("俵口镇", "township"), ("下达河乡", "township"),
    ("示例街道办事处", "township"), ("示例区示例街道", "township"), ("示例镇人民政府", "township"),
    ("淮安市洪泽区人民政府", "county"), ("马关县", "county"), ("示例自治县人民政府", "county"),
    ("示例旗人民政府", "county"), ("东阿县人民政府办公室", "county_office"), ("东阿县政府办公室", "county_office"),
    ("示例县教育局", "department"), ("北京市通州区统计局", "department"), ("示例市生态环境局", "department"),
    ("示例区卫生健康委员会", "department"), ("示例省司法厅", "department"),
    ("某市住房和城乡建设局", "department"), ("国家税务总局东阿县税务局", "department"),
])
def test_bodies_without_rule_making_power(name, kind):
    bt = body_type(name)
    assert (bt.kind, bt.power) == (kind, NO_POWER)


@pytest.mark.parametrize("name,kind", [
    ("广东省人民政府", "province"), ("新疆维吾尔自治区人民政府", "province"), ("上海市人民政府", "municipality"),
    ("延边朝鲜族自治州人民政府", "autonomous_prefecture"), ("上海市人民政府办公厅", "higher_office"),
    ("江苏省人民政府办公厅", "higher_office"), ("国家统计局", "national"), ("国家市场监督管理总局", "national"),
    ("生态环境部", "national"), ("住房和城乡建设部", "national"), ("海关总署", "national"),
])
def test_bodies_that_may_make_rules(name, kind):
    bt = body_type(name)
    assert (bt.kind, bt.power) == (kind, MAY_HAVE_POWER)


@pytest.mark.parametrize("name", [None, "", "示例市人民政府", "示例市人民政府办公室", "上海市", "某某单位",
                                  "示例盟行政公署", "中国人民银行示例市中心支行"])
def test_unclear_bodies_are_unknown(name):
    """A 市 government may be a 设区的市 (rule-making) or a 县级市 (not): the name cannot tell."""
    assert body_type(name).power == UNKNOWN


def test_traditional_script_and_spaces():
    assert body_type("都龍鎮 人民政府").kind == "township"
    assert body_type("示例縣教育局（本級）").kind == "department"
