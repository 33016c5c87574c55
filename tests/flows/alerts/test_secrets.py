"""Secrets from Prefect Secret blocks: ${secret:NAME} in registry URLs, the SMTP password by block name."""

from __future__ import annotations

import pytest

from flows.alerts.channels import ChannelError, SmtpSettings, expand_env, send_email
from flows.alerts.owners import Owner
from flows.alerts.render import Digest, render


def test_secret_blocks(prefect_harness, monkeypatch, smtp_sink):
    from prefect.blocks.system import Secret

    Secret(value="BLOCK-KEY-123").save("nianbao-test-key", overwrite=True)
    url, used = expand_env("wecom+https://h/cgi-bin/webhook/send?key=${secret:nianbao-test-key}")
    assert url.endswith("key=BLOCK-KEY-123") and used == ["BLOCK-KEY-123"]
    with pytest.raises(ChannelError) as e:
        expand_env("https://h/?key=${secret:no-such-block}")
    assert "'no-such-block' cannot be loaded" in str(e.value)
    # the SMTP password from a block (the test server takes any login over plain SMTP)
    Secret(value="pw-from-block").save("nianbao-smtp", overwrite=True)
    monkeypatch.delenv("NIANBAO_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("NIANBAO_SMTP_PASSWORD_BLOCK", "nianbao-smtp")
    from flows.alerts.channels import _smtp_target

    t = _smtp_target(SmtpSettings(smtp_sink.url.replace("smtp://", "smtp://alerts@"), sender="a@b.cn"))
    assert t.password == "pw-from-block"
    msg = render(Digest(Owner(body="某局", emails=("x@y.cn",)), "r"))
    send_email(SmtpSettings(smtp_sink.url, sender="a@b.cn"), ["x@y.cn"], msg)
    assert len(smtp_sink.envelopes) == 1
