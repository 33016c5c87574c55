"""Who owns a report: the owners registry (CSV or YAML) and the matching of a report to an owner.

A registry row names a body and how to reach it::

    body,aliases,region,emails,webhooks,lang,prefixes,kinds,resolved
    东阿县人民政府办公室,东阿县政府办;东阿县政务公开办,山东省聊城市,gk@dongashi.gov.cn,${DONGA_WECOM},zh,,,

Several aliases, emails, webhooks or prefixes are separated by ``;``. A row without a body is a
fallback: for its ``region`` (a province, city or county) or, with neither body nor region (or body
``*``), for the whole run. Matching order: normalised body name, aliases, object-key prefix (longest
wins), region fallback (the most specific region the body's name lies in), the run's fallback.

Names are compared normalised (NFKC, traditional→simplified, no whitespace, 人民 dropped), so
东阿县人民政府办公室 = 东阿县政府办公室. The region a body lies in comes from its name through
``jionlp``'s gazetteer of Chinese administrative divisions (东阿县 → 山东省 聊城市), loaded only when
a registry has region fallbacks.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsers.names import normalise

KINDS = ("errors", "verify", "unreadable", "resolved")  # resolved: a note when an alerted report is clean
DEFAULT_KINDS = frozenset({"errors", "verify"})
LANGS = ("zh", "en")
COLUMNS = ("body", "aliases", "region", "emails", "webhooks", "lang", "prefixes", "kinds", "resolved")
REQUIRED = ("body", "aliases", "region", "emails", "webhooks")
EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
TRUE = {"1", "true", "yes", "y", "是", "on"}
FALSE = {"", "0", "false", "no", "n", "否", "off"}


class OwnersError(ValueError):
    """A registry that cannot be used: names the file, the row and what is wrong."""


@dataclass(frozen=True, slots=True)
class Owner:
    body: str  # as written in the registry ("" for a fallback)
    aliases: tuple[str, ...] = ()
    region: str = ""
    emails: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()
    lang: str = "zh"
    prefixes: tuple[str, ...] = ()
    kinds: frozenset[str] | None = None  # None: the run's default (errors and verify unless --alerts)
    resolved: bool = False  # send a note when a report that was alerted becomes clean
    row: int = 0  # line in the registry file (for messages)

    @property
    def id(self) -> str:
        """Stable key of the owner in the alert state."""
        if self.body and self.body != "*":
            return "body:" + normalise(self.body)
        return "region:" + normalise(self.region) if self.region else "run:*"

    @property
    def is_fallback(self) -> bool:
        return not self.body or self.body == "*"

    @property
    def name(self) -> str:
        if not self.is_fallback:
            return self.body
        return f"{self.region}（兜底）" if self.region else "（全部未匹配报告的兜底联系人）"

    @property
    def reachable(self) -> bool:
        return bool(self.emails or self.webhooks)


@dataclass(slots=True)
class Match:
    owner: Owner | None
    how: str  # body | alias | prefix | region | run | none


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"[;；\n]", str(value))
    return tuple(s.strip() for s in (str(i) for i in items) if s and s.strip())


def _owner(d: dict[str, Any], where: str, row: int) -> Owner:
    def bad(msg: str) -> OwnersError:
        return OwnersError(f"{where}: row {row}: {msg}")

    body = str(d.get("body") or "").strip()
    region = str(d.get("region") or "").strip()
    emails = _split(d.get("emails"))
    for e in emails:
        if not EMAIL.match(e):
            raise bad(f"{e!r} is not an email address")
    webhooks = _split(d.get("webhooks"))
    for w in webhooks:
        if "://" not in w:
            raise bad(f"webhook {w.split('?')[0]!r} is not a URL")
    lang = str(d.get("lang") or "zh").strip().lower()
    if lang not in LANGS:
        raise bad(f"lang {lang!r} is not one of {', '.join(LANGS)}")
    kinds = frozenset(k.lower() for k in _split(d.get("kinds"))) or None
    unknown = (kinds or set()) - set(KINDS)
    if unknown:
        raise bad(f"kinds {', '.join(sorted(unknown))} not among {', '.join(KINDS)}")
    res = str(d.get("resolved") if d.get("resolved") is not None else "").strip().lower()
    if res not in TRUE | FALSE:
        raise bad(f"resolved {res!r} is not yes/no")
    o = Owner(body=body, aliases=_split(d.get("aliases")), region=region, emails=emails, webhooks=webhooks,
              lang=lang, prefixes=_split(d.get("prefixes")), kinds=kinds, resolved=res in TRUE, row=row)
    if not o.reachable:
        raise bad(f"{o.name}: neither emails nor webhooks")
    return o


def parse_owners(text: str, where: str = "owners") -> Registry:
    """A registry from CSV (header ``body,aliases,region,emails,webhooks[,lang,...]``) or YAML (a list
    of mappings with the same fields, or ``owners:`` holding that list)."""
    stripped = text.lstrip("\ufeff")
    first = stripped.lstrip().splitlines()[0] if stripped.strip() else ""
    rows: list[tuple[int, dict[str, Any]]] = []
    if first.replace(" ", "").lower().startswith("body,"):
        reader = csv.DictReader(io.StringIO(stripped))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise OwnersError(f"{where}: the CSV header lacks {', '.join(missing)} (expected {','.join(REQUIRED)})")
        extra = [h for h in header if h not in COLUMNS]
        if extra:
            raise OwnersError(f"{where}: unknown columns {', '.join(extra)} (known: {','.join(COLUMNS)})")
        for i, r in enumerate(reader, start=2):
            d = {(k or "").strip().lower(): v for k, v in r.items()}
            if any(str(v or "").strip() for v in d.values()):
                rows.append((i, d))
    else:
        import yaml

        try:
            doc = yaml.safe_load(stripped)
        except yaml.YAMLError as e:
            raise OwnersError(f"{where}: neither a CSV with the header {','.join(REQUIRED)} nor YAML: {e}") from None
        if isinstance(doc, dict) and "owners" in doc:
            doc = doc["owners"]
        if not isinstance(doc, list) or not all(isinstance(x, dict) for x in doc):
            raise OwnersError(f"{where}: expected a CSV with the header {','.join(REQUIRED)} or a YAML list of owners")
        for i, d in enumerate(doc, start=1):
            unknown = [k for k in d if str(k).lower() not in COLUMNS]
            if unknown:
                raise OwnersError(f"{where}: owner {i}: unknown fields {', '.join(map(str, unknown))}")
            rows.append((i, {str(k).lower(): v for k, v in d.items()}))
    return Registry([_owner(d, where, n) for n, d in rows], where)


def load_owners(path: str | Path) -> Registry:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise OwnersError(f"{p}: cannot read the owners registry: {e.strerror or e}") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise OwnersError(f"{p}: not UTF-8 or GB18030 text")
    return parse_owners(text, str(p))


@functools.cache
def _location_parser() -> Any:
    import contextlib
    import os

    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        from jionlp.gadget.location_parser import LocationParser

        return LocationParser()


@functools.lru_cache(maxsize=65536)
def regions_of(body: str) -> tuple[str, ...]:
    """Normalised administrative divisions a body's name lies in, most specific first
    (东阿县人民政府办公室 → 东阿县, 聊城市, 山东省)."""
    if not body:
        return ()
    try:
        loc = _location_parser()(body)
    except Exception:  # the gazetteer cannot place this name: no region
        return ()
    out = [normalise(loc.get(k)) for k in ("county", "city", "province") if loc.get(k)]
    return tuple(dict.fromkeys(out))


@dataclass(slots=True)
class Registry:
    owners: list[Owner]
    where: str = "owners"
    _by_name: dict[str, Owner] = field(default_factory=dict, init=False)
    _by_alias: dict[str, Owner] = field(default_factory=dict, init=False)
    _regions: dict[str, Owner] = field(default_factory=dict, init=False)
    _run: Owner | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        for o in self.owners:
            if o.is_fallback:
                key = normalise(o.region)
                table = self._regions if key else None
                if table is None:
                    if self._run is not None:
                        raise OwnersError(f"{self.where}: rows {self._run.row} and {o.row} are both the run's fallback")
                    self._run = o
                elif key in table:
                    raise OwnersError(f"{self.where}: rows {table[key].row} and {o.row}: two fallbacks for {o.region}")
                else:
                    table[key] = o
                continue
            key = normalise(o.body)
            if key in self._by_name:
                raise OwnersError(f"{self.where}: rows {self._by_name[key].row} and {o.row} name the same body {o.body}")
            self._by_name[key] = o
        for o in self.owners:
            for a in o.aliases:
                key = normalise(a)
                other = self._by_alias.get(key) or self._by_name.get(key)
                if other is not None and other is not o:
                    raise OwnersError(f"{self.where}: alias {a} of row {o.row} also names row {other.row}")
                self._by_alias[key] = o

    def match(self, body: str | None, key: str = "") -> Match:
        n = normalise(body)
        if n and n in self._by_name:
            return Match(self._by_name[n], "body")
        if n and n in self._by_alias:
            return Match(self._by_alias[n], "alias")
        best: tuple[int, Owner] | None = None
        for o in self.owners:
            for p in o.prefixes:
                if key.startswith(p) and (best is None or len(p) > best[0]):
                    best = (len(p), o)
        if best is not None:
            return Match(best[1], "prefix")
        if self._regions and body:
            for region in regions_of(body):
                if region in self._regions:
                    return Match(self._regions[region], "region")
            for region, o in self._regions.items():  # a region the gazetteer does not know (开发区, 实验区)
                if region and region in n:
                    return Match(o, "region")
        if self._run is not None:
            return Match(self._run, "run")
        return Match(None, "none")

    def __len__(self) -> int:
        return len(self.owners)

    def __iter__(self) -> Iterable[Owner]:
        return iter(self.owners)
