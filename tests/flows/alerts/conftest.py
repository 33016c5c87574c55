"""Real receivers for alert tests: an aiosmtpd SMTP server and an HTTP robot receiver, both local
(testkit/receivers.py, shared with `make demo`)."""

from __future__ import annotations

import pytest

from testkit.receivers import Mailbox, Robot


@pytest.fixture
def smtp_sink():
    box = Mailbox()
    yield box
    box.stop()


@pytest.fixture
def robot():
    r = Robot()
    yield r
    r.stop()
