"""``autoos-checkout usage import FILE``: JSON lines through the batch operation, bad lines
reported by number and the rest imported, batches of at most 1,000, an unreadable file
one line and exit 2."""

from __future__ import annotations

import json

import pytest

from backend.cli import usage_import
from backend.interface import AUTOOS, Caller, CheckoutApi
from backend.services.shop import customers
from backend.services.trials import trials
from tests.integration.ledger_checks import check_invariants, dump, subscribe


@pytest.fixture
def trialist(ctx) -> int:
    cid = customers.add_customer(ctx, name="Asha", email="asha@example.com", actor="t")["id"]
    trials.start_trial(ctx, cid, actor="t")
    return cid


def line(cid: int, event_id: str, kind: str = "workflow") -> str:
    return json.dumps({"customer_id": cid, "kind": kind, "event_id": event_id})


def test_import_reports_bad_lines_by_number_and_imports_the_rest(cli, ctx, tmp_path, trialist):
    path = tmp_path / "usage.jsonl"
    path.write_text(
        "\n".join(
            [
                line(trialist, "e1"),
                "{not json",
                "",  # blank lines are skipped, but still counted in line numbers
                line(trialist, "e2", kind="nap"),
                line(trialist, "e1"),  # a duplicate: the first answer, counted once
                line(trialist, "e3"),
            ]
        )
        + "\n"
    )
    result = cli("usage", "import", str(path), "--json")
    assert result.code == 0, result.stderr
    out = result.json
    assert {k: out[k] for k in ("events_read", "recorded", "allowed", "denied", "refused")} == {
        "events_read": 5,
        "recorded": 3,
        "allowed": 3,
        "denied": 0,
        "refused": 2,
    }
    assert out["refused_lines"][0].startswith("line 2: not JSON")
    assert out["refused_lines"][1].startswith("line 4: Unknown usage kind 'nap'")
    answers = out["answers"]
    assert [a["line"] for a in answers] == [1, 2, 4, 5, 6]
    assert answers[0] == answers[3] | {"line": 1}
    assert [a.get("credits_left") for a in answers] == [9, None, None, 9, 8]
    assert check_invariants(ctx.store) == {"debits": 2, "events": 2}
    assert ctx.store.scalar("SELECT DISTINCT actor FROM usage_events") == "cli"

    again = cli("usage", "import", str(path))  # a re-run records nothing new
    assert again.code == 0, again.stderr
    assert "recorded: 3" in again.stdout
    assert "line 2: not JSON" in again.stdout
    assert check_invariants(ctx.store) == {"debits": 2, "events": 2}


def test_a_large_file_goes_in_batches_of_at_most_1000(ctx, tmp_path, monkeypatch):
    cid = customers.add_customer(ctx, name="Pro", email="pro@example.com", actor="t")["id"]
    subscribe(ctx, cid, "professional")
    path = tmp_path / "big.jsonl"
    path.write_text("".join(line(cid, f"w{i}") + "\n" for i in range(2500)))
    api = CheckoutApi(ctx, Caller(AUTOOS, "cli"))
    sizes: list[int] = []
    batch = api.report_usage_batch

    def counting(events):
        sizes.append(len(events))
        return batch(events)

    monkeypatch.setattr(api, "report_usage_batch", counting)
    answers = usage_import.import_file(api, path)
    assert sizes == [1000, 1000, 500]
    assert [a["line"] for a in answers] == list(range(1, 2501))
    assert all(a["allowed"] for a in answers)
    assert ctx.store.scalar("SELECT count(*) FROM usage_events") == 2500


@pytest.mark.parametrize("which", ["missing", "directory"])
def test_an_unreadable_file_is_one_line_and_exit_2(cli, db_path, tmp_path, trialist, which):
    path = tmp_path / "nope.jsonl" if which == "missing" else tmp_path
    before = dump(db_path)
    result = cli("usage", "import", str(path))
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: Cannot read the usage file {path}")
    assert dump(db_path) == before
