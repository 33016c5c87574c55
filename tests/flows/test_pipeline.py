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
    # an object bigger than a batch is a batch of its own
    assert [len(b) for b in batches] == [50, 50, 22, 4, 3, 1, 1]
    assert [b[0].key for b in batches[2:]] == ["t100.txt", "p2.PDF", "p6.PDF", "huge.pdf", "last.docx"]
