from __future__ import annotations

import pytest

from flows.config import ConfigError, Location, audit_settings, s3_settings
from flows.storage import make_s3_client


def test_location_parsing_s3_and_local(tmp_path):
    loc = Location.parse("s3://reports/2023/年报")
    assert (loc.kind, loc.bucket, loc.prefix) == ("s3", "reports", "2023/年报/")
    assert loc.child("latest").uri == "s3://reports/2023/年报/latest/"
    assert Location.parse("s3://b/state.json", folder=False).prefix == "state.json"
    assert Location.parse(str(tmp_path)).prefix == str(tmp_path)
    with pytest.raises(ConfigError):
        Location.parse("ftp://x/y")
    with pytest.raises(ConfigError):
        Location.parse("s3:///nobucket")


def test_oss_preset_and_explicit_flags_win():
    s = s3_settings(endpoint_url="https://s3.oss-cn-hangzhou.aliyuncs.com", preset="oss", environ={})
    assert (s.addressing_style, s.signature_version) == ("virtual", "s3")
    s = s3_settings(preset="oss", addressing_style="path", environ={})
    assert s.addressing_style == "path" and s.signature_version == "s3"
    with pytest.raises(ConfigError):
        s3_settings(preset="nope", environ={})


def test_environment_is_read_and_flags_override_it():
    env = {"NIANBAO_S3_ENDPOINT_URL": "http://127.0.0.1:9000", "NIANBAO_S3_ADDRESSING_STYLE": "path",
           "NIANBAO_DOCS": "s3://docs/site", "NIANBAO_BATCH_SIZE": "7"}
    s = audit_settings("s3://src/in", s3=s3_settings(environ=env), environ=env)
    assert s.s3.endpoint_url == "http://127.0.0.1:9000" and s.s3.addressing_style == "path"
    assert s.docs.uri == "s3://docs/site/" and s.batch_size == 7
    # the tool's own files stay out of the source prefix
    assert s.state.uri.startswith("s3://src/_nianbao/") and s.findings.uri.startswith("s3://src/_nianbao/")
    s2 = audit_settings("s3://src/in", docs="s3://other/d", batch_size=3, environ=env)
    assert s2.docs.uri == "s3://other/d/" and s2.batch_size == 3


def test_client_gets_style_signature_and_no_secret_in_describe(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "very-secret-value")
    s = s3_settings(endpoint_url="http://127.0.0.1:1", preset="oss", environ={})
    c = make_s3_client(s)
    assert c.meta.config.s3["addressing_style"] == "virtual"
    assert c.meta.config.signature_version == "s3"
    settings = audit_settings("s3://a-bucket/x", s3=s, environ={})
    assert "very-secret-value" not in repr(settings.describe()) and "very-secret-value" not in repr(settings)


def test_prefect_blocks_configure_the_connection(prefect_harness, moto_endpoint, bucket):
    from prefect_aws import AwsCredentials, S3Bucket
    from prefect_aws.client_parameters import AwsClientParameters

    from flows.config import settings_from_s3_bucket_block
    from flows.pipeline import open_stores
    from flows.storage import list_sources

    client, name = bucket
    client.put_object(Bucket=name, Key="年报/甲.txt", Body=b"x")
    creds = AwsCredentials(aws_access_key_id="block-key", aws_secret_access_key="block-secret",
                           region_name="us-east-1",
                           aws_client_parameters=AwsClientParameters(
                               endpoint_url=moto_endpoint, config={"s3": {"addressing_style": "path"}}))
    creds.save("nianbao-test-creds", overwrite=True)
    S3Bucket(bucket_name=name, bucket_folder="年报", credentials=creds).save("nianbao-test-bucket", overwrite=True)
    s = settings_from_s3_bucket_block("nianbao-test-bucket", environ={})
    assert s.source.uri == f"s3://{name}/年报/" and s.s3.addressing_style == "path"
    assert [o.key for o in list_sources(open_stores(s).source)] == ["甲.txt"]
    assert "block-secret" not in repr(s.describe())
    # an AwsCredentials block by name, endpoint from the flags
    s2 = audit_settings(f"s3://{name}/年报/", s3=s3_settings(endpoint_url=moto_endpoint,
                        credentials_block="nianbao-test-creds", environ={}), environ={})
    stores = open_stores(s2)
    assert stores.source.client._request_signer._credentials.access_key == "block-key"
    assert [o.key for o in list_sources(stores.source)] == ["甲.txt"]
