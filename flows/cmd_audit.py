"""Audit every report under SOURCE (s3://bucket/prefix or a local folder) as a Prefect flow run.

Only new and changed objects are parsed and validated (the state remembers each object's ETag);
findings go to JSON and Parquet, the Data Docs site of the failures to --docs. Without PREFECT_API_URL
the run uses a temporary local Prefect server (its database lives in .nianbao/prefect). S3 credentials
come from the standard AWS chain (environment, profile, instance role) or a prefect-aws block.

Exit status: 0 no failing report, 1 failing or unreadable reports, 2 usage or pipeline error (a
--docs or --findings that is a file, no S3 credentials, a source that cannot be listed, a damaged
state document, another live audit of the same source holding the lease on its state (<state>.lock;
--break-lease removes it): said in one line before any work starts; more than half of the objects tried
could not be fetched: nothing published, the state unchanged; or Data Docs that could not be written,
after the findings and the state were saved), 3 the source holds no report objects (an empty folder or a misspelt
prefix: nothing is audited or published).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

HELP = "audit reports in a bucket or folder (incremental Prefect flow, Data Docs, findings)"
MAX_LISTED = 20
EXIT_EMPTY = 3

CREDENTIALS_HELP = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile NAME or "
                    "AWS_PROFILE), or a prefect-aws AwsCredentials block (--aws-credentials-block NAME); "
                    "for an S3-compatible store also give --endpoint-url URL")


class Preflight(Exception):
    """A setting that stops the audit before any work (one line for the user)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def check_credentials(settings: Any) -> None:
    """Resolve S3 credentials with botocore's own chain (environment, profile, config files, container
    or instance role) when any location is in S3; never prints a secret."""
    locs = (settings.source, settings.state, settings.findings, settings.docs)
    if not any(loc.kind == "s3" for loc in locs) or settings.s3.credentials_block or settings.s3.bucket_block:
        return
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session(profile=settings.s3.profile_name)
    where = next(loc.uri for loc in locs if loc.kind == "s3")
    try:
        creds = session.get_credentials()
    except botocore.exceptions.ProfileNotFound as e:
        raise Preflight(f"AWS profile {e.kwargs.get('profile') or settings.s3.profile_name!r} not found "
                        f"(for {where}): {CREDENTIALS_HELP}") from None
    except botocore.exceptions.BotoCoreError as e:
        raise Preflight(f"cannot read the S3 credentials for {where}: {e}") from None
    if creds is None:
        raise Preflight(f"no S3 credentials found for {where}: {CREDENTIALS_HELP}")


def check_locations(settings: Any) -> None:
    """Paths that cannot work, and a source with nothing to audit, before the flow starts."""
    from flows.inputs import check_output_folder

    for option, loc in (("--docs", settings.docs), ("--findings", settings.findings)):
        err = check_output_folder(option, loc.uri) if loc.kind == "file" else None
        if err:
            raise Preflight(err)
    if settings.state.kind == "file" and os.path.isdir(settings.state.prefix):
        raise Preflight(f"--state {settings.state.prefix}: is a folder, not a file")
    if settings.source.kind == "file" and not os.path.isdir(settings.source.prefix):
        raise Preflight(f"{settings.source.prefix}: no such folder")
    check_credentials(settings)
    from flows.storage import StorageError, list_sources, open_store

    try:
        store = open_store(settings.source, settings.s3, settings.retry)
        first = next(iter(list_sources(store)), None)
    except StorageError as e:
        raise Preflight(f"cannot list {settings.source.uri}: {e.reason}") from None
    except Exception as e:  # a bad endpoint URL, a missing prefect-aws block ...
        from flows.storage import describe_error

        raise Preflight(f"cannot list {settings.source.uri}: {describe_error(e)}") from None
    if first is None:
        raise Preflight(f"warning: no report objects found under {settings.source.uri} "
                        f"(an empty folder or a misspelt prefix?): nothing audited, nothing published",
                        EXIT_EMPTY)
    check_state(settings)


def check_state(settings: Any) -> None:
    """A damaged state document stops the run here, in one line; a missing one is said in one line
    (a mistyped --state would otherwise silently audit everything again)."""
    from flows.pipeline import open_stores
    from flows.state import StateError, load_state, where
    from flows.storage import StorageError, describe_error

    try:
        stores = open_stores(settings)
        url = where(stores.state, stores.state_key)
        exists = stores.state.head(stores.state_key) is not None
        if exists and not settings.reset_state:
            load_state(stores.state, stores.state_key, settings.source.uri)
    except StateError as e:
        raise Preflight(f"{e}") from None
    except StorageError as e:
        raise Preflight(f"cannot read the state {settings.state.uri}: {e.reason}") from None
    except Exception as e:
        raise Preflight(f"cannot read the state {settings.state.uri}: {describe_error(e)}") from None
    if not exists:
        print(f"nianbao audit: no state at {url} yet: creating a new state there, so every object is audited "
              f"(check --state if you expected an earlier one)", file=sys.stderr)


def check_alerts(args: argparse.Namespace) -> dict[str, Any] | None:
    """The owners registry, the reviews and the kinds are read before any work: a typo in them is one
    line, not a failed run after the audit. Returns the flow's alert parameters (None: no alerting)."""
    from flows.alerts.dispatch import AlertSettings
    from flows.alerts.owners import OwnersError, load_owners
    from flows.alerts.reviews import ReviewError, load_reviews

    try:
        a = AlertSettings.resolve(owners=args.owners, smtp=args.smtp, smtp_from=args.smtp_from,
                                  alerts=args.alerts, reviews=args.reviews)
        if a is None:
            if args.smtp or args.alerts:
                raise Preflight("--smtp and --alerts need an owners registry (--owners FILE or NIANBAO_OWNERS)")
            return None
        registry = load_owners(a.owners)
        load_reviews(a.reviews)
    except (OwnersError, ReviewError) as e:
        raise Preflight(str(e)) from None
    if a.smtp_url is None and any(o.emails for o in registry):
        print("nianbao audit: warning: owners have email addresses but no SMTP server is given (--smtp or "
              "NIANBAO_SMTP_URL): their digests are recorded as undelivered", file=sys.stderr)
    return {"owners": a.owners, "smtp": a.smtp_url, "smtp_from": a.smtp_from,
            "alerts": ",".join(sorted(a.kinds)) if a.kinds else None, "reviews": a.reviews}


def print_alerts(al: dict[str, Any], out: Any = None) -> None:
    w = (out or sys.stdout).write
    if al.get("error"):
        w(f"alerts      NOT sent: {al['error']}\n")
        return
    w(f"alerts      {al['sent']} digests sent · {al['undelivered']} undelivered · {al['up_to_date']} channels up to "
      f"date · {len(al['unowned'])} reports with findings and no owner\n")
    for d in al["deliveries"]:
        if d["status"] != "sent":
            w(f"undelivered {d['owner']} via {d['channel']}: {d['error']} (retried next run)\n")
    for u in al["unowned"][:MAX_LISTED]:
        w(f"no owner    {u['report']} {u['body'] or '?'} {u['year'] or '?'}\n")


def check_lease(settings: Any, break_it: bool = False) -> None:
    """Another live audit of this source holds the lease on its state: refuse here, in one line naming
    the lock, the holder and how to break it (the flow takes the lease itself, atomically)."""
    from flows import lease
    from flows.pipeline import open_stores

    try:
        stores = open_stores(settings)
        url, holder = lease.inspect(stores.state, stores.state_key)
        if holder is None:
            return
        why = holder.why_stale()
        if break_it:
            lease.break_lease(stores.state, stores.state_key)
            print(f"nianbao audit: --break-lease: removed {url} held by {holder.describe()}", file=sys.stderr)
        elif why is None:
            raise Preflight(str(lease.LeaseHeld(url, holder)))
        else:
            print(f"nianbao audit: taking over the lease {url} of {holder.describe()}: {why}", file=sys.stderr)
    except lease.LeaseError as e:
        raise Preflight(str(e)) from None


def register(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("source", metavar="SOURCE", help="s3://bucket/prefix or a local folder")
    p.add_argument("--docs", metavar="DEST", help="where the Data Docs site goes (s3://bucket/prefix or folder)")
    p.add_argument("--state", metavar="URI", help="state document (s3://bucket/key.json or a file)")
    p.add_argument("--findings", metavar="DEST", help="findings folder (runs/<run-id>/ and latest/)")
    p.add_argument("--full", action="store_true", help="audit every object, changed or not")
    p.add_argument("--reset-state", action="store_true",
                   help="move the state document aside (kept as <name>.damaged-<time> or .reset-<time>) "
                        "and start a new one: every object is audited")
    p.add_argument("--break-lease", action="store_true",
                   help="remove the lease (<state>.lock) another run holds on the state and run anyway: only "
                        "when that run is dead (a lock of a dead process on this host, or an expired one, "
                        "is taken over without this)")
    p.add_argument("--batch-size", type=int, default=None, help="objects per task (default 50; a PDF counts one per 20 kB)")
    g = p.add_argument_group("object storage (defaults from NIANBAO_S3_* variables)")
    g.add_argument("--endpoint-url", help="S3-compatible endpoint, e.g. http://127.0.0.1:8333")
    g.add_argument("--s3-preset", choices=["aws", "oss", "minio", "seaweedfs"],
                   help="addressing style and signature for a known store (oss: virtual + s3 signature)")
    g.add_argument("--addressing-style", choices=["auto", "path", "virtual"])
    g.add_argument("--signature-version", help="s3v4 (default) or s3")
    g.add_argument("--region")
    g.add_argument("--profile", help="AWS shared-config profile")
    g.add_argument("--aws-credentials-block", metavar="NAME", help="prefect-aws AwsCredentials block to use")
    g.add_argument("--docs-base-url", help="public HTTP address of --docs when it differs from the endpoint")
    a = p.add_argument_group("owner alerts (defaults from NIANBAO_OWNERS, NIANBAO_SMTP_URL, ...)")
    a.add_argument("--owners", metavar="FILE", help="owners registry (CSV or YAML): turns alerting on")
    a.add_argument("--smtp", metavar="URL", help="smtp://host:port (plain), smtp+starttls://host:587 or "
                                                 "smtps://host:465; login as user@host, password from "
                                                 "NIANBAO_SMTP_PASSWORD")
    a.add_argument("--smtp-from", metavar="ADDRESS", help="From address of the digests")
    a.add_argument("--alerts", metavar="KINDS", help="kinds sent to owners without their own: "
                                                     "errors,verify,unreadable,resolved (default errors,verify)")
    a.add_argument("--reviews", metavar="FILE", help="reviewed findings (YAML, nianbao review): dismissed ones "
                                                     "are not alerted")
    r = p.add_argument_group("execution")
    r.add_argument("--dask", action="store_true", help="run batches on Dask (NIANBAO_DASK_ADDRESS or a LocalCluster)")
    r.add_argument("--dask-address", help="tcp://scheduler:8786 (implies --dask)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    r.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")


def prefect_environment(verbose: bool = False) -> None:
    """Per-project Prefect home and ephemeral-server settings (user settings win)."""
    from flows.config import default_workdir

    home = default_workdir() / "prefect"
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        import logging

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)


class Progress:
    """One status line on a terminal (objects listed, audited, failing; reports parsed, validated; rate and
    ETA); plain lines otherwise."""

    def __init__(self, stream: Any = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, event: str, **kw: Any) -> None:
        if self.quiet:
            return
        if event == "listed":
            msg = (f"listed {kw['listed']} objects: {kw['todo']} to audit, {kw['unchanged']} unchanged, "
                   f"{kw['deleted']} deleted" + (f" (full audit: {kw['full_reason']})" if kw.get("full_reason") else ""))
            self._line(msg, end=True)
        elif event == "batch":
            self._line(self.batch_line(**kw), end=not self.tty)
        elif event == "done" and self.tty:
            self.stream.write("\n")

    @staticmethod
    def batch_line(done: int, todo: int, parsed: int, validated: int, failing: int = 0,
                   listed: int | None = None, seconds: float | None = None, **_: Any) -> str:
        """``audited 300/1000 objects (of 1200 listed) · 12 failing · 310 reports parsed · 305 validated ·
        95.0 objects/s · ETA 7 s``: rate and ETA over the audit so far."""
        msg = f"audited {done}/{todo} objects" + (f" (of {listed} listed)" if listed is not None else "")
        msg += f" · {failing} failing · {parsed} reports parsed · {validated} validated"
        if seconds and seconds > 0 and done:
            rate = done / seconds
            msg += f" · {rate:.1f} objects/s · ETA {Progress.eta((todo - done) / rate)}"
        return msg

    @staticmethod
    def eta(seconds: float) -> str:
        s = max(0, round(seconds))
        if s < 60:
            return f"{s} s"
        if s < 3600:
            return f"{s // 60} min {s % 60:02d} s"
        return f"{s // 3600} h {s % 3600 // 60:02d} min"

    def _line(self, msg: str, end: bool) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + msg + ("\n" if end else ""))
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()


def print_summary(s: Any, out: Any = None) -> None:
    w = (out or sys.stdout).write
    w(f"\nsource      {s.source}\n")
    resumed = getattr(s, "resumed", 0)
    w(f"objects     {s.listed} listed · {s.audited} audited · {s.unchanged} unchanged · {s.deleted} deleted"
      + (f" ({resumed} of the unchanged resumed from an interrupted run's finished batches)" if resumed else "")
      + "\n")
    w(f"reports     {s.reports_parsed} parsed · {s.reports_validated} validated this run\n")
    w(f"result      {s.failed} objects with failing reports · {s.not_checked} not fully checkable · "
      f"{s.warned} with warnings · {s.unreadable} unreadable · {s.errors} errors\n")
    if s.stale:
        w(f"stale       {s.stale} objects could not be fetched: their last results are kept and they are fetched "
          f"again next run\n")
    if s.full_reason:
        w(f"full audit  {s.full_reason}\n")
    if s.findings_per_rule:
        w("findings    " + ", ".join(f"{k} {v}" for k, v in s.findings_per_rule.items()) + "\n")
    w(f"findings    {s.findings_uri}\n")
    w(f"Data Docs   {s.docs_url or 'NOT published (see below)'}\n")
    for d in s.docs_errors:
        w(f"error       {d}\n")
    if s.docs_errors:
        w("            the findings and the state were saved: the next run audits only new and changed objects\n")


# Failures the CLI says in its own one line: Prefect's traceback of them is noise (-v shows it).
EXPECTED_FAILURES = ("LeaseHeld", "LeaseLost", "LeaseError", "SourceUnavailable", "EmptySource")


class _ExpectedFailureFilter:
    def filter(self, record: Any) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            return type(exc).__name__ not in EXPECTED_FAILURES
        msg = record.getMessage()
        return not any(f"{name}:" in msg or f"{name}(" in msg for name in EXPECTED_FAILURES)


def quiet_expected_failures() -> None:
    import logging

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _ExpectedFailureFilter) for f in logger.filters):
            logger.addFilter(_ExpectedFailureFilter())


def _meanwhile(settings: Any) -> None:
    """While the temporary Prefect server boots: import the flow, start the parse workers, import what
    building the site needs."""
    import importlib

    importlib.import_module("flows.audit").prepare_run(settings)


def run(args: argparse.Namespace) -> int:
    prefect_environment(args.verbose)
    from flows.config import ConfigError, audit_settings, s3_settings

    try:
        settings = audit_settings(
            args.source, docs=args.docs, state=args.state, findings=args.findings, full=args.full,
            reset_state=args.reset_state,
            batch_size=args.batch_size, docs_base_url=args.docs_base_url,
            task_runner="dask" if (args.dask or args.dask_address) else None, dask_address=args.dask_address,
            s3=s3_settings(endpoint_url=args.endpoint_url, preset=args.s3_preset, addressing_style=args.addressing_style,
                           signature_version=args.signature_version, region=args.region, profile=args.profile,
                           credentials_block=args.aws_credentials_block))
    except ConfigError as e:
        print(f"nianbao audit: {e}", file=sys.stderr)
        return 2
    try:
        alert_params = check_alerts(args)
        check_locations(settings)
        check_lease(settings, args.break_lease)
    except Preflight as e:
        print(f"nianbao audit: {e}", file=sys.stderr)
        return e.code
    if settings.dask_address:
        os.environ["NIANBAO_DASK_ADDRESS"] = settings.dask_address
    if not args.verbose:
        from flows.validate import quiet_libraries

        quiet_libraries()
        quiet_expected_failures()

    from flows import prefect_server
    from flows.lease import LeaseError
    from flows.pipeline import SourceUnavailable

    progress = Progress(quiet=args.quiet)
    audit = None
    try:
        # the temporary Prefect server (none with PREFECT_API_URL) boots while the flow is imported,
        # and dies with this process even when it is killed
        with prefect_server.serve(lambda: _meanwhile(settings)):
            from flows import audit

            audit.PROGRESS = progress
            summary = audit.run_settings(settings, alert_params)
    except (LeaseError, SourceUnavailable) as e:
        print(f"nianbao audit: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        if audit is not None and isinstance(e, audit.EmptySource):
            print(f"nianbao audit: warning: {e}", file=sys.stderr)
            return EXIT_EMPTY
        print(f"nianbao audit: the run failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    finally:
        if audit is not None:
            audit.PROGRESS = None
    print_summary(summary)
    if summary.alerts is not None:
        print_alerts(summary.alerts)
    failing = summary.failing
    if failing:
        print(f"\nfailing or unreadable ({len(failing)}):")
        for line in failing[:MAX_LISTED]:
            print("  " + line)
        if len(failing) > MAX_LISTED:
            print("  ... more in the Data Docs index")
    if summary.docs_errors:
        print(f"nianbao audit: the Data Docs could not be written ({summary.docs_errors[0]}); findings and state "
              f"were saved", file=sys.stderr)
        return 2
    return 1 if audit.has_findings(summary) else 0
