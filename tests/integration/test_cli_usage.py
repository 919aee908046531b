"""The admin CLI as an admin runs it (a child process): answers as JSON, and bad input
gives one line on stderr, exit 2 and an unchanged database."""

import pytest

from backend.services.shop import customers
from tests.integration.ledger_checks import dump


@pytest.fixture
def asha(ctx):
    return customers.add_customer(
        ctx, name="Asha Rao", email="asha.rao@gmail.com", phone="9876543210", actor="t"
    )["id"]


def test_trial_usage_and_credits_commands(cli, asha):
    started = cli("trial", "start", "--customer", str(asha), "--json")
    assert started.code == 0, started.stderr
    assert (started.json["customer"], started.json["credits"]) == (asha, 10)
    assert started.json["ends_at"] > started.json["started_at"]

    args = ("usage", "record", "--customer", str(asha), "--kind", "workflow", "--event-id", "E1")
    first = cli(*args, "--json")
    assert first.json == {"allowed": True, "reason": None, "credits_left": 9}
    assert cli(*args, "--json").json == first.json  # a retry changes nothing

    adjusted = cli(
        "credits", "adjust", "--customer", str(asha), "--amount", "5", "--reason", "gift", "--json"
    )
    assert adjusted.code == 0, adjusted.stderr
    assert adjusted.json["balance"] == 14

    shown = cli("credits", "--customer", str(asha), "--json")
    assert shown.json["balance"] == 14
    assert [(e["kind"], e["amount"]) for e in shown.json["entries"]] == [
        ("grant", 10),
        ("debit", -1),
        ("adjust", 5),
    ]
    summary = cli("usage", "summary", "--customer", str(asha), "--json").json
    assert (summary["workflows_used"], summary["credits_left"]) == (1, 14)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("customer", "add", "--name", "Bo", "--email", "bo@"), "not an email address"),
        (("customer", "add", "--name", "Bo", "--phone", "12345"), "not a valid phone number"),
        (("customer", "add", "--name", "Bo", "--email", "ASHA.RAO@gmail.com"), "already exists"),
        (("tiers", "--tier", "platinum"), "no plan called 'platinum'"),
        (("staff", "add", "--name", "Meena", "--role", "staff", "--pin", "12"), "4 to 8 digits"),
        (
            ("credits", "adjust", "--customer", "{asha}", "--amount", "2.5", "--reason", "x"),
            "not a whole number",
        ),
        (
            ("credits", "adjust", "--customer", "{asha}", "--amount", "-3", "--reason", "x"),
            "cannot take away 3",
        ),
        (("trial", "start", "--customer", "999"), "no customer number 999"),
        (
            ("usage", "record", "--customer", "999", "--kind", "workflow", "--event-id", "e"),
            "no customer number 999",
        ),
        (
            ("usage", "record", "--customer", "{asha}", "--kind", "coffee", "--event-id", "e"),
            "Unknown usage kind",
        ),
        (("credits", "--customer", "999"), "no customer number 999"),
        (("credits", "--customer", "abc"), "invalid int value"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(cli, db_path, asha, args, words):
    args = tuple(a.format(asha=asha) for a in args)
    before = dump(db_path)
    result = cli(*args, "--json")
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    assert dump(db_path) == before


def test_a_second_trial_is_refused_through_the_cli(cli, db_path, ctx, asha):
    assert cli("trial", "start", "--customer", str(asha)).code == 0
    other = customers.add_customer(ctx, name="Asha R", email="asharao+2@gmail.com", actor="t")
    before = dump(db_path)
    result = cli("trial", "start", "--customer", str(other["id"]))
    assert result.code == 2
    assert "one trial per person" in result.stderr
    assert dump(db_path) == before
