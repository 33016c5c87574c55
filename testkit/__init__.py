"""Test and demo helpers, kept out of the product (not in the wheel, not in the engine fingerprint).

``synth`` makes synthetic reports, ``render`` prints them in the styles real reports come in (HTML,
DOCX, text), ``pdfgen`` makes PDFs of them, ``mutate`` injects single-cell errors, ``demo`` and
``seaweed`` run ``make demo`` on a local SeaweedFS.
"""
