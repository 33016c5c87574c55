"""nianbao check PATH... [--json] [--docs DIR]: run the statutory rules (GX suites) over reports.

Prints, per report, the failing cells (rule, cell, printed and expected values, the likely wrong cell)
and what could not be checked. ``--json`` prints one object ``{"reports": [...], "findings": [...],
"summary": [...]}``. ``--docs DIR`` writes the site (DIR/index.html: failures first, by region, body,
year and rule, with each failing report's evidence) and the GX Data Docs of the failing reports beside it.

Exit status: 1 when any finding of severity ``fail`` exists, 0 when none, 2 when an input could not be
read (the readable inputs are still checked and printed; 2 wins over 1). A PATH that does not exist, a
folder holding no report files, or a ``--docs`` that is a file stop the command with exit status 2
before anything is read (and before Great Expectations is imported).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict

from flows.inputs import NO_REPORTS, check_output_folder, iter_input_files, parse_inputs
from flows.validate import quiet_libraries

HELP = "check reports against the statutory arithmetic (Great Expectations suites)"

_TABLES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--json", action="store_true", help='print {"reports": [...], "findings": [...]} as JSON')
    p.add_argument("--docs", metavar="DIR", help="write Data Docs of the failing reports to DIR")
    p.add_argument("--lang", choices=("zh", "en", "both"), default="both", help="message language (text output)")
    p.add_argument("--all", action="store_true", help="text output: also list passing reports")


def run(args: argparse.Namespace) -> int:
    # Usage errors first: importing GX takes seconds, a wrong path must not wait for it.
    files, errors = iter_input_files(args.paths)
    docs_error = check_output_folder("--docs", args.docs)
    if docs_error or not files:  # nothing to check, or nowhere to write: say so before any work
        fatal = [str(e) for e in errors if e.reason == NO_REPORTS or not os.path.exists(e.source)]
        fatal += [docs_error] if docs_error else []
        for line in fatal:
            print(f"error: {line}", file=sys.stderr)
        return 2
    reports, errors = parse_inputs(files=files, errors=errors)
    quiet_libraries()
    from expectations import check_reports  # imports GX (slow): only when checking

    result = check_reports(reports)
    index = None
    if args.docs:  # the site (landing page, regions, rules, evidence) with the GX validation pages beside it
        from flows.site.build import build_check_docs

        index = build_check_docs(result, reports, errors, args.docs)
    if args.json:
        doc = integral_numbers(result.to_json())
        doc["errors"] = [{"source": e.source, "reason": e.reason} for e in errors]
        if index is not None:
            doc["docs"] = str(index)
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    else:
        print(render_text(result, lang=args.lang, show_all=args.all))
        if index is not None:
            print(f"Data Docs: {index}")
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        return 2
    return result.exit_code()


def integral_numbers(obj, whole: bool = True):
    """JSON edge: ``expected``/``actual`` (and the likely value) are computed in floats; they become
    integers (3.0 -> 3) when every cell of the finding holds an integer. A finding on a cell printed
    with decimals (an amount) keeps its decimals."""
    if isinstance(obj, dict):
        cells = obj.get("cells")
        if isinstance(cells, list):
            whole = all(isinstance(c, dict) and (c.get("value") is None or
                                                (isinstance(c["value"], int) and not isinstance(c["value"], bool)))
                        for c in cells)
        out = {k: integral_numbers(v, whole) for k, v in obj.items()}
        if whole:
            for k in ("expected", "actual", "printed", "value"):
                v = out.get(k)
                if isinstance(v, float) and v.is_integer():
                    out[k] = int(v)
        return out
    if isinstance(obj, list):
        return [integral_numbers(v, whole) for v in obj]
    return obj


def _msg(f, lang: str) -> str:
    if lang == "zh":
        return f.message_zh
    if lang == "en":
        return f.message_en
    return f"{f.message_zh}\n        {f.message_en}"


def render_text(result, lang: str = "both", show_all: bool = False) -> str:
    """The readable report: grouped by report, failing cells first, then what was not checked."""
    by_report = defaultdict(list)
    for f in result.findings:
        by_report[f.report_id].append(f)
    out: list[str] = []
    for rr in result.report_results:
        if rr.status == "pass" and not show_all:
            continue
        fs = by_report.get(rr.report_id, [])
        tables = "  ".join(f"{_TABLES[t]} {v['status']}/{v['check']}" for t, v in rr.tables.items())
        out.append(f"{rr.status.upper():<12} {rr.source} #{rr.report_index}  {rr.body or '?'}  {rr.year or '?'}"
                   f"  format {rr.format}")
        out.append(f"    tables: {tables}")
        if rr.read_limited:
            out.append(f"    not fully read (the reader's limit, not the report's error): {'; '.join(rr.read_limited)}")
        for d in rr.likely_cells:
            if d.get("unique"):
                verify = f" — read {d['read'].replace('_', ' ')}: verify the reading first" if d.get("verify") else ""
                out.append(f"    likely wrong cell: {d['label']} printed {d['printed']:g}, likely {d['value']}"
                           f"  ({', '.join(d['rules'])}){verify}")
        not_checked: dict[str, list[str]] = defaultdict(list)
        for f in fs:
            if f.status == "not_checked":
                reason = f.message_zh.split("：", 1)[-1] + " / " + f.message_en.split(": ", 1)[-1]
                not_checked[reason].append(f.rule)
        for reason, rules in not_checked.items():
            out.append(f"  - not checked: {reason}\n        rules: {', '.join(sorted(rules))}")
        undecided = [f for f in fs if f.status == "unverifiable"]
        if undecided and not show_all:
            per_rule = defaultdict(int)
            for f in undecided:
                per_rule[f.rule] += 1
            out.append(f"  - undecided under the readings of run-together digits ({len(undecided)} checks; "
                       f"--all lists them): " + ", ".join(f"{r} ×{k}" for r, k in sorted(per_rule.items())))
        shown = [f for f in fs if f.status == "violated" or (show_all and f.status == "unverifiable")]
        for f in sorted(shown,
                        key=lambda f: (f.status != "violated", {"fail": 0, "warn": 1, "info": 2}[f.severity], f.rule)):
            where = ""
            target = next((c for c in f.cells if c.get("row") == f.row and c.get("column") == f.column), None)
            if target and target.get("prov"):
                p = target["prov"]
                where = "  [" + ", ".join(f"{k} {v}" for k, v in p.items() if k in ("line", "page", "table", "row",
                                                                                 "col")) + "]"
            out.append(f"  - {f.severity}/{f.status} {f.rule}{where}: {_msg(f, lang)}")
    n = len(result.report_results)
    fails = sum(1 for r in result.report_results if r.status == "fail")
    passing = sum(1 for r in result.report_results if r.status == "pass")
    unread = sum(1 for r in result.report_results if r.status == "unreadable")
    nf = sum(1 for f in result.findings if f.is_failure)
    out.append(f"{n} report(s): {fails} failing, {unread} not fully readable, {passing} passing, "
               f"{n - fails - passing - unread} other (warn / unverifiable / not checked); {nf} fail finding(s)")
    return "\n".join(out)
