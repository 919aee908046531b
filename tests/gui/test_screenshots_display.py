"""The display and kiosk screenshots render at their sizes and their QR codes decode."""

from __future__ import annotations

from PySide6.QtGui import QImage

from tests.qr_reading import decode_image, query
from tests.screenshots.customer_screens import render_all

EXPECTED = [
    "display-idle.png",
    "display-qr.png",
    "display-paid.png",
    "display-expired.png",
    "display-autopay.png",
    "display-paused.png",
    "display-beside-idle.png",
    "display-beside-qr.png",
    "display-unpaired.png",
    "kiosk-plan.png",
    "kiosk-details.png",
    "kiosk-qr.png",
    "kiosk-stop.png",
    "kiosk-trial-done.png",
]


def test_render_all_writes_every_screen_and_the_qrs_decode(qtbot, tmp_path):
    paths = render_all(tmp_path)
    assert [p.name for p in paths] == EXPECTED
    images = {p.name: QImage(str(p)) for p in paths}
    for name, image in images.items():
        size = (624, 720) if "beside" in name else (1920, 1080)
        assert (image.width(), image.height()) == size, name
    for name in ("display-qr.png", "display-beside-qr.png", "display-paused.png"):
        display_qr = decode_image(images[name])
        assert len(display_qr) == 1, name
        assert query(display_qr[0])["am"] == "2399.00"
        assert query(display_qr[0])["pa"] == "autoos.shop@okaxis"
    autopay = "https://checkout.stripe.com/c/pay/cs_test_autopay_screenshot"
    assert decode_image(images["display-autopay.png"]) == [autopay]  # the approval page
    kiosk_qr = decode_image(images["kiosk-qr.png"])
    assert len(kiosk_qr) == 1
    assert query(kiosk_qr[0])["am"] == "799.00"
    with_a_qr = {
        "display-paused.png",
        "display-autopay.png",
        "kiosk-stop.png",
    }  # (the QR stays behind them)
    for name in EXPECTED:
        if not name.endswith("qr.png") and name not in with_a_qr:
            assert decode_image(images[name]) == [], name
