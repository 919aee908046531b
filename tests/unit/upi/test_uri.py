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


# URIs as banks and PSPs print them -----------------------------------------------------


def test_a_phonepe_static_merchant_qr_lets_the_payer_choose_the_amount():
    parsed = parse_uri("upi://pay?pa=Q704316367@ybl&pn=PhonePeMerchant&mc=0000&mode=02&purpose=00")
    assert (parsed.pa, parsed.pn, parsed.mc, parsed.mode, parsed.purpose) == (
        "Q704316367@ybl",
        "PhonePeMerchant",
        "0000",
        "02",
        "00",
    )
    assert (parsed.amount, parsed.tr, parsed.extras) == (None, None, ())


def test_a_paytm_merchant_qr_with_plus_spaces_and_a_base64_signature():
    printed = (
        "upi://pay?pa=paytmqr281005050101xyz12345@paytm&pn=Paytm+Merchant&mc=5499&mode=02"
        "&orgid=159761&paytmqr=281005050101XYZ12345"
        "&sign=MEQCIDz+5Y/0AbC9+xYz==&qrMedium=02&ver=01&am=&tn="
    )
    parsed = parse_uri(printed)
    assert parsed.pn == "Paytm Merchant"  # '+' is a space in a value
    assert parsed.sign == "MEQCIDz+5Y/0AbC9+xYz=="  # base64 keeps its '+'
    assert (parsed.mc, parsed.mode, parsed.orgid) == ("5499", "02", "159761")
    assert (parsed.am, parsed.tn) == (None, None)  # empty optional values: absent
    assert parsed.extras == (
        ("paytmqr", "281005050101XYZ12345"),
        ("qrMedium", "02"),
        ("ver", "01"),
    )
    assert parse_uri(parsed.to_uri()) == parsed


def test_a_bharatpe_dynamic_qr_with_a_reference_and_amount():
    printed = (
        "upi://pay?ver=01&mode=15&pa=BHARATPE.9000000001@fbpe&pn=AUTOOS+Shop+%26+Sons"
        "&tr=BHPE2611202612345&tn=Pay+to+AUTOOS+Shop&am=799.0&cu=inr&mam=799.00"
        "&tid=BHTID0001&url=https%3A%2F%2Fbharatpe.in%2Fr%3Fid%3D1&invoiceNo=AC%2F2627%2F000001"
    )
    parsed = parse_uri(printed)
    assert (parsed.pn, parsed.tn, parsed.tr) == (
        "AUTOOS Shop & Sons",
        "Pay to AUTOOS Shop",
        "BHPE2611202612345",
    )
    assert (parsed.am, parsed.cu, parsed.amount) == ("799.00", "INR", Money(79900, "INR"))
    assert (parsed.mam, parsed.tid, parsed.url) == (
        "799.00",
        "BHTID0001",
        "https://bharatpe.in/r?id=1",
    )
    assert parsed.extras == (("ver", "01"), ("invoiceNo", "AC/2627/000001"))


def test_keys_are_read_in_any_case():
    parsed = parse_uri(
        "UPI://PAY?PA=shop@okaxis&Pn=AUTOOS%20Shop&AM=799.00&Cu=INR&TR=AC1234&TN=Plan&MC=5734"
        "&Mode=02&InvoiceNo=7"
    )
    assert (parsed.pa, parsed.pn, parsed.am, parsed.cu, parsed.tr, parsed.tn, parsed.mc) == (
        "shop@okaxis",
        "AUTOOS Shop",
        "799.00",
        "INR",
        "AC1234",
        "Plan",
        "5734",
    )
    assert parsed.mode == "02"
    assert parsed.extras == (("InvoiceNo", "7"),)  # an unknown key is kept as written


def test_plus_is_a_space_and_percent_2b_a_plus():
    parsed = parse_uri("upi://pay?pa=shop@okaxis&pn=A+B&tn=1%2B1+is+2")
    assert (parsed.pn, parsed.tn) == ("A B", "1+1 is 2")


def test_the_same_key_twice_with_the_same_value_is_harmless():
    parsed = parse_uri("upi://pay?pa=shop@okaxis&pn=Shop&cu=INR&CU=INR&am=5.00&am=5.00")
    assert (parsed.cu, parsed.am) == ("INR", "5.00")


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("upi://pay?PN=Shop&AM=5.00", "no payee UPI ID"),
        ("upi://pay?pa=&pn=Shop", "looks like name@bank"),
        ("upi://pay?PA=shop&PN=Shop", "looks like name@bank"),
        ("upi://pay?pa=sh+op@okaxis&pn=Shop", "looks like name@bank"),
        ("upi://pay?pa=shop@okaxis&pn=+", "payee name cannot be empty"),
        ("upi://pay?pa=shop@okaxis&pn=S&AM=-5.00", "not a number"),
        ("upi://pay?pa=shop@okaxis&pn=S&am=7,99", "not a number"),
        ("upi://pay?pa=shop@okaxis&pn=S&am=5.001", "not a number"),
        ("upi://pay?pa=shop@okaxis&pn=S&am=1e3", "not a number"),
        ("upi://pay?pa=shop@okaxis&pn=S&am=0", "above ₹0.00"),
        ("upi://pay?pa=shop@okaxis&pn=S&CU=USD", "INR only"),
        ("upi://pay?pa=shop@okaxis&pn=S&PA=other@okaxis", "'pa' twice"),
        ("upi://pay?pa=shop@okaxis&pn=S&am=5.00&AM=6.00", "'am' twice, with different values"),
        ("upi://pay?pa=shop@okaxis&pn=S&tr=AC+1234", "4 to 35"),
        ("upi://pay?pa=shop@okaxis&pn=S&TR=AC1", "4 to 35"),
        ("upi://pay?pa=shop@okaxis&pn=S&tr=AC%2F1234", "4 to 35"),
        ("upi://pay?pa=shop@okaxis&pn=S&tr=" + "A" * 36, "4 to 35"),
        ("upi://pay?pa=shop@okaxis&pn=S&mc=57a4", "4 digits"),
    ],
)
def test_what_is_unsafe_to_pay_is_still_refused(uri, message):
    with pytest.raises(ValidationError, match=message):
        parse_uri(uri)


def _as_a_bank_prints_it(uri: str, upper: list[bool]) -> str:
    """Keys in another case and spaces written as '+' (our '+' is already %2B)."""
    head, query = uri.split("?", 1)
    pairs = []
    for index, pair in enumerate(query.split("&")):
        key, value = pair.split("=", 1)
        key = key.upper() if upper[index % len(upper)] else key.capitalize()
        pairs.append(f"{key}={value.replace('%20', '+')}")
    return head.upper() + "?" + "&".join(pairs)


@settings(max_examples=150, deadline=None)
@given(
    pa=vpas,
    pn=texts,
    tn=texts,
    tr=trs,
    amount=amounts,
    upper=st.lists(st.booleans(), min_size=1, max_size=7),
)
def test_built_then_printed_by_a_bank_parses_to_the_same_fields(pa, pn, tn, tr, amount, upper):
    uri = build_uri(pa=pa, pn=pn, tn=tn, tr=tr, amount=amount, mc="5734", max_amount=LIMIT)
    printed = _as_a_bank_prints_it(uri, upper)
    assert parse_uri(printed) == parse_uri(uri)
    parsed = parse_uri(printed)
    assert (parsed.pa, parsed.pn, parsed.tn, parsed.tr, parsed.amount, parsed.cu) == (
        pa,
        pn,
        tn,
        tr,
        amount,
        "INR",
    )
