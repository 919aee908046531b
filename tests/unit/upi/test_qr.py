"""The QR decodes with an independent reader (zxing-cpp) to exactly the URI, at any size,
drawn sharp: whole-pixel modules, centred, with the quiet zone."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from backend.adapters.upi.qr import (
    QUIET_ZONE,
    layout,
    qr_matrix,
    render_image,
    render_png,
    render_svg,
)
from backend.errors import ValidationError
from tests.qr_reading import read_qr

URI = (
    "upi://pay?pa=autoos.shop@okaxis&pn=AUTOOS%20Shop%20%26%20Co&mc=5734&tr=AC0123456789ABCDEF"
    "&tn=AUTOOS%20Student%20monthly&am=799.00&cu=INR"
)


def _decode(image: Image.Image) -> list[str]:
    return read_qr(image)


@pytest.mark.parametrize("size", [150, 151, 240, 333, 480, 720, 1080, 1081, 1440, 2160])
def test_decodes_to_exactly_the_uri_at_every_size(size):
    image = render_image(URI, size)
    assert image.size == (size, size)
    assert _decode(image) == [URI]


def test_png_and_svg_decode_too():
    png = Image.open(io.BytesIO(render_png(URI, 600)))
    assert png.size == (600, 600)
    assert _decode(png) == [URI]
    svg = render_svg(URI)
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    side = len(qr_matrix(URI)) + 2 * QUIET_ZONE
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.get("shape-rendering") == "crispEdges"


def test_modules_are_sharp_squares_centred_in_a_white_quiet_zone():
    matrix = qr_matrix(URI)
    size = 1000
    image = render_image(URI, size)
    module, offset = layout(len(matrix), size)
    assert offset >= QUIET_ZONE * module
    used = [level for level, count in enumerate(image.histogram()) if count]
    assert used == [0, 255]  # no grey: nothing was scaled
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            for dx, dy in ((0, 0), (module - 1, module - 1)):
                pixel = image.getpixel((offset + x * module + dx, offset + y * module + dy))
                assert pixel == (0 if dark else 255)
    end = offset + len(matrix) * module
    assert abs(offset - (size - end)) <= 1  # centred
    margin = [image.getpixel((x, y)) for x in range(size) for y in (offset - 1, end)]
    assert set(margin) == {255}


def test_matrix_has_no_quiet_zone_and_uses_error_correction_m_or_better():
    matrix = qr_matrix(URI)
    assert matrix[0][:7] == [True] * 7  # finder pattern starts at the very first module
    assert all(len(row) == len(matrix) for row in matrix)
    result = zxingcpp.read_barcodes(render_image(URI, 600))[0]
    assert result.ec_level in ("M", "Q", "H")


def test_too_small_or_empty_is_refused():
    with pytest.raises(ValidationError, match="too small"):
        render_image(URI, 40)
    with pytest.raises(ValidationError, match="nothing"):
        qr_matrix("")
