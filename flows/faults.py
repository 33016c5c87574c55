"""Fault injection for the crash tests: ``checkpoint(name)`` kills this process with SIGKILL when
``NIANBAO_KILL_AT`` equals ``name``, and does nothing otherwise (one environment lookup).

Checkpoints: ``batch`` (start of the first audited batch), ``batch-journaled`` (a finished batch's
journal written, what the next run resumes from), ``run-written`` (findings under
``runs/<id>/`` complete), ``latest-partial`` (first file copied to ``latest/``), ``state-before``
(before the state document is written), ``state-tmp`` (local state: temporary file written, not yet
renamed), ``state-saved`` (after the state document was written).
"""

from __future__ import annotations

import os
import signal

ENV = "NIANBAO_KILL_AT"


def checkpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
