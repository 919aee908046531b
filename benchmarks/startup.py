"""Start-up time and memory of the staff window against a bare PySide6 window, and the
time from "Pay with UPI" to the QR painted on screen.

1. Process start → first paint of the staff window (``autoos-checkout --self-test``: the
   window's first paint event prints the time and VmRSS/VmHWM, then it exits), against a
   bare ``QMainWindow`` with one label started the same way, alternating, several runs
   each; medians. Targets: ≤ 1.5× the time, ≤ 1.3×
   the memory.
2. In-process: tap "Pay with UPI" on the kiosk → the QR's first paint, through the task
   runner and a real SQLite file; floor: the same request made and painted directly on
   the GUI thread (no runner, no kiosk).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's app/backend, not an installed copy

BARE = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

def memory():
    out = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out

class First(QObject):
    done = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print(json.dumps({"painted_at": time.monotonic(), **memory()}), flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("AUTOOS Checkout"))
probe = First(window)
window.installEventFilter(probe)
window.resize(1100, 480)
window.show()
app.exec()
"""


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "RAZORPAY_"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        AUTOOS_CHECKOUT_DB=str(db),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        AUTOOS_CHECKOUT_CONFIG=str(db.parent / "settings.toml"),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> dict[str, float]:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{args}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    report = json.loads(lines[-1])
    return {
        "seconds": report["painted_at"] - start,
        "rss_mib": report["VmRSS"] / 1024,
        "hwm_mib": report["VmHWM"] / 1024,
    }


def compile_bytecode() -> None:
    """Write the project's ``.pyc`` files, as ``pip install`` and PyInstaller do: without
    them every start compiles our sources (``PYTHONDONTWRITEBYTECODE`` machines), a cost
    no installed copy pays and the bare window (one ``-c`` line) never has."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "app", "backend", "resources"],
        cwd=ROOT,
        check=True,
    )


def startup(runs: int) -> dict[str, dict[str, float]]:
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="autoos-bench-") as tmp:
        db = Path(tmp) / "checkout.db"
        (Path(tmp) / "settings.toml").write_text("", encoding="utf-8")
        env = _env(db)
        staff_args = ["-m", "app.main", "--self-test"]
        bare_args = ["-c", BARE]
        _run(staff_args, env)  # creates and migrates the database; warms the file cache
        _run(bare_args, env)
        samples: dict[str, list[dict[str, float]]] = {"staff": [], "bare": []}
        for _ in range(runs):
            samples["staff"].append(_run(staff_args, env))
            samples["bare"].append(_run(bare_args, env))
    return {
        name: {key: statistics.median(s[key] for s in runs_) for key in runs_[0]}
        for name, runs_ in samples.items()
    }


def pay_to_qr(rounds: int) -> dict[str, float]:
    """Median ms from the "Pay with UPI" tap to the QR painted, and the direct floor."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.kiosk.options import KioskOptions
    from app.kiosk.window import KioskWindow
    from app.runtime.tasks import TaskRunner
    from app.widgets.qr_view import QrView
    from backend.adapters.upi.qr import qr_matrix
    from backend.clock import ManualClock
    from backend.config import Secrets, Settings
    from backend.context import Context
    from backend.domain.catalog import load_catalog
    from backend.interface import Caller, CheckoutApi
    from backend.services.shop import customers
    from backend.services.upi import upi_requests
    from backend.store import open_store

    loop = QEventLoop()
    tick = QTimer()
    tick.start(1)

    def wait(condition) -> None:  # type: ignore[no-untyped-def]
        deadline = QDeadlineTimer(20_000)
        while not condition():
            loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if deadline.hasExpired():
                raise TimeoutError("pay_to_qr: no QR")

    settings = Settings()
    settings.upi.vpa = "autoos.shop@okaxis"
    settings.upi.payee_name = "AUTOOS Shop"
    settings.upi.mcc = "5734"
    with tempfile.TemporaryDirectory(prefix="autoos-bench-") as tmp:
        clock = ManualClock()
        ctx = Context(
            store=open_store(Path(tmp) / "pay.db"),
            clock=clock,
            catalog=load_catalog(),
            settings=settings,
            secrets=Secrets(env={}, use_keyring=False),
        )
        runner = TaskRunner()
        kiosk = KioskWindow(
            CheckoutApi(ctx, Caller.counter("kiosk")), runner, clock.now, KioskOptions()
        )
        kiosk.resize(1920, 1080)
        kiosk.show()
        kiosk.start()
        wait(lambda: bool(kiosk.plan_page.buttons))
        through_kiosk: list[float] = []
        for i in range(rounds):
            kiosk.plan_page.buttons["student"].click()
            kiosk.details_page.fields["name"].setText(f"Bench {i}")
            kiosk.details_page.fields["email"].setText(f"bench{i}@example.com")
            kiosk.details_page.submit()
            wait(lambda: kiosk.page is kiosk.method_page)
            painted: list[float] = []
            qr = kiosk.payment_page.panel.qr
            qr.painted.connect(lambda p=painted: p.append(time.perf_counter()))
            start = time.perf_counter()
            kiosk.method_page.upi_button.click()
            wait(lambda p=painted: bool(p))
            through_kiosk.append((painted[0] - start) * 1000)
            qr.painted.disconnect()
            kiosk.reset("cancel")
            wait(lambda: runner.running == 0)

        view = QrView()
        view.resize(1100, 1000)
        view.show()
        wait(lambda: view.windowHandle() is not None and view.windowHandle().isExposed())
        direct: list[float] = []
        for i in range(rounds):
            customer = customers.add_customer(
                ctx, name=f"Floor {i}", email=f"floor{i}@example.com", actor="bench"
            )
            painted = []
            view.painted.connect(lambda p=painted: p.append(time.perf_counter()))
            start = time.perf_counter()
            request = upi_requests.create_request(
                ctx, customer_id=customer["id"], tier="student", interval="month", actor="bench"
            )
            view.set_matrix(qr_matrix(request["uri"]), request["uri"])
            view.repaint()
            direct.append((painted[0] - start) * 1000)
            view.painted.disconnect()
        tick.stop()
        runner.shutdown()
        kiosk.idle.remove()
        kiosk.hide()
        ctx.store.close()
    del app
    return {"kiosk_ms": statistics.median(through_kiosk), "direct_ms": statistics.median(direct)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    medians = startup(args.runs)
    staff, bare = medians["staff"], medians["bare"]
    time_ratio = staff["seconds"] / bare["seconds"]
    mem_ratio = staff["hwm_mib"] / bare["hwm_mib"]
    print(f"start → first paint, median of {args.runs}:")
    print(
        f"  staff window {staff['seconds'] * 1000:.0f} ms, RSS {staff['rss_mib']:.1f} MiB, "
        f"HWM {staff['hwm_mib']:.1f} MiB"
    )
    print(
        f"  bare PySide6 {bare['seconds'] * 1000:.0f} ms, RSS {bare['rss_mib']:.1f} MiB, "
        f"HWM {bare['hwm_mib']:.1f} MiB"
    )
    print(f"  time ratio {time_ratio:.2f} (target ≤ 1.5), memory ratio {mem_ratio:.2f} (≤ 1.3)")
    pay = pay_to_qr(args.rounds)
    print(f"'Pay with UPI' tap → QR painted, median of {args.rounds}:")
    print(
        f"  kiosk {pay['kiosk_ms']:.1f} ms; direct on the GUI thread {pay['direct_ms']:.1f} ms; "
        f"ratio {pay['kiosk_ms'] / pay['direct_ms']:.2f}"
    )
    return 0 if time_ratio <= 1.5 and mem_ratio <= 1.3 else 1


if __name__ == "__main__":
    raise SystemExit(main())
