"""Drawing an invoice or receipt as a one-page A4 PDF with ReportLab.

Pure Python, so the REST API can serve the same PDF from a server process without Qt.
DejaVu Sans (bundled in ``resources/fonts`` with its licence) has the rupee sign.
Output is deterministic: ReportLab's invariant mode (no random document id), with the
document's creation date set to the payment's time, so re-printing gives the same bytes.
"""

from __future__ import annotations

import io
import time
from functools import cache
from typing import Any

from backend.clock import parse_iso
from backend.domain.money import Money, format_money

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
MARGIN = 50


@cache
def _register_fonts() -> None:
    """Load the bundled fonts once, on first use (not at import)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from resources import resource_path

    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts/DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(BOLD, str(resource_path("fonts/DejaVuSans-Bold.ttf"))))


def _money(amount: int, currency: str) -> str:
    return format_money(Money(amount, currency))


def render_invoice(doc: dict[str, Any]) -> bytes:
    """Render :func:`backend.services.billing.invoices.invoice_for_payment`'s dict to PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    _fix_creation_date(pdf, doc["paid_at"])
    pdf.setTitle(f"{doc['title']} {doc['number']}")
    pdf.setAuthor(doc["seller"]["name"])
    pdf.setCreator("AUTOOS Checkout")
    width, height = A4
    cur = doc["currency"]
    right = width - MARGIN

    # -- seller (left) and document (right) --------------------------------------
    y = height - MARGIN - 10
    pdf.setFont(BOLD, 18)
    pdf.drawString(MARGIN, y, doc["seller"]["name"])
    pdf.setFont(BOLD, 16)
    pdf.drawRightString(right, y, doc["title"].upper())
    pdf.setFont(FONT, 9.5)
    left_lines = [line for line in doc["seller"]["address"].splitlines() if line.strip()]
    if doc["seller"]["state"]:
        left_lines.append(f"State: {doc['seller']['state']}")
    if doc["seller"]["gstin"]:
        left_lines.append(f"GSTIN: {doc['seller']['gstin']}")
    right_lines = [
        f"{'Invoice' if doc['kind'] == 'tax_invoice' else 'Receipt'} no.: {doc['number']}",
        f"Date: {doc['date']}",
        f"Payment: {doc['payment_id']}",
        f"Paid by: {doc['method']}",
    ]
    if doc["reference"]:
        right_lines.append(f"Reference: {doc['reference']}")
    if doc.get("terminal"):
        right_lines.append(f"Till: {doc['terminal']}")
    for i in range(max(len(left_lines), len(right_lines))):
        y -= 14
        if i < len(left_lines):
            pdf.drawString(MARGIN, y, left_lines[i])
        if i < len(right_lines):
            pdf.drawRightString(right, y, right_lines[i])

    # -- buyer -------------------------------------------------------------------
    y -= 30
    pdf.setFont(BOLD, 10.5)
    pdf.drawString(MARGIN, y, "Bill to")
    pdf.setFont(FONT, 9.5)
    buyer = doc["buyer"]
    for line in (
        buyer["name"],
        buyer["email"],
        buyer["phone"],
        f"State: {buyer['state']}" if buyer["state"] else "",
        f"Place of supply: {doc['place_of_supply']}" if doc["place_of_supply"] else "",
    ):
        if line:
            y -= 14
            pdf.drawString(MARGIN, y, line)

    # -- the line table ------------------------------------------------------------
    y -= 34
    gst = doc["kind"] == "tax_invoice"
    cols = (
        [("Description", MARGIN, "l"), ("SAC", 290, "l"), ("Taxable value", 420, "r"),
         ("Amount", right, "r")]
        if gst
        else [("Description", MARGIN, "l"), ("Amount", right, "r")]
    )  # fmt: skip
    pdf.setFillGray(0.92)
    pdf.rect(MARGIN - 4, y - 6, right - MARGIN + 8, 20, stroke=0, fill=1)
    pdf.setFillGray(0)
    pdf.setFont(BOLD, 9.5)
    for title, x, align in cols:
        (pdf.drawString if align == "l" else pdf.drawRightString)(x, y, title)
    y -= 22
    pdf.setFont(FONT, 9.5)
    values = (
        [doc["description"], doc["sac_code"], _money(doc["taxable"], cur),
         _money(doc["total"], cur)]
        if gst
        else [doc["description"], _money(doc["total"], cur)]
    )  # fmt: skip
    for (_, x, align), value in zip(cols, values, strict=True):
        (pdf.drawString if align == "l" else pdf.drawRightString)(x, y, value)
    y -= 10
    pdf.setLineWidth(0.5)
    pdf.line(MARGIN - 4, y, right + 4, y)

    # -- totals ------------------------------------------------------------------
    label_x = right - 150
    rows: list[tuple[str, str, bool]] = []
    if gst:
        rows.append(("Taxable value", _money(doc["taxable"], cur), False))
        for tax in doc["taxes"]:
            rows.append((f"{tax['name']} @ {tax['percent']}%", _money(tax["amount"], cur), False))
    rows.append(("Total", _money(doc["total"], cur), True))
    if doc["refunded"]:
        rows.append(("Refunded", "-" + _money(doc["refunded"], cur), False))
        rows.append(("Net paid", _money(doc["total"] - doc["refunded"], cur), True))
    for label, value, bold in rows:
        y -= 18
        pdf.setFont(BOLD if bold else FONT, 10.5 if bold else 9.5)
        pdf.drawRightString(label_x, y, label)
        pdf.drawRightString(right, y, value)

    # -- the UPI AutoPay mandate the payment was made under -------------------------
    if doc.get("mandate_line"):
        y -= 30
        pdf.setFont(FONT, 9.5)
        pdf.drawString(MARGIN, y, doc["mandate_line"])

    # -- notes -------------------------------------------------------------------
    y -= 40
    pdf.setFont(FONT, 8)
    notes: list[str] = []
    if gst:
        notes.append(
            "Prices include GST at 18%. Taxable value = total × 100/118, rounded to the "
            "paisa; the tax is the rest."
        )
        if len(doc["taxes"]) == 2:
            notes.append("CGST and SGST are each half of the tax; an odd paisa goes to CGST.")
        notes.append("Tax is not payable on reverse charge.")
    else:
        notes.append("No sales tax is charged on this receipt.")
    notes.append("Computer-generated document; no signature required.")
    for note in notes:
        pdf.drawString(MARGIN, y, note)
        y -= 12
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _fix_creation_date(pdf: Any, when: str) -> None:
    """Stamp the document with the payment's time instead of the wall clock."""
    stamp = pdf._doc._timeStamp  # ReportLab keeps the creation time here
    epoch = parse_iso(when).timestamp()
    stamp.t = epoch
    stamp.lt = time.gmtime(epoch)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
