"""`nianbao site`: rebuild the site from a stored state or a findings.json, without auditing."""

from __future__ import annotations

import json

from flows.cli import main
from flows.state import save_state
from flows.storage import LocalStore
from tests.flows.site.synth import make_state


def test_site_from_state_then_from_findings(tmp_path, capsys):
    from flows.config import Location

    st = make_state(120, fail_rate=0.2, seed=4)
    save_state(LocalStore(Location("file", None, str(tmp_path))), "state.json", st)
    dest = tmp_path / "docs"
    assert main(["site", str(tmp_path / "state.json"), str(dest), "--no-search"]) == 0
    out = capsys.readouterr().out
    assert "Site: " in out and (dest / "index.html").is_file() and (dest / "site" / "manifest.json").is_file()
    assert main(["site", str(tmp_path / "state.json"), str(dest), "--no-search"]) == 0
    assert " 0 written" in capsys.readouterr().out  # nothing changed: nothing written
    doc = {"run": {"run_id": "r1", "source": "s3://x/"}, "objects": [],
           "findings": [dict(f, object_key=k) for k, e in st.objects.items() for f in e.findings]}
    (tmp_path / "findings.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["site", str(tmp_path / "findings.json"), str(tmp_path / "d2"), "--no-search"]) == 0
    assert "东阿县" in (tmp_path / "d2" / "index.html").read_text(encoding="utf-8")
    from tests.flows.site.test_build import links_resolve

    assert links_resolve(tmp_path / "d2") == []


def test_site_usage_errors(tmp_path, capsys):
    assert main(["site", str(tmp_path / "missing.json"), str(tmp_path / "d")]) == 2
    assert "no such document" in capsys.readouterr().err
    (tmp_path / "x.json").write_text("[1, 2]", encoding="utf-8")
    assert main(["site", str(tmp_path / "x.json"), str(tmp_path / "d")]) == 2
    assert "neither an audit state nor a findings.json" in capsys.readouterr().err
