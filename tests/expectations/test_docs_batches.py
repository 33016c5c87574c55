"""Data Docs pages carry the metadata of the GX batch their report was validated in, whatever the chunk
size (a run above 20,000 reports is validated in several batches, the last one shorter)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from expectations.docs import page_name, report_batches
from expectations.findings import CheckResult
from parsers.model import Cell
from tests.expectations.conftest import clean


def _fake_batch(reports: int | None):
    observed = {"items": 1} if reports is None else {"reports": reports, "items": 1}
    return SimpleNamespace(results=[SimpleNamespace(result={"observed_value": observed})])


def _fake_result(n: int, sizes: list[int | None]) -> CheckResult:
    rrs = [SimpleNamespace(report_id=f"r{i}") for i in range(n)]
    return CheckResult(findings=[], report_results=rrs, rule_summaries=[],  # type: ignore[arg-type]
                       gx_results=[_fake_batch(s) for s in sizes])


def test_batch_sizes_are_read_from_each_batch() -> None:
    # 20,000 + 20,000 + 5,000 in miniature: equal-size arithmetic (ceil(n / batches) = 4) puts reports
    # 4 and 5 in the wrong batch
    assert report_batches(_fake_result(11, [5, 5, 1])) == [0] * 5 + [1] * 5 + [2]
    # sizes that no equal chunking gives are followed as they are
    assert report_batches(_fake_result(6, [1, 4, 1])) == [0, 1, 1, 1, 1, 2]


def test_fallback_recomputes_the_engine_chunks() -> None:
    assert report_batches(_fake_result(11, [None, None, None]), chunk_size=5) == [0] * 5 + [1] * 5 + [2]
    # the engine's default chunk size (20,000) when the caller gives none
    assert report_batches(_fake_result(3, [None])) == [0, 0, 0]
    with pytest.raises(ValueError, match="do not fit"):
        report_batches(_fake_result(11, [None, None]), chunk_size=5)


def test_page_takes_the_metadata_of_its_own_batch(tmp_path) -> None:
    from expectations import build_data_docs, check_reports

    reps = [clean(s) for s in range(7)]
    for i, rep in enumerate(reps):
        rep.source = f"batches/{i}"
    bad = reps[4]  # the last report of the first batch of 5
    c = bad.table3.rows["R_OPEN"].cells["TOT"]
    bad.table3.rows["R_OPEN"].cells["TOT"] = Cell(value=int(c.value) + 2, raw=str(int(c.value) + 2))
    result = check_reports(reps, chunk_size=5)
    assert len(result.gx_results) == 2
    assert report_batches(result) == [0] * 5 + [1] * 2
    index = build_data_docs(result, tmp_path / "site")
    page = (index.parent / "reports" / page_name(bad.report_id)).read_text(encoding="utf-8")
    # the data fingerprint is dropped from the pages as GX boilerplate; the validation time stays
    first, second = (b.meta["validation_time"].strftime("%Y-%m-%dT%H:%M:%S.%fZ") for b in result.gx_results)
    assert first != second
    assert first in page, "the page shows its own batch's validation time"
    assert second not in page, "the page shows the metadata of another batch"
