"""Read a stored audit state as one dict (schema 1's shape) in tests: the state is kept in shards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.config import Location
from flows.state import read_document
from flows.storage import LocalStore


def state_doc(path: Path) -> dict[str, Any]:
    doc = read_document(LocalStore(Location("file", None, str(path.parent))), path.name)
    assert doc is not None, f"no state at {path}"
    return doc
