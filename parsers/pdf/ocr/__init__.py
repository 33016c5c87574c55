"""OCR of scanned or garbled PDF pages with Tesseract: every cell flagged ``ocr`` with a confidence."""
