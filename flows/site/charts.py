"""SVG charts rendered at build time (Altair spec -> vl-convert): no JavaScript, no CDN.

Each chart is named by the hash of its spec, so an unchanged chart is neither rendered nor uploaded
again. When Altair or vl-convert is missing the site is built without charts (the tables beside them
carry the same numbers).
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from typing import Any

from flows.site.model import sha

FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def available() -> bool:
    try:
        import altair  # noqa: F401
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    return True


def rate_spec(rows: list[dict[str, Any]], x: str, title: str, *, horizontal: bool = False,
              validate: bool = False) -> dict[str, Any]:
    """Bar chart of ``rate`` (0..1) per ``label``. ``validate``: check the spec against Vega-Lite's schema
    (~4 ms a chart; the specs differ only in their data, a test validates them)."""
    import altair as alt

    data = alt.Data(values=[dict(r, label=short_label(r["label"])) for r in rows])
    base = alt.Chart(data, title=title).mark_bar(color="#b00020")
    tooltip = [alt.Tooltip("label:N"), alt.Tooltip("rate:Q", format=".1%")]
    if horizontal:
        chart = base.encode(y=alt.Y("label:N", sort=None, title=None),
                            x=alt.X("rate:Q", axis=alt.Axis(format="%"), title="不通过率 failure rate"),
                            tooltip=tooltip)
        height = max(60, 18 * len(rows))
    else:
        chart = base.encode(x=alt.X("label:N", sort=None, title=x),
                            y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title="不通过率 failure rate"),
                            tooltip=tooltip)
        height = 220
    # labelLimit 0: Vega measures every axis label once more (in vl-convert, ~3 ms a label with CJK fonts)
    # only to cut it at 180 px; our labels are years and province names, far shorter, so the drawing is
    # the same and takes ~40 % less time.
    spec = chart.properties(width=520 if horizontal else max(200, 48 * len(rows)), height=height).configure(
        font=FONT).configure_axis(labelLimit=0).to_dict(validate=validate)
    return spec


def short_label(label: Any, limit: int = 14) -> Any:
    """``label`` cut to ``limit`` characters with an ellipsis: ~180 px at most, the width Vega would cut
    it to (its own cut is switched off, see ``rate_spec``)."""
    return label if not isinstance(label, str) or len(label) <= limit else label[:limit - 1] + "…"


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def warm_renderer() -> None:
    """Start vl-convert's engine in this process (~0.5 s and ~65 MB the first time): parse workers do
    it once they are ready, so that the site's first charts do not wait for it."""
    try:
        import vl_convert as vlc
    except ImportError:
        return
    vlc.vegalite_to_svg({"data": {"values": [{"a": "-", "b": 0}]}, "mark": "bar",
                         "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
                         "config": {"font": FONT}})


def render_later(spec: dict[str, Any]) -> Future:
    """A future of ``render_svg(spec)``: in this process's parse workers when it has them running
    (idle while the site is built; vl-convert holds the GIL here), else rendered now."""
    from flows import parse_pool

    pool = parse_pool.running_pool()
    if pool is not None:
        try:
            return pool.submit(render_svg, spec)
        except RuntimeError:  # shut down meanwhile
            pass
    done: Future = Future()
    done.set_result(render_svg(spec))
    return done


def rendered(fut: Future, spec: dict[str, Any]) -> str:
    """The SVG of a ``render_later`` future; rendered here if the worker died under it."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return fut.result()
    except BrokenProcessPool:
        return render_svg(spec)


def chart_name(spec: dict[str, Any]) -> str:
    return sha(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)) + ".svg"


def rate_rows(counts: dict[Any, list[int]], limit: int | None = None, *, label=str) -> list[dict[str, Any]]:
    """[{label, rate}] from {key: [n, bad]}."""
    # Rates to 0.1 %: a run that moves a rate by less leaves the chart (and its file) as it was.
    rows = [{"label": label(k) if k is not None else "?", "rate": round(bad / n, 3) if n else 0.0}
            for k, (n, bad) in counts.items()]
    return rows[:limit] if limit else rows
