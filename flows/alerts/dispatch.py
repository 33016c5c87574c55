"""Plan and deliver one digest per owner and channel, deduplicated against the alert ledger.

plan      the audit state + owners registry + ledger → what each channel has not been told yet
deliver   send with retries and backoff; one journal record per delivery (or failed delivery);
          a failing channel never blocks the others; the ledger is saved at the end
run_alerts the two together (the flow's alert step), also used by ``nianbao alerts preview`` (plan only)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flows.alerts import channels as ch
from flows.alerts.items import ERRORS, UNREAD, VERIFY, ReportItems, state_items
from flows.alerts.ledger import AlertStateError, AlertStore, Ledger, channel_id
from flows.alerts.owners import DEFAULT_KINDS, KINDS, Owner, OwnersError, Registry, load_owners
from flows.alerts.render import Digest, render
from flows.alerts.reviews import Reviews, load_reviews
from flows.state import PASSED, WARNED, AuditState

SENT, UNDELIVERED, SKIPPED = "sent", "undelivered", "skipped"
MAX_HOST_FAILURES = 3  # consecutive failures on one SMTP server or webhook host: the rest are not tried


@dataclass(frozen=True, slots=True)
class AlertSettings:
    owners: str  # path of the registry (CSV or YAML)
    smtp_url: str | None = None  # smtp://, smtp+starttls://, smtps:// (password from NIANBAO_SMTP_PASSWORD)
    smtp_from: str | None = None
    kinds: frozenset[str] | None = None  # the run's default kinds (owners may set their own)
    reviews: str | None = None  # reviews YAML
    attempts: int = 3
    backoff: float = 1.0  # seconds before the 2nd attempt, doubled each time
    verify_tls: bool = True

    @classmethod
    def resolve(cls, owners: str | None = None, smtp: str | None = None, smtp_from: str | None = None,
                alerts: str | list[str] | None = None, reviews: str | None = None,
                environ: dict[str, str] | None = None) -> AlertSettings | None:
        """Flags, else ``NIANBAO_OWNERS``, ``NIANBAO_SMTP_URL``, ``NIANBAO_SMTP_FROM``, ``NIANBAO_ALERTS``,
        ``NIANBAO_REVIEWS``, ``NIANBAO_ALERT_ATTEMPTS``, ``NIANBAO_ALERT_BACKOFF``. None: no alerting."""
        env = os.environ if environ is None else environ
        owners = owners or env.get("NIANBAO_OWNERS")
        if not owners:
            return None
        kinds = parse_kinds(alerts or env.get("NIANBAO_ALERTS"))
        smtp = smtp or env.get("NIANBAO_SMTP_URL")
        if smtp and urlsplit(smtp).password is not None:  # flow parameters and logs would show it
            raise OwnersError("the SMTP URL must not hold the password: give the login as user@host and the "
                              "password in NIANBAO_SMTP_PASSWORD")
        return cls(owners=owners, smtp_url=smtp,
                   smtp_from=smtp_from or env.get("NIANBAO_SMTP_FROM"), kinds=kinds,
                   reviews=reviews or env.get("NIANBAO_REVIEWS"),
                   attempts=max(1, int(env.get("NIANBAO_ALERT_ATTEMPTS") or 3)),
                   backoff=float(env.get("NIANBAO_ALERT_BACKOFF") or 1.0),
                   verify_tls=(env.get("NIANBAO_SMTP_VERIFY_TLS") or "1").lower() not in ("0", "false", "no"))


def parse_kinds(value: str | list[str] | None) -> frozenset[str] | None:
    if not value:
        return None
    items = value if isinstance(value, list) else str(value).split(",")
    kinds = frozenset(k.strip().lower() for k in items if k.strip())
    aliases = {"error": "errors", "to-verify": "verify", "unread": "unreadable"}
    kinds = frozenset(aliases.get(k, k) for k in kinds)
    bad = kinds - set(KINDS)
    if bad:
        raise OwnersError(f"--alerts: {', '.join(sorted(bad))} not among {', '.join(KINDS)}")
    return kinds


@dataclass(slots=True)
class Outgoing:
    owner: Owner
    channel: str  # channel id (secret-free)
    kind: str  # email | webhook
    target: str  # addresses joined by ";" or the webhook URL as written in the registry
    digest: Digest
    closed: list[str] = field(default_factory=list)  # report ids resolved by this delivery

    @property
    def shown(self) -> str:
        return self.target if self.kind == "email" else ch.redact(self.target)


@dataclass(slots=True)
class Delivery:
    owner: str
    channel: str  # addresses or the redacted webhook
    status: str  # sent | undelivered | skipped
    reports: int
    errors: int
    verify: int
    unreadable: int
    resolved: int
    attempts: int = 0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class AlertReport:
    deliveries: list[Delivery] = field(default_factory=list)
    unowned: list[dict[str, Any]] = field(default_factory=list)  # reports with alert items and no owner
    unowned_reports: int = 0  # every report (with or without items) no owner matched
    up_to_date: int = 0  # channels with nothing new to say
    error: str | None = None  # the alert step could not run (registry, alert state)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    def to_dict(self) -> dict[str, Any]:
        return {"deliveries": [d.to_dict() for d in self.deliveries], "unowned": self.unowned,
                "unowned_reports": self.unowned_reports, "up_to_date": self.up_to_date, "error": self.error,
                "seconds": round(self.seconds, 3), "sent": self.count(SENT),
                "undelivered": self.count(UNDELIVERED) + self.count(SKIPPED)}


def _channels(o: Owner) -> list[tuple[str, str, str]]:
    out = []
    if o.emails:
        target = ";".join(o.emails)
        out.append((channel_id("email", target), "email", target))
    out += [(channel_id("webhook", w), "webhook", w) for w in o.webhooks]
    return out


def plan(state: AuditState, registry: Registry, ledger: Ledger, *, run_id: str,
         default_kinds: frozenset[str] | None = None, reviews: Reviews | None = None,
         link: Callable[[str], str] | None = None, everything: bool = False) -> tuple[list[Outgoing], AlertReport]:
    """What each channel has not been told. ``everything``: ignore the ledger (a preview of all)."""
    report = AlertReport()
    by_owner: dict[str, tuple[Owner, list[ReportItems]]] = {}
    dismissed = reviews.dismissed if reviews is not None else None
    for ri in state_items(state, dismissed):
        m = registry.match(ri.body, ri.object_key)
        if m.owner is None:
            report.unowned_reports += 1
            if ri.items:
                report.unowned.append({"object": ri.object_key, "report": ri.report_id, "body": ri.body,
                                       "year": ri.year, "errors": len(ri.of({ERRORS})),
                                       "verify": len(ri.of({VERIFY})), "unreadable": len(ri.of({UNREAD}))})
            continue
        by_owner.setdefault(m.owner.id, (m.owner, []))[1].append(ri)
    out: list[Outgoing] = []
    used: set[str] = set()
    for owner, ris in by_owner.values():
        kinds = owner.kinds or default_kinds or DEFAULT_KINDS
        send_resolved = owner.resolved or "resolved" in kinds
        current = {ri.report_id: ri for ri in ris}
        for cid, kind, target in _channels(owner):
            used.add(cid)
            sent = {} if everything else ledger.sent.get(cid, {})
            d = Digest(owner, run_id)
            for ri in ris:
                items = ri.of(kinds)
                new = {i.key for i in items if i.key not in sent}
                if new:
                    d.reports.append(ReportItems(ri.object_key, ri.etag, ri.report_id, ri.report_index, ri.body,
                                                 ri.year, ri.title, ri.status, ri.docs_page, items, ri.file_type))
                    d.new |= new
                    if link is not None and ri.docs_page:
                        d.links[ri.report_id] = link(ri.docs_page)
            closed = []
            for rid in (ledger.open.get(cid) or {}):
                ri = current.get(rid)
                if ri is None or (ri.status in (PASSED, WARNED) and not ri.of({ERRORS, VERIFY})):
                    closed.append(rid)
                    if ri is not None and send_resolved:
                        d.resolved.append(ri)
            if d.reports or d.resolved:
                out.append(Outgoing(owner, cid, kind, target, d, closed))
            else:
                report.up_to_date += 1
                if closed:  # deleted reports, or resolved without a note: closed quietly
                    for rid in closed:
                        ledger.open.get(cid, {}).pop(rid, None)
    for owner in registry:
        used.update(cid for cid, _, _ in _channels(owner))
    ledger.forget(used)
    return out, report


def _host(o: Outgoing, smtp_url: str | None) -> str:
    if o.kind == "email":
        return "smtp:" + (urlsplit(smtp_url or "").hostname or "")
    url = o.target.split("+", 1)[-1] if "+" in o.target.split("://", 1)[0] else o.target
    return "hook:" + (urlsplit(url).hostname or url.split("://", 1)[0])


def deliver(outgoing: list[Outgoing], settings: AlertSettings, store: AlertStore, ledger: Ledger,
            report: AlertReport, *, sleep: Callable[[float], None] = time.sleep) -> AlertReport:
    """Send each digest (retries with backoff), journal each outcome, save the ledger at the end."""
    from flows.faults import checkpoint

    smtp = (ch.SmtpSettings(settings.smtp_url, sender=settings.smtp_from, verify_tls=settings.verify_tls)
            if settings.smtp_url else None)
    failures: dict[str, int] = {}
    for o in outgoing:
        d = o.digest
        counts = {"reports": len(d.reports), "errors": d.count(ERRORS), "verify": d.count(VERIFY),
                  "unreadable": d.count(UNREAD), "resolved": len(d.resolved)}
        dl = Delivery(o.owner.name, o.shown, SENT, **counts)
        host = _host(o, settings.smtp_url)
        if o.kind == "email" and smtp is None:
            dl.status, dl.error = UNDELIVERED, "no SMTP server configured (--smtp or NIANBAO_SMTP_URL)"
        elif failures.get(host, 0) >= MAX_HOST_FAILURES:
            dl.status, dl.error = SKIPPED, f"not tried: {failures[host]} deliveries in a row failed on {host.split(':', 1)[1]}"
        else:
            msg = render(d)
            for attempt in range(1, settings.attempts + 1):
                dl.attempts = attempt
                try:
                    if o.kind == "email":
                        assert smtp is not None
                        ch.send_email(smtp, list(o.owner.emails), msg)
                    else:
                        ch.send_webhook(o.target, msg)
                    dl.status, dl.error = SENT, None
                    break
                except ch.ChannelError as e:
                    dl.status, dl.error = UNDELIVERED, str(e)
                    if getattr(e, "sent", 0):  # part of a split digest went out: do not repeat it now
                        break
                    if attempt < settings.attempts:
                        sleep(settings.backoff * 2 ** (attempt - 1))
            failures[host] = 0 if dl.status == SENT else failures.get(host, 0) + 1
        if dl.status == SENT:
            checkpoint("alert-sent")  # fault tests kill the run here: between delivery and its record
            opened = {ri.report_id: sorted(i.key for i in ri.of({ERRORS, VERIFY}))
                      for ri in d.reports if ri.of({ERRORS, VERIFY})}
            rec = {"channel": o.channel, "owner": o.owner.id, "delivered": True, "keys": sorted(d.keys),
                   "open": opened, "closed": o.closed}
        else:
            rec = {"channel": o.channel, "owner": o.owner.id, "delivered": False, "error": dl.error}
        store.record(rec)
        ledger.apply(rec)
        report.deliveries.append(dl)
    store.save(ledger)
    return report


def run_alerts(state: AuditState, settings: AlertSettings, store: AlertStore, *,
               link: Callable[[str], str] | None = None, registry: Registry | None = None,
               reviews: Reviews | None = None, sleep: Callable[[float], None] = time.sleep) -> AlertReport:
    """The alert step. Never raises for a channel; a registry or alert-state problem is returned in
    ``error`` (the audit's own results stand)."""
    t0 = time.perf_counter()
    try:
        registry = registry or load_owners(settings.owners)
        reviews = reviews if reviews is not None else load_reviews(settings.reviews)
        ledger = store.load()
    except (OwnersError, AlertStateError, ValueError) as e:
        return AlertReport(error=str(e), seconds=time.perf_counter() - t0)
    outgoing, report = plan(state, registry, ledger, run_id=store.run_id, default_kinds=settings.kinds,
                            reviews=reviews, link=link)
    try:
        deliver(outgoing, settings, store, ledger, report, sleep=sleep)
    except AlertStateError as e:
        report.error = str(e)
    report.seconds = time.perf_counter() - t0
    return report


def preview(state: AuditState, settings: AlertSettings, store: AlertStore | None, *,
            link: Callable[[str], str] | None = None, everything: bool = False) -> tuple[list[Outgoing], AlertReport]:
    """What the next run would send (nothing is sent, nothing written)."""
    registry = load_owners(settings.owners)
    reviews = load_reviews(settings.reviews)
    ledger = store.load() if store is not None and not everything else Ledger()
    run_id = store.run_id if store is not None else "preview"
    return plan(state, registry, ledger, run_id=run_id, default_kinds=settings.kinds, reviews=reviews, link=link,
                everything=everything)


def alert_step(settings: Any, alerts: AlertSettings, state: AuditState, run_id: str) -> AlertReport:
    """The flow's alert step: the alert state sits next to the audit state, links go to the Data Docs."""
    from flows.pipeline import open_stores

    stores = open_stores(settings)
    store = AlertStore(stores.state, stores.state_key, run_id)
    return run_alerts(state, alerts, store, link=stores.docs.url)
