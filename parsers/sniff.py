"""Tell the format of a file from its first bytes, not from its name."""

from __future__ import annotations

import io
import zipfile

_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


def sniff(data: bytes) -> str:
    """One of: empty, pdf, docx, zip, doc, rtf, image, html, text, binary."""
    if not data or not data.strip():
        return "empty"
    head = data[:2048]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return "binary"
        return "docx" if "word/document.xml" in names else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"  # OLE2 compound file: legacy Word (also WPS)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if any(head.startswith(m) for m in _IMAGE_MAGIC) or head[4:12] in (b"ftypheic", b"ftypavif"):
        return "image"
    text = _peek_text(head)
    if text is None:
        return "binary"
    low = text.lower().lstrip("\ufeff \r\n\t")
    if low.startswith(("<!doctype html", "<html", "<?xml")) or "<table" in low or "<body" in low or "<p>" in low:
        return "html"
    return "text"


def _peek_text(head: bytes) -> str | None:
    if b"\x00" in head.replace(b"\x00\x00", b"")[:512] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError as e:
            # a multi-byte character cut at the end of the sample is fine
            if e.start >= len(head) - 4:
                return head[: e.start].decode(enc, errors="ignore")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return None
