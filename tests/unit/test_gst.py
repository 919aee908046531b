"""GST split of inclusive prices (lines always add up to the total, rounding as
documented), and GSTINs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.domain.gst import check_gstin, split_inclusive
from backend.errors import ValidationError


def test_student_monthly_same_state():
    split = split_inclusive(79900, "Karnataka", " karnataka ")
    # 799.00 * 100/118 = 677.118.. -> 677.12 ; tax 121.88 halved
    assert split.taxable == 67712
    assert [(t.name, t.percent, t.amount) for t in split.lines] == [
        ("CGST", 9, 6094),
        ("SGST", 9, 6094),
    ]


def test_odd_paisa_goes_to_cgst_and_other_state_is_igst():
    split = split_inclusive(239900, "Karnataka", "Karnataka")
    assert split.taxable == 203305  # 2033.0508.. -> 2033.05
    assert [t.amount for t in split.lines] == [18298, 18297]
    inter = split_inclusive(239900, "Karnataka", "Maharashtra")
    assert [(t.name, t.percent, t.amount) for t in inter.lines] == [("IGST", 18, 36595)]


def test_unknown_buyer_state_is_intra_state():
    assert split_inclusive(118, "Karnataka", None).intra_state
    assert split_inclusive(118, "Karnataka", None).taxable == 100


@given(st.integers(min_value=0, max_value=10**12), st.booleans())
def test_lines_always_add_up(total, same):
    split = split_inclusive(total, "Karnataka", "Karnataka" if same else "Kerala")
    assert split.taxable + split.tax == total
    # the taxable value is the nearest paisa to total/1.18
    assert abs(split.taxable * 118 - total * 100) <= 59


def test_gstin_is_checked_by_its_shape_and_check_character():
    assert check_gstin(" 27aapfu0939f1zv ") == "27AAPFU0939F1ZV"
    assert check_gstin("29AAGCB7383J1Z4") == "29AAGCB7383J1Z4"
    with pytest.raises(ValidationError, match="typing mistake"):
        check_gstin("27AAPFU0939F1ZA")  # one character mistyped
    with pytest.raises(ValidationError, match="15 characters"):
        check_gstin("27AAPFU0939F1Z")
