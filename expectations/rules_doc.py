"""Generate docs/rules.md from the catalogue: ``python -m expectations.rules_doc`` (a test checks it is current)."""

from __future__ import annotations

import sys
from pathlib import Path

from expectations.catalog import load_catalog

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_rules_md() -> str:
    rules = load_catalog()
    out = [
        "# Rules checked by `nianbao check`",
        "",
        "Generated from `expectations/catalog.yaml` by `python -m expectations.rules_doc`; do not edit by hand.",
        "Rule ids follow `statutory-format.md` §7. Severity: **fail** = statutory or structural rule (exit",
        "status 1), **warn** = heuristic, **info** = for the record. A rule that cannot be evaluated because a",
        "table or cell is missing is reported as *not checked*, never as a pass; under ambiguous readings of",
        "run-together digits a rule that holds under some readings only is *unverifiable*.",
        "",
        "| id | kind | severity | generations | table | formula | message (zh) | message (en) | status |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        out.append("| " + " | ".join(_cell(x) for x in (
            f"`{r.id}`", r.kind, r.severity, ", ".join(r.generations), r.table, r.formula,
            r.message_zh, r.message_en, "implemented" if r.implemented else "planned")) + " |")
    out += ["", "## Titles", ""]
    for r in rules:
        out.append(f"- `{r.id}` — {r.title_zh} / {r.title_en}")
    notes = [r for r in rules if r.description]
    if notes:
        out += ["", "## Notes on scope and severity", ""]
        for r in notes:
            out.append(f"- `{r.id}` ({r.severity}): {r.description}")
    out.append("")
    return "\n".join(out)


def main() -> int:
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(render_rules_md(), encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
