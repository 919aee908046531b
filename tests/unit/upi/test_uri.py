"""UPI URIs: build → parse round trips, refusals with clear messages, bank QRs kept."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.adapters.upi.uri import (
    build_uri,
    deep_links,
    merchant_from_settings,
    parse_uri,
)
from backend.config import Settings
from backend.domain.money import Money
from backend.errors import NotConfigured, ValidationError

LIMIT = Money(10_000_000, "INR")  # ₹1,00,000

# printable text, including spaces, &, =, %, + and non-ASCII (Devanagari, ₹, emoji)
texts = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
        min_size=1,
        max_size=60,
    )
    .map(lambda s: unicodedata.normalize("NFC", s).strip())
    .filter(bool)
)
vpas = st.from_regex(r"[A-Za-z0-9._-]{2,20}@[A-Za-z0-9._-]{2,12}", fullmatch=True)
trs = st.from_regex(r"[A-Za-z0-9_-]{4,35}", fullmatch=True)
amounts = st.integers(min_value=1, max_value=LIMIT.amount).map(lambda p: Money(p, "INR"))


@settings(max_examples=150, deadline=None)
@given(pa=vpas, pn=texts, tn=texts, tr=trs, amount=amounts)
def test_build_then_parse_returns_the_same_fields(pa, pn, tn, tr, amount):
    uri = build_uri(pa=pa, pn=pn, tn=tn, tr=tr, amount=amount, mc="5734", max_amount=LIMIT)
    parsed = parse_uri(uri)
    assert (parsed.pa, parsed.pn, parsed.tn, parsed.tr, parsed.mc, parsed.cu) == (
        pa,
        pn,
        tn,
        tr,
        "5734",
        "INR",
    )
    assert parsed.amount == amount
    assert parsed.am == amount.decimal_string()
    assert parsed.extras == ()
    # only unreserved characters and escapes in the query: apps split on & and =
    query = uri.split("?", 1)[1]
    assert all(part.count("=") == 1 for part in query.split("&"))
    assert query.isascii()
    assert " " not in query


@settings(max_examples=150, deadline=None)
@given(
    pa=st.text(max_size=30),
    pn=st.text(max_size=120),
    tr=st.text(max_size=40),
    paise=st.integers(min_value=-(10**9), max_value=10**9),
    tn=st.text(max_size=100),
)
def test_any_input_is_built_or_refused_with_a_validation_error(pa, pn, tr, paise, tn):
    try:
        uri = build_uri(pa=pa, pn=pn, tr=tr, tn=tn, amount=Money(paise, "INR"), max_amount=LIMIT)
    except ValidationError as exc:
        message = str(exc)
        assert message  # a message, never another exception type
    else:
        assert parse_uri(uri).amount == Money(paise, "INR")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parsing_garbage_raises_only_validation_errors(text):
    for candidate in (text, "upi://pay?" + text, "upi://pay?pa=a.b@ok&pn=X&" + text):
        try:
            parse_uri(candidate)
        except ValidationError as exc:
            message = str(exc)
            assert message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pa": "shop"}, "looks like name@bank"),
        ({"pa": "sh op@okaxis"}, "looks like name@bank"),
        ({"pn": "   "}, "payee name cannot be empty"),
        ({"pn": "x" * 100}, "at most 99"),
        ({"tn": "y" * 81}, "at most 80"),
        ({"tr": "abc"}, "4 to 35"),
        ({"tr": "AC 1234"}, "4 to 35"),
        ({"tr": "A" * 36}, "4 to 35"),
        ({"amount": Money(0, "INR")}, "above ₹0.00"),
        ({"amount": Money(10_000_001, "INR")}, "above the UPI limit of ₹1,00,000.00"),
        ({"amount": Money(100, "USD")}, "INR only"),
        ({"mc": "57a4"}, "4 digits"),
    ],
)
def test_invalid_values_are_refused_with_a_clear_message(changes, message):
    args = {
        "pa": "shop@okaxis",
        "pn": "Shop",
        "tr": "AC1234",
        "amount": Money(79900, "INR"),
        "tn": "",
        "mc": "5734",
        "max_amount": LIMIT,
        **changes,
    }
    with pytest.raises(ValidationError, match=message):
        build_uri(**args)


def test_special_characters_are_percent_encoded():
    uri = build_uri(
        pa="shop@okaxis",
        pn="Café & Sons = 100%",
        tr="AC1234",
        tn="a+b",
        amount=Money(79900, "INR"),
        max_amount=LIMIT,
    )
    assert "pn=Caf%C3%A9%20%26%20Sons%20%3D%20100%25" in uri
    assert "tn=a%2Bb" in uri
    assert "am=799.00" in uri


def test_bank_and_psp_qrs_keep_their_extra_parameters():
    printed = (
        "upi://pay?pa=rzr.qrfood54462255833@icic&pn=FoodApp&tr=RZPI39xhFWWLO4wjMqrv2"
        "&tn=PaymenttoFoodApp&cu=INR&mc=5811&am=3&invoiceNo=INV001&mode=02&orgid=000000"
        "&sign=MEUCIQ%2B%2F&url=https%3A%2F%2Fexample.in%2Fi&mam=1.00&tid=T1&purpose=00"
    )
    parsed = parse_uri(printed)
    assert parsed.amount == Money(300, "INR")
    assert (
        parsed.mode,
        parsed.orgid,
        parsed.sign,
        parsed.url,
        parsed.mam,
        parsed.tid,
        parsed.purpose,
    ) == ("02", "000000", "MEUCIQ+/", "https://example.in/i", "1.00", "T1", "00")
    assert parsed.extras == (("invoiceNo", "INV001"),)
    assert parse_uri(parsed.to_uri()) == parsed


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("https://pay?pa=a@b", "upi://pay"),
        ("upi://[pay?pa=ab@ok&pn=S", "upi://pay"),  # urlsplit: "Invalid IPv6 URL"
        ("upi://pay?pn=Shop", "no payee UPI ID"),
        ("upi://pay?pa=ab@ok", "no payee name"),
        ("upi://pay?pa=ab@ok&pn=S&am=-1", "not a number"),
        ("upi://pay?pa=ab@ok&pn=S&am=0.00", "above ₹0.00"),
        ("upi://pay?pa=ab@ok&pn=S&cu=USD", "INR only"),
        ("upi://pay?pa=ab@ok&pn=S&pn=T", "twice"),
        ("upi://pay?pa=ab@ok&pn=%FF", "UTF-8"),
    ],
)
def test_parse_refuses_what_would_move_money_wrongly(uri, message):
    with pytest.raises(ValidationError, match=message):
        parse_uri(uri)


def test_deep_links_carry_the_same_payment():
    uri = build_uri(
        pa="shop@okaxis", pn="Shop", tr="AC1234", amount=Money(79900, "INR"), max_amount=LIMIT
    )
    links = deep_links(uri)
    assert set(links) == {"phonepe", "gpay", "paytm"}
    assert links["gpay"].startswith("tez://upi/pay?")
    for link in links.values():
        assert link.split("?", 1)[1] == uri.split("?", 1)[1]


def test_merchant_comes_from_settings_and_is_required():
    settings = Settings()
    with pytest.raises(NotConfigured, match="UPI payments are not set up"):
        merchant_from_settings(settings)
    settings.upi.vpa = "autoos.shop@okaxis"
    settings.upi.mcc = "5734"
    settings.upi.max_amount_inr = 50_000
    merchant = merchant_from_settings(settings)
    assert (merchant.vpa, merchant.name, merchant.mcc) == ("autoos.shop@okaxis", "AUTOOS", "5734")
    assert merchant.max_amount == Money(5_000_000, "INR")
    settings.upi.vpa = "not a vpa"
    with pytest.raises(NotConfigured, match="not set up: The shop's UPI ID"):
        merchant_from_settings(settings)
