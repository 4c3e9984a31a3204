"""The annual report as a PDF: its HTML printed by WeasyPrint, laid out on A4 by the report's
own print styles (page size, page numbers, where pages break)."""

from __future__ import annotations


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML  # heavy to import: only where a PDF is asked for

    return HTML(string=html).write_pdf()
