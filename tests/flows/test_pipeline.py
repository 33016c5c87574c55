"""Plain functions of the flow (flows.pipeline) that need no store or server."""

from __future__ import annotations

from flows.pipeline import PDF_UNIT_BYTES, Plan
from flows.storage import ObjectInfo


def test_batches_count_pdfs_by_size_and_keep_the_order() -> None:
    todo = [ObjectInfo(f"t{i}.txt", "e", 16_000) for i in range(120)]
    todo += [ObjectInfo(f"p{i}.PDF", "e", 12 * PDF_UNIT_BYTES) for i in range(9)]
    todo += [ObjectInfo("huge.pdf", "e", 500 * PDF_UNIT_BYTES), ObjectInfo("last.docx", "e", 3_000_000)]
    batches = Plan("r", len(todo), todo, [], [], None).batches(50)
    assert [i for b in batches for i in b] == todo  # every object once, in order
    # text, HTML and Word count one each whatever their size; a PDF one per PDF_UNIT_BYTES (12 here);
    # an object bigger than a batch is a batch of its own; 729 units make 15 batches of at most 49
    assert [len(b) for b in batches] == [49, 49, 24, 4, 3, 1, 1]
    assert [b[0].key for b in batches[2:]] == ["t98.txt", "p2.PDF", "p6.PDF", "huge.pdf", "last.docx"]


def test_batches_are_even_and_keep_every_worker_busy() -> None:
    def sizes(n: int, size: int = 50, lanes: int = 2) -> list[int]:
        todo = [ObjectInfo(f"t{i}.txt", "e", 100) for i in range(n)]
        batches = Plan("r", n, todo, [], [], None).batches(size, lanes)
        assert [i for b in batches for i in b] == todo
        return [len(b) for b in batches]

    assert sizes(33) == [17, 16]  # not one batch of 33 for one of two workers
    assert sizes(1) == [1] and sizes(2) == [1, 1] and sizes(0) == []
    assert sizes(1000) == [50] * 20
    assert sizes(1010) == [49] * 20 + [30]  # not 20 of 50 and a straggler of 10
    assert sizes(60, lanes=1) == [30, 30]
    assert sizes(100, lanes=8) == [13] * 7 + [9]
