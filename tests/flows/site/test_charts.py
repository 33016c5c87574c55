"""The site's charts: Vega's label cut switched off (it costs a text measurement a label) draws the
same SVG for the labels the site has; longer labels are cut here instead."""

import copy

import pytest

from flows.site import charts as ch

pytestmark = pytest.mark.skipif(not ch.available(), reason="altair / vl-convert not installed")

PROVINCES = ["北京市", "内蒙古自治区", "黑龙江省", "广西壮族自治区", "新疆维吾尔自治区", "?"]


@pytest.mark.parametrize("horizontal", [False, True])
def test_the_same_drawing_as_with_vegas_label_cut(horizontal: bool) -> None:
    labels = PROVINCES if horizontal else [str(y) for y in range(2019, 2026)]
    rows = [{"label": x, "rate": round(i / 10, 3)} for i, x in enumerate(labels)]
    spec = ch.rate_spec(rows, "x", "T3-BAL 违反率 rate", horizontal=horizontal)
    assert spec["config"]["axis"]["labelLimit"] == 0
    vega_cut = copy.deepcopy(spec)
    del vega_cut["config"]["axis"]["labelLimit"]
    assert ch.render_svg(spec) == ch.render_svg(vega_cut)


def test_long_labels_are_cut_with_an_ellipsis() -> None:
    name = "某某省某某市某某区人民政府办公室信息公开科"
    spec = ch.rate_spec([{"label": name, "rate": 0.5}, {"label": "北京市", "rate": 0.1}], "x", "t",
                        horizontal=True)
    labels = [r["label"] for r in spec["data"]["values"]]
    assert labels == [name[:13] + "…", "北京市"]
    assert name[:13] + "…" in ch.render_svg(spec)


@pytest.mark.parametrize("horizontal", [False, True])
def test_specs_built_without_validation_are_valid_vega_lite(horizontal: bool) -> None:
    """The site builds its specs unvalidated (~4 ms a chart); the same spec passes Vega-Lite's schema."""
    rows = [{"label": x, "rate": 0.25, "reports": 4} for x in PROVINCES]
    spec = ch.rate_spec(rows, "x", "t", horizontal=horizontal)
    assert ch.rate_spec(rows, "x", "t", horizontal=horizontal, validate=True) == spec
    import altair as alt

    alt.Chart.from_dict(spec, validate=True)  # raises on a spec the schema rejects
