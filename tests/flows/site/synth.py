"""Generated audit states for the site tests and bench: small ObjectEntry documents shaped like the
pipeline's (one report per object), with real place names so regions are inferred."""

from __future__ import annotations

import random
from typing import Any

from flows.state import AuditState, ObjectEntry

PLACES = ["东阿县", "阳谷县", "莘县", "冠县", "临清市", "海淀区", "朝阳区", "洪泽区", "淮阴区", "盱眙县", "平潭县",
          "闽侯县", "连江县", "曲阜市", "邹城市", "泗水县", "长清区", "历城区", "章丘区", "黄岛区", "崂山区",
          "余杭区", "萧山区", "桐庐县", "淳安县", "鄞州区", "慈溪市", "新昌县", "婺源县", "浮梁县", "武侯区",
          "双流区", "郫都区", "金牛区", "雁塔区", "未央区", "长安区", "蓝田县", "周至县", "岳麓区", "芙蓉区",
          "天河区", "越秀区", "番禺区", "宝安区", "南山区", "福田区", "龙岗区", "江宁区", "浦口区"]
DEPTS = ["人民政府办公室", "教育局", "财政局", "公安局", "民政局", "自然资源局", "生态环境局", "住房和城乡建设局",
         "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "应急管理局", "审计局",
         "市场监督管理局", "统计局", "医疗保障局", "人力资源和社会保障局"]
RULES = ["T3-BAL", "T3-RES", "T3-ROW", "T4-REV", "T4-LIT-D", "T4-LIT-R", "T2-21-VALID", "FMT-TABLES"]


def finding(rid: str, body: str, year: int, rule: str, i: int, read: str = "exact", page: int | None = None,
            status: str = "violated", severity: str = "fail") -> dict[str, Any]:
    prov = {"kind": "pdf", "page": page, "bbox": [100.0, 200.0, 130.0, 220.0]} if page else {"kind": "text", "line": 40 + i}
    return {"id": f"{rid}|{rule}|{i}", "source": rid.split("#")[0], "report_index": 0, "report_id": rid, "body": body,
            "year": year, "rule": rule, "kind": "within_report", "severity": severity, "status": status,
            "table": "table3", "row": "R_OPEN", "column": "TOT", "instance": f"i{i}", "expected": 3.0, "actual": 0.0,
            "message_zh": f"表三「（一）予以公开」行：总计 0 ≠ 自然人 3 （{rule}）",
            "message_en": f"Table 三, row “disclosed”: total 0 ≠ natural persons 3 ({rule})",
            "cells": [{"cell": "t3.R_OPEN.TOT", "table": "table3", "row": "R_OPEN", "column": "TOT",
                       "label": "表三「（一）予以公开」·总计", "label_en": "table 三 “disclosed” / total", "value": 0,
                       "raw": "0", "prov": prov, "read": read},
                      {"cell": "t3.R_OPEN.NAT", "table": "table3", "row": "R_OPEN", "column": "NAT",
                       "label": "表三「（一）予以公开」·自然人", "label_en": "table 三 “disclosed” / natural persons",
                       "value": 3, "raw": "3", "prov": prov, "read": read}],
            "read": read, "likely": {"cell": "t3.R_OPEN.TOT", "label": "表三「（一）予以公开」·总计", "printed": 0,
                                     "value": 3, "unique": True}}


PASS_RULES = {r: "pass" for r in RULES}
PASS_SUMMARY = {"status": "pass", "rules": PASS_RULES, "likely_cells": [], "notes": [], "reading": {},
                "read_limited": []}


def report(key: str, body: str, year: int, status: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    if status == "passed":
        summary = PASS_SUMMARY  # shared: 100,000 reports stay small
    else:
        rules = dict(PASS_RULES)
        for f in findings:
            rules[f["rule"]] = f["status"]
        summary = {"status": {"failed": "fail", "warned": "warn"}.get(status, status), "rules": rules,
                   "likely_cells": [{"cell": "t3.R_OPEN.TOT", "label": "表三「（一）予以公开」·总计", "label_en": "t",
                                     "printed": 0, "value": 3, "rules": [f["rule"] for f in findings], "unique": True}]
                   if status == "failed" else [], "notes": [], "reading": {}, "read_limited": []}
    return {"report_id": f"{key}#0", "report_index": 0, "body": body, "year": year, "format": "2021",
            "title": f"{body}{year}年政府信息公开工作年度报告", "status": status, "summary": summary,
            "docs_page": None if status == "passed" else "sites/r0/b00000/reports/x.html"}


def make_state(n: int, *, fail_rate: float = 0.05, seed: int = 1, run_id: str = "20261201T020000Z-aaaaaa",
               years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)) -> AuditState:
    rnd = random.Random(seed)
    st = AuditState(source="s3://reports/", last_run_id=run_id, engine="e")
    bodies = [f"{p}{d}" for p in PLACES for d in DEPTS]
    for i in range(n):
        body = bodies[(i // len(years)) % len(bodies)]
        if i // len(years) >= len(bodies):  # more bodies than names: number them
            body = f"{body}第{i // len(years) // len(bodies)}分局"
        year = years[i % len(years)]
        key = f"{year}/{i:06d}.txt"
        x = rnd.random()
        fs: list[dict[str, Any]] = []
        if x < fail_rate:
            status = "failed"
            rid = f"{key}#0"
            fs = [finding(rid, body, year, rnd.choice(RULES[:6]), k) for k in range(rnd.randint(1, 3))]
        elif x < fail_rate + 0.01:
            status = "unreadable"
        elif x < fail_rate + 0.02:
            status = "warned"
        else:
            status = "passed"
        e = ObjectEntry(key, f"etag{i}", 1000, status, run_id=run_id, audited_at="2026-12-01T02:00:00Z",
                        reports=[report(key, body, year, status, fs)], findings=fs)
        st.objects[key] = e
    return st
