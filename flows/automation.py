"""A Prefect automation that tells the operators when an audit flow run fails or crashes.

``ensure_operator_automation(url)`` creates (or updates, it is idempotent) two things on the Prefect
server that ``PREFECT_API_URL`` points at:

* a notification block that delivers through Apprise, the URL (with its ``key=``/``access_token=``,
  password) kept in a secret field:
  - ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K`` (企业微信群机器人) → ``wecombot://K``;
  - ``https://oapi.dingtalk.com/robot/send?access_token=T[&secret=SEC…]`` (钉钉) → ``dingtalk://[SEC@]T/``
    (Apprise signs every message when the 加签 secret is given);
  - any other ``http(s)://`` URL → Apprise's JSON plugin (POST ``{"version", "title", "message",
    "type"}``, query parameters kept);
  - ``mailto://`` / ``mailtos://`` (``smtp://`` / ``smtps://`` are mapped to them) and any other Apprise
    URL (``dingtalk://``, ``wecombot://``, ``feishu://`` ...) as they are.
  Prefect 3.8.8 registers no generic Apprise/e-mail block; its *Slack Webhook* block hands every
  non-Slack URL to Apprise unchanged (as a secret), so that block type is used;
* an automation whose EventTrigger fires on ``prefect.flow-run.Failed`` / ``Crashed`` / ``TimedOut``
  events of flow runs of the audit flows and whose SendNotification action renders the flow run,
  its state, the time and the UI link through that block.

``${NAME}`` in the URL is expanded from the environment first. Secrets never reach the return value,
the logs or exception messages: only :func:`_redact`-ed forms do.

Automations need a real Prefect server (``prefect server start``) whose triggers and actions services
run; the ephemeral in-process API has none. Docs: docs/operator-alerts.md.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

log = logging.getLogger(__name__)

DEFAULT_NAME = "nianbao-audit: run failed or crashed"
DEFAULT_FLOWS = ("nianbao-audit", "nianbao-audit-dask")
# State names of terminal failures. TimedOut is a Failed-type state with its own event name.
FAILURE_EVENTS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut")

SUBJECT_TEMPLATE = "nianbao-audit: flow run {{ flow_run.name }} {{ flow_run.state.name }}"
# Prefect's automation templating (sandboxed Jinja): flow_run / flow / deployment are read from the API
# for the triggering event; `ui_url` is a Prefect filter (the server must know its own address:
# PREFECT_UI_URL, else derived from PREFECT_API_URL). Plain text: it reads the same in a 企业微信/钉钉
# text message, an e-mail and a JSON field, and carries the 钉钉 keyword "nianbao-audit".
BODY_TEMPLATE = """\
nianbao-audit: flow run {{ flow_run.name }} {{ flow_run.state.name }}
flow: {{ flow.name }}
flow run: {{ flow_run.name }} ({{ flow_run.id }})
state: {{ flow_run.state.name }}{% if flow_run.state.message %}: \
{{ flow_run.state.message | truncate(400) }}{% endif %}
time: {{ event.occurred.strftime('%Y-%m-%d %H:%M:%S %Z') }}
{% if deployment %}deployment: {{ deployment.name }}
{% endif %}{% set link = flow_run | ui_url %}{% if link %}link: {{ link }}
{% endif %}"""

_SECRET_PARAM = re.compile(
    r"^(key|access_?token|token|secret|sign|signature|sig|pass|password|passwd|pwd|api_?key|auth|webhook_?key)$",
    re.I,
)
_TOKENISH = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_\-=+.]{16,}$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MASK = "***"


@dataclass(frozen=True)
class AutomationInfo:
    """What ``ensure_operator_automation`` made: safe to print (the target is redacted)."""

    automation_id: UUID
    name: str
    block_document_name: str
    target: str
    block_type: str = ""
    created: bool = True

    def __str__(self) -> str:
        verb = "created" if self.created else "updated"
        return (f"automation {self.name!r} ({self.automation_id}) {verb}; notifies {self.target} "
                f"through {self.block_type} block {self.block_document_name!r}")


def _redact(url: str) -> str:
    """The URL with passwords, key/token/secret/sign query values and token-like path parts masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _MASK
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "mailto", "mailtos", "smtp", "smtps"):
        # Apprise URLs (dingtalk://secret@token, wecombot://key ...) carry tokens anywhere.
        return f"{parts.scheme}://{_MASK}" if parts.scheme else _MASK
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    if parts.username is not None:
        user = parts.username if parts.password is None else f"{parts.username}:{_MASK}"
        netloc = f"{user}@{netloc}"
    path = "/".join(_MASK if _TOKENISH.match(seg) else seg for seg in parts.path.split("/"))
    query = urlencode([(k, _MASK if _SECRET_PARAM.match(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*@,")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def _expand_env(url: str) -> str:
    def sub(m: re.Match[str]) -> str:
        value = os.environ.get(m.group(1))
        if value is None:
            raise ValueError(f"environment variable {m.group(1)} (used in the notify URL) is not set")
        return value

    return _ENV_REF.sub(sub, url)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "nianbao-audit-operators"


def _apprise_url(url: str) -> str:
    """The Apprise URL that delivers to ``url``. Raises ValueError (redacted) if there is none."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("smtp", "smtps"):
        return ("mailto" if scheme == "smtp" else "mailtos") + url[len(scheme):]
    if scheme not in ("http", "https"):
        return url  # mailto://, mailtos://, dingtalk://, wecombot:// ... as Apprise knows them
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"notify URL has no host: {_redact(url)}")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if host == "qyapi.weixin.qq.com" and query.get("key"):  # 企业微信群机器人
        return f"wecombot://{query['key']}"
    if host == "oapi.dingtalk.com" and query.get("access_token"):  # 钉钉自定义机器人
        secret = query.get("secret")
        if "sign" in query and not secret:
            raise ValueError("a signed 钉钉 URL (timestamp=&sign=) expires within an hour: give the robot's "
                             "加签 secret as &secret=SEC... instead, or use keyword security")
        return f"dingtalk://{secret + '@' if secret else ''}{query['access_token']}/"
    # Any other webhook: Apprise's JSON plugin POSTs {"version", "title", "message", "type"};
    # query parameters are passed on as "-name=value".
    netloc = parts.netloc.rpartition("@")[2]
    if parts.username is not None:
        netloc = f"{parts.netloc.rpartition('@')[0]}@{netloc}"
    params = urlencode([(f"-{k}", v) for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit(("jsons" if scheme == "https" else "json", netloc, parts.path or "/", params, ""))


def _make_block(url: str) -> Any:
    """The notification block for ``url`` (not saved). Raises ValueError (redacted) if unusable.

    Everything goes through Apprise: its plugins never log the URL's secrets above DEBUG, and a failed
    delivery ends as a recorded "Notification failed" (event prefect.automation.action.failed) instead
    of an httpx traceback - with the webhook key in it - in the server log, as the Custom Webhook
    block does on any non-2xx answer. Prefect 3.8.8 registers no generic Apprise block: its Slack
    Webhook block hands every non-Slack URL to Apprise unchanged, keeping it in a secret field."""
    import apprise
    from prefect.blocks.notifications import SlackWebhook

    if not urlsplit(url).scheme:
        raise ValueError(f"notify URL needs a scheme (https://, mailto://, ...): {_redact(url)}")
    target = _apprise_url(url)
    with _apprise_silenced():  # Apprise logs loaded URLs (DEBUG) and bad tokens (WARNING) verbatim
        if not apprise.Apprise().add(target):
            raise ValueError(f"Apprise does not understand the notify URL {_redact(url)}")
        return SlackWebhook(url=target, notify_type="failure")


@contextmanager
def _apprise_silenced() -> Iterator[None]:
    loggers = [logging.getLogger("apprise")]
    loggers += [lg for n, lg in logging.root.manager.loggerDict.items()
                if n.startswith("apprise.") and isinstance(lg, logging.Logger)]
    before = [lg.disabled for lg in loggers]
    for lg in loggers:
        lg.disabled = True
    try:
        yield
    finally:
        for lg, was in zip(loggers, before, strict=True):
            lg.disabled = was


def _trigger(flow_names: Iterable[str]) -> Any:
    from prefect.events.schemas.automations import EventTrigger, Posture

    return EventTrigger(
        expect=set(FAILURE_EVENTS),
        match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "flow", "prefect.resource.name": list(flow_names)},
        for_each={"prefect.resource.id"},
        posture=Posture.Reactive,
        threshold=1,
        within=timedelta(0),
    )


def ensure_operator_automation(
    notify_url: str,
    *,
    name: str = DEFAULT_NAME,
    flow_names: Iterable[str] = DEFAULT_FLOWS,
) -> AutomationInfo:
    """Create or update the automation ``name`` that notifies ``notify_url`` when a flow run of one of
    ``flow_names`` ends Failed, Crashed or TimedOut. Idempotent: an existing automation of that name is
    updated in place (extra duplicates are deleted), the block document is overwritten."""
    from prefect.automations import Automation, SendNotification

    flow_names = tuple(flow_names)
    if not flow_names:
        raise ValueError("flow_names is empty")
    url = _expand_env(notify_url.strip())
    target = _redact(url)
    block_name = _slug(name)
    block = _make_block(url)
    block_type = block.get_block_type_slug()
    block_id = block.save(block_name, overwrite=True)

    automation = Automation(
        name=name,
        description=(f"Tells the operators ({target}) when a flow run of {', '.join(flow_names)} "
                     "fails, crashes or times out. Managed by `nianbao alerts automation`; "
                     "see docs/operator-alerts.md."),
        enabled=True,
        trigger=_trigger(flow_names),
        actions=[SendNotification(block_document_id=block_id, subject=SUBJECT_TEMPLATE, body=BODY_TEMPLATE)],
    )
    existing = _automations_named(name)
    if existing:
        automation.id = existing[0].id
        automation.update()
        for extra in existing[1:]:
            extra.delete()
        created = False
    else:
        automation = automation.create()
        created = True
    assert automation.id is not None
    info = AutomationInfo(automation_id=automation.id, name=name, block_document_name=block_name,
                          target=target, block_type=block_type, created=created)
    log.info("%s", info)
    return info


def _automations_named(name: str) -> list[Any]:
    from prefect.automations import Automation
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        found = client.read_automations_by_name(name=name)
    return [Automation(**a.model_dump()) for a in found if a.name == name]


def delete_operator_automation(name: str = DEFAULT_NAME) -> int:
    """Delete every automation called ``name``; returns how many were deleted."""
    found = _automations_named(name)
    for a in found:
        a.delete()
    return len(found)
