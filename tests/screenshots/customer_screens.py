"""Screenshots of the customer display and the kiosk at 1920×1080 (and the display as
a window beside the staff window), for the docs.

The data is made through the real services on a temporary database with a manual clock
(a fixed shop, plan and customer), and the kiosk is driven through its own buttons, so
the pictures show exactly what a customer sees. ``python -m
tests.screenshots.customer_screens [OUTDIR]`` writes them to ``docs/screenshots/`` by
default.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.widgets.style import styled
from tests.screenshots.shooting import OUT, save, settle, wait_for

SIZE = (1920, 1080)


#: the display's window beside a 1280-wide staff window on a 1920×1080 screen
BESIDE = (624, 720)


def _shoot(widget: QWidget, path: Path, size: tuple[int, int] = SIZE) -> Path:
    settle()
    widget.repaint()
    if (widget.width(), widget.height()) != size:  # content too wide: a layout bug
        raise RuntimeError(f"{path.name}: window is {widget.width()}×{widget.height()}")
    return save(widget, path)


def render_all(outdir: Path) -> list[Path]:
    """Render the display (idle, QR, paid, expired) and the kiosk (plan, details, QR,
    trial done) into ``outdir``; return the files written."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with styled(app), tempfile.TemporaryDirectory(prefix="autoos-shots-") as tmp:
        return _render(outdir, Path(tmp))


def _render(outdir: Path, tmp: Path) -> list[Path]:
    from app.display.customer_display import CustomerDisplay
    from app.display.start import build_display
    from app.kiosk.options import KioskOptions
    from app.kiosk.window import KioskWindow
    from app.runtime.payment_follow import POLL_MS
    from app.runtime.tasks import TaskRunner
    from app.widgets.screen_note import live_text
    from backend.clock import ManualClock
    from backend.config import Secrets, Settings
    from backend.context import Context
    from backend.domain.catalog import load_catalog
    from backend.interface import Caller, CheckoutApi
    from backend.services.shop import customers
    from backend.services.upi import upi_requests
    from backend.store import open_store

    settings = Settings()
    settings.shop.name = "AUTOOS"
    settings.upi.vpa = "autoos.shop@okaxis"
    settings.upi.payee_name = "AUTOOS Shop"
    settings.upi.mcc = "5734"
    clock = ManualClock("2026-11-26T10:00:00Z")
    ctx = Context(
        store=open_store(tmp / "screens.db"),
        clock=clock,
        catalog=load_catalog(),
        settings=settings,
        secrets=Secrets(env={}, use_keyring=False),
    )
    written: list[Path] = []
    runner = TaskRunner()
    try:
        tiers = [tier.to_json() for tier in ctx.catalog]
        display = CustomerDisplay(clock.now, result_seconds=0)
        display.resize(*SIZE)
        display.show()
        display.show_idle(tiers)
        written.append(_shoot(display, outdir / "display-idle.png"))

        customer = customers.add_customer(
            ctx, name="Priya Sharma", phone="9876543210", actor="screenshots"
        )
        request = upi_requests.create_request(
            ctx, customer_id=customer["id"], tier="employee", interval="month", actor="staff:1"
        )
        clock.advance(minutes=2, seconds=35)
        display.show_payment(request)
        written.append(_shoot(display, outdir / "display-qr.png"))

        paid = upi_requests.confirm_with_utr(ctx, request["id"], "512345678901", actor="staff:1")
        display.show_paid(paid)
        written.append(_shoot(display, outdir / "display-paid.png"))

        display.show_expired(request)
        written.append(_shoot(display, outdir / "display-expired.png"))

        # a UPI AutoPay sign-up: the provider's approval page, the mandate's terms first
        display.show_payment(
            {
                **request,
                "method": "upi_autopay",
                "url": "https://checkout.stripe.com/c/pay/cs_test_autopay_screenshot",
                "mandate": {"text": "up to ₹7,999.00 per month until 26 Nov 2031"},
            }
        )
        written.append(_shoot(display, outdir / "display-autopay.png"))

        # a store server's stream is down: the QR stays, and the screen says so
        display.show_payment(request)
        display.note.say(live_text(POLL_MS))
        written.append(_shoot(display, outdir / "display-paused.png"))
        display.note.say("")

        # one screen for both: the display is a window beside the staff window
        display.resize(*BESIDE)
        display.show_idle(None)
        written.append(_shoot(display, outdir / "display-beside-idle.png", BESIDE))
        display.show_payment(request)
        written.append(_shoot(display, outdir / "display-beside-qr.png", BESIDE))
        display.hide()

        # ``autoos-checkout display`` with no till to follow
        unpaired = build_display(
            CheckoutApi(ctx, Caller.counter("display")),
            runner,
            {
                "ui": {"display_screen": "auto", "display_pairs_with": ""},
                "shop": {"default_currency": "INR"},
            },
            clock.now,
        )
        unpaired.resize(*SIZE)
        unpaired.show()
        wait_for(lambda: bool(unpaired.tiers_panel.cards), "the unpaired display's plans")
        written.append(_shoot(unpaired, outdir / "display-unpaired.png"))
        unpaired.close()

        kiosk = KioskWindow(
            CheckoutApi(ctx, Caller.counter("kiosk")), runner, clock.now, KioskOptions()
        )
        kiosk.resize(*SIZE)
        kiosk.show()
        kiosk.start()
        wait_for(lambda: bool(kiosk.plan_page.buttons), "the plans")
        written.append(_shoot(kiosk, outdir / "kiosk-plan.png"))

        kiosk.plan_page.buttons["student"].click()
        fields = kiosk.details_page.fields
        fields["name"].setText("Rahul Mehta")
        fields["phone"].setText("98200 12345")
        fields["email"].setText("rahul@")
        kiosk.details_page.submit()  # shows the inline message for the unfinished email
        written.append(_shoot(kiosk, outdir / "kiosk-details.png"))

        fields["email"].setText("rahul.mehta@example.com")
        kiosk.details_page.submit()
        wait_for(lambda: kiosk.page is kiosk.method_page, "the payment methods")
        kiosk.method_page.upi_button.click()
        wait_for(lambda: kiosk.page is kiosk.payment_page, "the kiosk QR")
        written.append(_shoot(kiosk, outdir / "kiosk-qr.png"))
        kiosk.payment_page.cancel_button.click()  # the customer's own Cancel asks first
        written.append(_shoot(kiosk, outdir / "kiosk-stop.png"))
        kiosk.reset("cancel")

        kiosk.plan_page.buttons["free_trial"].click()
        fields["name"].setText("Ananya Rao")
        fields["email"].setText("ananya.rao@example.com")
        kiosk.details_page.submit()
        wait_for(lambda: kiosk.page is kiosk.result_page, "the trial started")
        written.append(_shoot(kiosk, outdir / "kiosk-trial-done.png"))
        wait_for(lambda: runner.running == 0, "background work to finish")
        kiosk.idle.remove()
        kiosk.hide()
        kiosk.deleteLater()
        display.deleteLater()
    finally:
        runner.shutdown()
        ctx.store.close()
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for path in render_all(out):
        print(path)
