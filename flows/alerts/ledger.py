"""The alert state: what was sent to whom, kept with the audit state (same store, next to it).

Two parts:

- ``<state>.alerts.json``: per channel (an owner's email addresses, or one webhook, named by a hash
  so no secret is stored) the content keys already delivered, the reports alerted and not yet
  resolved, and the channels that are failing;
- ``<state>.alerts.journal/<run>-<n>.json``: one small record written right after each delivery.
  Records are folded into the ledger at the start and end of every alert step, then deleted.

A ``kill -9`` between a delivery and its record costs one duplicate of that digest on the next run;
a kill before the delivery costs nothing (it is simply sent next run): never a loss. Writing one
small record per delivery keeps the window to one digest without rewriting the whole ledger each time.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from flows.storage import StorageError, Store

SCHEMA = "nianbao-alerts/1"


class AlertStateError(Exception):
    pass


def channel_id(kind: str, target: str) -> str:
    """Stable, secret-free name of a delivery channel. Webhook URLs hold keys: only their hash is kept
    (of the registry's text, before ``${VAR}`` expansion)."""
    if kind == "email":
        return "email:" + ";".join(sorted(a.strip().lower() for a in target.split(";") if a.strip()))
    return "hook:" + hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Ledger:
    sent: dict[str, dict[str, str]] = field(default_factory=dict)  # channel -> {content key: run id}
    open: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # channel -> {report id: keys}
    failing: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel -> {since, attempts, error}
    updated_at: str | None = None

    def was_sent(self, channel: str, key: str) -> bool:
        return key in self.sent.get(channel, {})

    def apply(self, rec: dict[str, Any]) -> None:
        """Fold one journal record in (idempotent)."""
        ch = rec["channel"]
        run = rec.get("run") or ""
        if rec.get("delivered", True):
            self.sent.setdefault(ch, {}).update({k: run for k in rec.get("keys", [])})
            opened = self.open.setdefault(ch, {})
            for rid, keys in (rec.get("open") or {}).items():
                opened[rid] = list(keys)
            for rid in rec.get("closed") or []:
                opened.pop(rid, None)
            self.failing.pop(ch, None)
        else:
            f = self.failing.setdefault(ch, {"since": rec.get("at"), "runs": 0})
            f["runs"] = int(f.get("runs", 0)) + 1
            f["error"] = rec.get("error")
            f["last"] = rec.get("at")
            f["owner"] = rec.get("owner")

    def forget(self, keep_channels: set[str]) -> None:
        """Drop channels no owner uses any more."""
        for table in (self.sent, self.open, self.failing):
            for ch in [c for c in table if c not in keep_channels]:
                table.pop(ch)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "updated_at": self.updated_at, "sent": self.sent, "open": self.open,
                "failing": self.failing}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str) -> Ledger:
        if not isinstance(d, dict) or d.get("schema") != SCHEMA:
            raise AlertStateError(f"{where}: not an alert state ({SCHEMA})")
        try:
            return cls(sent={str(k): dict(v) for k, v in (d.get("sent") or {}).items()},
                       open={str(k): {str(r): list(x) for r, x in v.items()} for k, v in (d.get("open") or {}).items()},
                       failing={str(k): dict(v) for k, v in (d.get("failing") or {}).items()},
                       updated_at=d.get("updated_at"))
        except (AttributeError, TypeError, ValueError) as e:
            raise AlertStateError(f"{where}: damaged alert state ({type(e).__name__}: {e})") from None


class AlertStore:
    """The ledger and its journal in the audit state's store."""

    def __init__(self, store: Store, state_key: str, run_id: str):
        self.store = store
        self.key = f"{state_key}.alerts.json"
        self.journal = f"{state_key}.alerts.journal/"
        self.run_id = run_id
        self._seq = 0
        self._written: list[str] = []

    def where(self) -> str:
        from flows.state import where

        return where(self.store, self.key)

    def load(self) -> Ledger:
        """The ledger with every journal record left by earlier (possibly killed) runs folded in."""
        try:
            if self.store.head(self.key) is None:
                ledger = Ledger()
            else:
                data, _ = self.store.get(self.key)
                try:
                    doc = json.loads(data)
                except ValueError as e:
                    raise AlertStateError(f"{self.where()}: damaged alert state (not JSON: {e})") from None
                ledger = Ledger.from_dict(doc, self.where())
            for o in sorted(self.store.list(self.journal), key=lambda o: o.key):
                data, _ = self.store.get(o.key)
                try:
                    ledger.apply(json.loads(data))
                except (ValueError, KeyError, TypeError):
                    continue  # a record cut short by a crash: its delivery is simply sent again
                self._written.append(o.key)
        except StorageError as e:
            raise AlertStateError(f"cannot read the alert state {self.where()}: {e.reason}") from e
        return ledger

    def record(self, rec: dict[str, Any]) -> None:
        """Write one journal record (right after a delivery or a failed one)."""
        self._seq += 1
        key = f"{self.journal}{self.run_id}-{self._seq:06d}.json"
        rec = dict(rec, run=self.run_id, at=rec.get("at") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        self.store.put(key, json.dumps(rec, ensure_ascii=False).encode("utf-8"), "application/json")
        self._written.append(key)

    def save(self, ledger: Ledger) -> None:
        """Write the ledger, then delete the journal records it now holds."""
        ledger.updated_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        data = json.dumps(ledger.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.store.put(self.key, data, "application/json; charset=utf-8")
            if self._written:
                self.store.delete(self._written)
                self._written = []
        except StorageError as e:
            raise AlertStateError(f"cannot save the alert state {self.where()}: {e.reason}") from e
