"""PDF reports: pdfplumber reads the text layer; tables ruled or borderless; OCR for scans.

``reader.parse_pdf`` is the entry point (imported from there: this package imports nothing, so the
text path can use ``layout_text`` without loading pdfplumber). ``text`` turns words into lines,
``tables`` reads ruled tables, ``page_tables`` splits a page into text and borderless tables with
``borderless``, ``blank_tables`` and ``header_grid``; ``layout_text`` joins labels wrapped around
their numbers in ``pdftotext -layout`` text; ``crop`` renders a cell's image; ``ocr/`` reads scans
with Tesseract.
"""
