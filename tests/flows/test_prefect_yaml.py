"""prefect.yaml names only parameters its entrypoint flows accept (a typo would fail every scheduled run)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_deployment_parameters_exist_on_their_flows():
    doc = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert doc["deployments"]
    for d in doc["deployments"]:
        path, name = d["entrypoint"].split(":")
        flow = getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)
        accepted = set(inspect.signature(flow.fn).parameters)
        unknown = set(d.get("parameters") or {}) - accepted
        assert not unknown, f"{d['name']}: {sorted(unknown)} are not parameters of {d['entrypoint']}"
        assert {"owners", "alerts"} <= accepted
