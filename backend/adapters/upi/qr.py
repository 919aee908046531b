"""QR codes drawn from the module matrix as sharp squares, at any size.

``qr_matrix`` is the single source of truth: the PNG/SVG here and the GUI's QPainter
paint the same modules. Images are never a small bitmap scaled up: every module is an
integer number of pixels, drawn as rectangles (one per horizontal run of dark modules),
centred, with at least the 4-module quiet zone scanners need.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M

from backend.errors import ValidationError

#: light modules around the code, as ISO/IEC 18004 asks
QUIET_ZONE = 4
DARK = 0
LIGHT = 255


def qr_matrix(text: str) -> list[list[bool]]:
    """Dark (True) / light modules of ``text``'s QR code, error correction M, no quiet zone."""
    if not text:
        raise ValidationError("There is nothing to put in the QR code.")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text.encode("utf-8"))
    try:
        code.make(fit=True)
    except qrcode.exceptions.DataOverflowError:
        raise ValidationError("The text is too long for a QR code.") from None
    return [list(row) for row in code.get_matrix()]


def _runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each horizontal run of dark modules."""
    runs = []
    start = -1
    for x, dark in enumerate(row):
        if dark and start < 0:
            start = x
        elif not dark and start >= 0:
            runs.append((start, x - start))
            start = -1
    if start >= 0:
        runs.append((start, len(row) - start))
    return runs


def layout(modules: int, size_px: int) -> tuple[int, int]:
    """(module size in px, offset of the first module) for a square of ``size_px``."""
    module = size_px // (modules + 2 * QUIET_ZONE)
    if module < 1:
        raise ValidationError(
            f"{size_px} px is too small for this QR code: it needs at least "
            f"{modules + 2 * QUIET_ZONE} px."
        )
    return module, (size_px - module * modules) // 2


def render_image(text: str, size_px: int) -> Image.Image:
    """A ``size_px`` × ``size_px`` greyscale image of the QR, sharp at any size."""
    matrix = qr_matrix(text)
    module, offset = layout(len(matrix), size_px)
    image = Image.new("L", (size_px, size_px), LIGHT)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        top = offset + y * module
        bottom = top + module - 1
        for start, length in _runs(row):
            left = offset + start * module
            draw.rectangle((left, top, left + length * module - 1, bottom), fill=DARK)
    return image


def render_png(text: str, size_px: int) -> bytes:
    buffer = io.BytesIO()
    render_image(text, size_px).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def render_svg(text: str) -> str:
    """A scalable SVG (one module = one user unit, quiet zone included)."""
    matrix = qr_matrix(text)
    side = len(matrix) + 2 * QUIET_ZONE
    path = []
    for y, row in enumerate(matrix):
        for start, length in _runs(row):
            path.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{length}v1h-{length}z")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{side * 8}" height="{side * 8}" shape-rendering="crispEdges">'
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(path)}"/></svg>\n'
    )
