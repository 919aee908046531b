"""``autoos-checkout token create|list|revoke`` as an admin runs it."""

from __future__ import annotations


def test_token_create_list_revoke(cli):
    created = cli("token", "create", "--role", "kiosk", "--name", "front door", "--json")
    assert created.code == 0, created.stderr
    token = created.json["token"]
    assert created.json["role"] == "kiosk"
    listed = cli("token", "list", "--json")
    assert [t["name"] for t in listed.json["tokens"]] == ["front door"]
    assert token not in listed.stdout
    assert cli("token", "revoke", "front door", "--json").json["revoked_at"]
    assert cli("token", "list", "--json").json["tokens"] == []
    again = cli("token", "revoke", "front door", "--json")
    assert again.code == 2
    assert "already revoked" in again.stderr


def test_token_create_refuses_unknown_roles(cli):
    result = cli("token", "create", "--role", "root", "--json")
    assert result.code == 2
    assert "invalid choice" in result.stderr
