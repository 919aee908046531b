"""The shipped catalog is the design's price table; a malformed file says where and why."""

from pathlib import Path

import pytest

from backend.domain.catalog import load_catalog, parse_catalog
from backend.domain.money import Money
from backend.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _prices(tier):
    return {key: money.amount for key, money in tier.prices.items()}


def test_catalog_matches_the_design_table():
    catalog = load_catalog()
    assert [t.id for t in catalog] == [
        "free_trial",
        "student",
        "employee",
        "professional",
        "enterprise",
    ]
    trial = catalog.get("free_trial")
    assert (trial.name, trial.trial_days, trial.card_required) == ("Free Trial", 30, False)
    assert (trial.limits.credits, trial.limits.concurrent_agents) == (10, 2)
    assert trial.limits.workflows_per_month == 10
    assert not trial.prices
    assert catalog.trial is trial

    expected = {
        "student": ((999, 9999, 79900, 799900), 100, 5, False),
        "employee": ((2999, 29999, 239900, 2399900), 500, 20, True),
        "professional": ((9999, 99999, 799900, 7999900), None, 100, False),
    }
    for tier_id, ((usd_m, usd_y, inr_m, inr_y), per_month, agents, recommended) in expected.items():
        tier = catalog.get(tier_id)
        assert _prices(tier) == {
            ("USD", "month"): usd_m,
            ("USD", "year"): usd_y,
            ("INR", "month"): inr_m,
            ("INR", "year"): inr_y,
        }, tier_id
        assert tier.limits.workflows_per_month == per_month
        assert tier.limits.concurrent_agents == agents
        assert tier.recommended is recommended
        assert tier.purchasable
    assert catalog.get("employee").price("INR", "year").format() == "₹23,999.00"
    assert catalog.get("student").price("usd", "month") == Money(999, "USD")

    enterprise = catalog.get("enterprise")
    assert enterprise.contact_sales
    assert not enterprise.purchasable
    assert not enterprise.prices
    assert enterprise.limits.workflows_per_month is None
    assert enterprise.limits.concurrent_agents is None
    assert sum(t.recommended for t in catalog) == 1


GOOD = """[tiers.free_trial]
name = "Free Trial"
trial_days = 30

[tiers.student]
name = "Student"
[tiers.student.prices]
USD = { month = 999, year = 9999 }
[tiers.student.limits]
workflows_per_month = 100
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pricing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_edited_file_loads(tmp_path):
    catalog = load_catalog(_write(tmp_path, GOOD))
    assert catalog.get("student").price("USD", "year") == Money(9999, "USD")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (GOOD.replace('name = "Student"', 'name = "Student'), 6, "line 6"),
        (GOOD.replace("month = 999,", "month = -999,"), 8, "above 0"),
        (
            GOOD.replace("workflows_per_month = 100", "workflows_per_month = 100\nspeed = 3"),
            11,
            "unknown limit 'speed'",
        ),
        (
            GOOD.replace('name = "Student"', 'name = "Student"\ncolour = "red"'),
            7,
            "unknown key 'colour'",
        ),
    ],
    ids=["toml-syntax", "negative-price", "unknown-limit", "unknown-key"],
)
def test_a_malformed_file_names_file_line_and_problem(tmp_path, text, line, problem):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_catalog(path)
    message = str(err.value)
    assert str(path) in message
    assert f"line {line}" in message
    assert problem in message


def test_a_missing_catalog_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the catalog"):
        load_catalog(tmp_path / "nope.toml")


def test_two_recommended_tiers_are_refused():
    text = GOOD.replace('name = "Student"', 'name = "Student"\nrecommended = true').replace(
        'name = "Free Trial"', 'name = "Free Trial"\nrecommended = true'
    )
    with pytest.raises(ConfigError, match="only one tier"):
        parse_catalog(text, "x.toml")
