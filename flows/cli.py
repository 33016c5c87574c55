"""The ``nianbao`` command: parse, check and audit annual reports.

Each sub-command lives in its own module (``cmd_parse``, ``cmd_check``, ``cmd_audit``) exposing
``register(subparsers)`` and ``run(args) -> int``. Heavy imports (Great Expectations, Prefect) happen
inside ``run`` so that ``nianbao parse`` starts fast.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import sys
import threading
from pathlib import Path
from typing import NoReturn

from flows import cmd_alerts, cmd_audit, cmd_check, cmd_parse, cmd_review, cmd_site

COMMANDS = {"parse": cmd_parse, "check": cmd_check, "audit": cmd_audit, "alerts": cmd_alerts, "review": cmd_review,
            "site": cmd_site}


def version() -> str:
    """The installed package's version, else the one in pyproject.toml (a source checkout)."""
    from importlib import metadata

    try:
        return metadata.version("nianbao-audit")
    except metadata.PackageNotFoundError:
        pass
    try:
        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
    return m.group(1) if m else "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nianbao",
        description="Audit 政府信息公开工作年度报告 against the statutory table arithmetic (勾稽关系).",
    )
    p.add_argument("--version", action="version", version=f"nianbao {version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, mod in COMMANDS.items():
        mod.register(sub.add_parser(name, help=mod.HELP, description=mod.__doc__))
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> NoReturn:
    """The console script: ``main``, then a quick exit. What Python runs at exit still runs (waiting for
    non-daemon threads, atexit: logging flushed, temporary folders removed, the parse workers shut
    down); the interpreter's teardown of the ~300,000 objects GX, pandas and Prefect leave is skipped:
    1-1.5 s of every command's wall time, the whole of it for a ``check`` of one report."""
    rc = main()
    _flush()
    shutdown = getattr(threading, "_shutdown", None)  # what the interpreter calls first at exit
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    _flush()
    os._exit(rc)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


if __name__ == "__main__":
    entry()
