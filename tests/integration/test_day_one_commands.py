"""Correcting customers and managing staff, from the command line (a child process, as
an admin runs it) and over the REST API: answers as JSON; bad input is one line on
stderr and exit 2, or a 4xx, and changes nothing."""

from __future__ import annotations

import pytest

from backend.api.server import BackgroundServer
from backend.services.shop import api_tokens, customers, staff
from backend.services.trials import trials
from tests.integration.ledger_checks import dump


@pytest.fixture
def people(ctx):
    owner = staff.add_staff(ctx, name="Asha", role="admin", pin="4821", actor="t")
    clerk = staff.add_staff(ctx, name="Ravi", role="staff", pin="1357", actor="t")
    kavya = customers.add_customer(ctx, name="Kavya", email="kavya@example.com", actor="t")
    trials.start_trial(ctx, kavya["id"], actor="t")
    kavya = customers.update_customer(ctx, kavya["id"], email="kavya.r@example.com", actor="t")
    meena = customers.add_customer(ctx, name="Meena", phone="9876543210", actor="t")
    return {"owner": owner, "clerk": clerk, "kavya": kavya, "meena": meena}


def test_customer_edit_and_staff_management(cli, people, ctx):
    meena = people["meena"]["id"]
    edited = cli("customer", "edit", str(meena), "--email", "meena@example.com", "--json")
    assert edited.code == 0, edited.stderr
    assert (edited.json["email"], edited.json["phone"]) == ("meena@example.com", "+919876543210")
    cleared = cli("customer", "edit", str(meena), "--phone", "", "--json")
    assert cleared.json["phone"] is None

    listed = cli("staff", "list", "--json").json["staff"]
    assert [(p["name"], p["state"]) for p in listed] == [("Asha", "active"), ("Ravi", "active")]
    clerk = str(people["clerk"]["id"])
    assert cli("staff", "deactivate", clerk, "--json").json["active"] == 0
    assert staff.list_staff(ctx)[0]["name"] == "Asha"  # Ravi can no longer be chosen
    assert cli("staff", "activate", clerk, "--json").code == 0
    assert cli("staff", "reset-pin", clerk, "--pin", "2468", "--json").code == 0
    assert staff.authenticate(ctx, "Ravi", "2468")["name"] == "Ravi"
    assert cli("staff", "unlock", clerk, "--json").code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("customer", "edit", "{meena}", "--phone", "98765abc10"), "has 'abc' in it"),
        (("customer", "edit", "{meena}", "--email", "kavya@example.com"), "already had a free"),
        (("customer", "edit", "{meena}", "--phone", ""), "Enter an email address or a phone"),
        (("customer", "edit", "{meena}"), "give --name, --email, --phone or --state"),
        (("customer", "edit", "999", "--name", "X"), "no customer number 999"),
        (("customer", "add", "--name", "Bo", "--phone", "98765abc10"), "has 'abc' in it"),
        (("staff", "deactivate", "{owner}"), "last active admin"),
        (("staff", "reset-pin", "{clerk}", "--pin", "12a4"), "4 to 8 digits"),
        (("staff", "unlock", "999"), "no staff member number 999"),
        (("staff", "activate", "abc"), "invalid int value"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(cli, people, db_path, args, words):
    ids = {k: str(v["id"]) for k, v in people.items()}
    before = dump(db_path)
    result = cli(*(a.format(**ids) for a in args), "--json")
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert dump(db_path) == before


def test_the_same_over_the_api(ctx, people):
    import httpx

    admin = api_tokens.create_token(ctx, role="admin", name="back office", actor="t")["token"]
    till = api_tokens.create_token(ctx, role="staff", name="Counter 1", actor="t")["token"]
    meena, owner = people["meena"]["id"], people["owner"]["id"]
    with BackgroundServer(ctx) as server, httpx.Client(base_url=server.url) as http:
        as_till = {"Authorization": f"Bearer {till}"}
        as_admin = {"Authorization": f"Bearer {admin}"}
        bad = http.post(
            f"/payments/customers/{meena}",
            json={"name": " ", "phone": "98765abc10"},
            headers=as_till,
        )
        assert bad.status_code == 422
        assert "2 details need fixing" in bad.json()["error"]["message"]
        assert set(bad.json()["error"]["problems"]) == {"name", "phone"}
        ok = http.post(f"/payments/customers/{meena}", json={"name": "Meena R"}, headers=as_till)
        assert (ok.status_code, ok.json()["name"]) == (200, "Meena R")
        assert http.post(f"/staff/{owner}/deactivate", headers=as_till).status_code == 403
        last = http.post(f"/staff/{owner}/deactivate", headers=as_admin)
        assert (last.status_code, last.json()["error"]["code"]) == (409, "conflict")
        listed = http.get("/staff", params={"include_inactive": True}, headers=as_admin).json()
        assert {p["name"]: p["state"] for p in listed["staff"]} == {
            "Asha": "active",
            "Ravi": "active",
        }
    assert customers.get_customer(ctx, meena)["phone"] == "+919876543210"  # the 422 left it
