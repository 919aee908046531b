"""UPI checkout latency: payment request created (DB commit included) + 1080×1080 QR
image ready, against the ``qrcode`` library's bare matrix encode of the same URI.

Run: ``.venv/bin/python benchmarks/qr.py``. Prints medians and the ratio (target ≤ 3×).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from backend.adapters.upi.qr import render_image
from backend.clock import ManualClock
from backend.config import Secrets, Settings
from backend.context import Context
from backend.domain.catalog import load_catalog
from backend.services.shop import customers
from backend.services.upi import upi_requests
from backend.store import open_store

ROUNDS = 60
SIZE = 1080


def bare_encode(uri: str) -> None:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(uri)
    code.make(fit=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings()
        settings.upi.vpa, settings.upi.payee_name, settings.upi.mcc = (
            "autoos.shop@okaxis",
            "AUTOOS Shop",
            "5734",
        )
        ctx = Context(
            store=open_store(Path(tmp) / "bench.db"),
            clock=ManualClock(),
            catalog=load_catalog(),
            settings=settings,
            secrets=Secrets(env={}, use_keyring=False),
        )
        cid = customers.add_customer(ctx, name="Bench", email="b@example.in", actor="bench")["id"]
        full, floor, uris = [], [], []
        for i in range(ROUNDS + 5):
            start = time.perf_counter()
            payment = upi_requests.create_request(
                ctx,
                customer_id=cid,
                tier="student",
                interval="month",
                actor="bench",
                checkout_id=f"bench-{i}",
            )
            image = render_image(payment["uri"], SIZE)
            elapsed = time.perf_counter() - start
            assert image.size == (SIZE, SIZE)
            start = time.perf_counter()
            bare_encode(payment["uri"])
            bare = time.perf_counter() - start
            if i >= 5:  # warm-up
                full.append(elapsed)
                floor.append(bare)
                uris.append(payment["uri"])
        ctx.store.close()
    ours, base = statistics.median(full), statistics.median(floor)
    print(f"URI length {len(uris[0])} chars, {ROUNDS} rounds, {SIZE}x{SIZE} px")
    print(f"request + commit + QR image: median {ours * 1000:.2f} ms")
    print(f"qrcode bare matrix encode:   median {base * 1000:.2f} ms")
    print(f"ratio {ours / base:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
