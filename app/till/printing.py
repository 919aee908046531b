"""Printing PDFs (receipts, invoices) through ``QPrinter``.

The backend draws the PDF (the same bytes the API serves and the email attaches); here
each page is rendered with QtPdf at the printer's resolution (at most 300 dpi) and
painted onto the printer's pages, so what is printed is exactly what is stored. Which
printer is asked on the till (:mod:`app.till.receipts`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from backend.errors import ValidationError

MAX_DPI = 300


def open_pdf(data: bytes) -> QPdfDocument:
    """``data`` loaded with QtPdf, ready to render; refused when it is not a readable PDF."""
    document = QPdfDocument()
    buffer = QBuffer(document)  # owned by the document, which reads from it while rendering
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise ValidationError("This document cannot be printed: it is not a readable PDF.")
    return document


def page_image(document: QPdfDocument, page: int, dpi: int) -> QImage:
    """Page ``page`` of ``document`` at ``dpi`` (transparent where the page is blank)."""
    points = document.pagePointSize(page)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    return document.render(page, size)


def save_page_png(data: bytes, out: Path, *, page: int = 0, dpi: int = 80) -> Path:
    """One page of a PDF as a PNG on white paper (the docs' invoice picture, tests)."""
    rendered = page_image(open_pdf(data), page, dpi)
    image = QImage(rendered.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    if not image.save(str(out)):
        raise OSError(f"could not write {out}")
    return out


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Print every page of ``data`` on ``printer``; return the number of pages."""
    document = open_pdf(data)
    painter = QPainter()
    if not painter.begin(printer):
        raise ValidationError("The printer could not be opened.")
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            image = page_image(document, page, dpi)
            target = painter.viewport()
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.topLeft(), scaled), image)
    finally:
        painter.end()
    return document.pageCount()
