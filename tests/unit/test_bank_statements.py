"""Reading bank statements: layouts recognised by their header row (HDFC, ICICI, SBI, Axis,
Kotak), any delimiter and a BOM, day-first dates, Indian amounts, a column mapping for
anything else, and refusals that name the columns found or every bad line."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.bank_statements import (
    COLUMN_NAMES,
    PRESETS,
    Mapping,
    column_key,
    parse_amount,
    parse_columns,
    parse_date,
    parse_statement,
    read_statement_text,
    utrs_in_line,
)
from backend.domain.money import Money, format_money
from backend.errors import ValidationError

TR = "AC0123456789ABCDEF"
NOV26 = date(2026, 11, 26)

# Exports as the banks write them: a few lines about the account, the table, a footer.
HDFC_DELIMITED = (  # net banking "Delimited" download: names padded with spaces
    " Date     ,Narration                                 ,Value Dat,Debit Amount       ,"
    "Credit Amount      ,Chq/Ref Number   ,Closing Balance\n"
    f" 26/11/26 ,UPI-ASHA RAO-ASHA@OKICICI-ICIC0000001-401234567890-{TR},26/11/26 ,"
    "0.00               ,799.00             ,0000401234567890 ,100799.00\n"
    " 26/11/26 ,NEFT DR-RENT                              ,26/11/26 ,5000.00            ,"
    "0.00               ,N330261234567    ,95799.00\n"
)
HDFC_XLS = (  # the Excel download saved as CSV: preamble, asterisks, statement summary
    "HDFC BANK Ltd.,,,,,,\n"
    "Page No .: 1,,,,,,\n"
    "MR ASHA RAO,,,,,,Account No :50100123456789\n"
    ",,,,,,\n"
    "Date,Narration,Chq./Ref.No.,Value Dt,Withdrawal Amt.,Deposit Amt.,Closing Balance\n"
    "********,********,********,********,********,********,********\n"
    f'26/11/26,"UPI-ASHA RAO-401234567890-{TR}",0000401234567890,26/11/26,,799.00,'
    '"1,00,799.00"\n'
    '27/11/26,NEFT DR-RENT,N330261234567,27/11/26,"5,000.00",,"95,799.00"\n'
    "********,********,********,********,********,********,********\n"
    ",,,,,,\n"
    "STATEMENT SUMMARY  :-,,,,,,\n"
    "Opening Balance,Dr Count,Cr Count,Debits,Credits,Closing Bal,\n"
    '"1,00,000.00",1,1,"5,000.00",799.00,"95,799.00",\n'
    "Generated On: 28/11/2026 10:15:00,,,,,,\n"
)
ICICI = (  # two date columns: the transaction date is read, not the value date
    "\ufeffDETAILED STATEMENT,,,,,,,\n"
    "Transactions List - ASHA RAO (INR) - XXXXXXXX1234,,,,,,,\n"
    "S No.,Value Date,Transaction Date,Cheque Number,Transaction Remarks,"
    "Withdrawal Amount (INR ),Deposit Amount (INR ),Balance (INR )\n"
    f"1,27/11/2026,26/11/2026,-,UPI/401234567899/{TR.lower()}/ICIC/asha@okicici,"
    '0.00,"23,999.00","1,02,23,999.00"\n'
    '2,27/11/2026,27/11/2026,-,ATM/CASH WDL/MUMBAI,"2,000.00",0.00,"1,02,21,999.00"\n'
    ",,,,,,,\n"
    "Legends Used in Account Statement,,,,,,,\n"
    "INF - Internet Fund Transfer,,,,,,,\n"
)
SBI_TAB = (  # the "Excel" download is tab-separated text
    "Account Name\t:\tMr. ASHA RAO\n"
    "Address\t:\tMUMBAI\n"
    "Date\t:\t28 Nov 2026\n"
    "Account Number\t:\t_00000012345678901\n"
    "Start Date\t:\t1 Nov 2026\n"
    "\n"
    "Txn Date\tValue Date\tDescription\tRef No./Cheque No.\t        Debit\tCredit\tBalance\n"
    "26 Nov 2026\t26 Nov 2026\tBY TRANSFER-UPI/CR/401234567891/ASHA RAO/ICIC/asha@okicici/"
    "Payment--\tTRANSFER FROM 99999999999\t\t799.00\t10,799.00\n"
    "27 Nov 2026\t27 Nov 2026\tATM WDL-ATM CASH 1234\t\t500.00\t\t10,299.00\n"
    "**This is a computer generated statement and does not require a signature.\n"
)
AXIS = (
    "Name :- ASHA RAO,,,,,,\n"
    "Statement of Account No - 912010012345678 for the period (From : 01-11-2026 To : "
    "28-11-2026),,,,,,\n"
    ",,,,,,\n"
    "Tran Date,CHQNO,PARTICULARS,DR,CR,BAL,SOL\n"
    ",,OPENING BALANCE,,,10000.00,\n"
    f"26-11-2026,,UPI/P2M/401234567892/ASHA RAO/{TR}/ICICI Bank,,799.00,10799.00,1234\n"
    "27-11-2026,,ATM-CASH/MUMBAI,500.00,,10299.00,1234\n"
    ",,TRANSACTION TOTAL,500.00,799.00,,\n"
    ",,CLOSING BALANCE,,,10299.00,\n"
    '"Unless the constituent notifies the bank immediately of any discrepancy, the '
    'entries will be taken as correct.",,,,,,\n'
)
KOTAK = (  # one amount column with Dr / Cr, and another Dr / Cr for the balance
    "Kotak Mahindra Bank,,,,,,,\n"
    "Account Statement,,,,,,,\n"
    "Period,01/11/2026 - 28/11/2026,,,,,,\n"
    "Sl. No.,Date,Description,Chq / Ref number,Amount,Dr / Cr,Balance,Dr / Cr\n"
    "1,26/11/2026,UPI/ASHA RAO/401234567893/Payment,UPI-401234567893,799.00,CR,10799.00,CR\n"
    "2,26/11/2026,ATM WDL 1234,ATM-1,500.00,DR,10299.00,CR\n"
    f"3,27/11/2026 14:02:11,UPI/BIMAL/401234567894/{TR},UPI-401234567894,2399.00,CR,"
    "12698.00,CR\n"
    ",,,,,,,\n"
    "Opening balance,Total Debits,Total Credits,Closing balance,,,,\n"
    "10000.00,500.00,3198.00,12698.00,,,,\n"
)


def _credits(statement):
    return [(line.line_no, line.txn_date, line.amount, line.reference) for line in statement]


def _columns(date, narration, credit, reference, **more):
    return {"date": date, "narration": narration, "credit": credit, "reference": reference, **more}


@pytest.mark.parametrize(
    ("text", "credits", "columns"),
    [
        pytest.param(
            HDFC_DELIMITED,
            [(2, NOV26, 79900, "0000401234567890")],
            _columns("Date", "Narration", "Credit Amount", "Chq/Ref Number"),
            id="hdfc-delimited",
        ),
        pytest.param(
            HDFC_XLS,
            [(7, NOV26, 79900, "0000401234567890")],
            _columns("Date", "Narration", "Deposit Amt.", "Chq./Ref.No."),
            id="hdfc-xls",
        ),
        pytest.param(
            ICICI,
            [(4, NOV26, 2399900, "-")],
            _columns(
                "Transaction Date",
                "Transaction Remarks",
                "Deposit Amount (INR )",
                "Cheque Number",
            ),
            id="icici",
        ),
        pytest.param(
            SBI_TAB,
            [(8, NOV26, 79900, "TRANSFER FROM 99999999999")],
            _columns("Txn Date", "Description", "Credit", "Ref No./Cheque No."),
            id="sbi-tab",
        ),
        pytest.param(
            AXIS,
            [(6, NOV26, 79900, "")],
            _columns("Tran Date", "PARTICULARS", "CR", "CHQNO"),
            id="axis",
        ),
        pytest.param(
            KOTAK,
            [
                (5, NOV26, 79900, "UPI-401234567893"),
                (7, date(2026, 11, 27), 239900, "UPI-401234567894"),
            ],
            {
                "date": "Date",
                "narration": "Description",
                "reference": "Chq / Ref number",
                "amount": "Amount",
                "dr_cr": "Dr / Cr",
            },
            id="kotak-amount-dr-cr",
        ),
    ],
)
def test_each_bank_layout_is_recognised_by_its_header(text, credits, columns):
    statement = read_statement_text(text)
    assert _credits(statement.lines) == credits
    assert statement.columns == columns
    assert statement.delimiter == ("\t" if text is SBI_TAB else ",")
    assert parse_statement(text) == statement.lines


def test_the_narration_keeps_what_matching_needs():
    (line,) = parse_statement(AXIS)
    assert TR in line.narration
    assert "401234567892" in line.narration


def test_kotak_reads_the_dr_cr_beside_the_amount_not_the_balances():
    text = (
        "Sl. No.,Date,Description,Chq / Ref number,Amount,Dr / Cr,Balance,Dr / Cr\n"
        "1,26/11/2026,UPI/401234567893/in,UPI-1,799.00,CR,201.00,DR\n"  # overdrawn before
        "2,26/11/2026,ATM WDL,ATM-1,500.00,DR,299.00,CR\n"
        "3,26/11/2026,UPI/401234567894/in,UPI-2,7.00,Cr.,306.00,Credit\n"
    )
    assert [line.amount for line in parse_statement(text)] == [79900, 700]


def test_semicolon_excel_export_with_a_bom_and_windows_line_ends():
    text = (
        "\ufeffDate;Narration;Chq./Ref.No.;Value Dt;Withdrawal Amt.;Deposit Amt.;"
        "Closing Balance\r\n"
        f'26/11/2026;"UPI-ASHA RAO, MUMBAI-401234567890-{TR}";0000401234567890;26/11/2026;;'
        '"1,23,456.00";"2,23,456.00"\r\n'
        "27/11/2026;NEFT DR-RENT;N1;27/11/2026;5000,00;;1,00,000.00\r\n"
    )
    statement = read_statement_text(text)
    assert statement.delimiter == ";"
    assert statement.columns["date"] == "Date"  # the BOM is not part of the name
    assert _credits(statement.lines) == [(2, NOV26, 12345600, "0000401234567890")]
    assert statement.lines[0].narration.startswith("UPI-ASHA RAO, MUMBAI")


def test_pipe_separated_export():
    text = (
        "Transaction Date|Value Date|Particulars|Reference No|Withdrawals|Deposits|Balance\n"
        "26-Nov-2026|26-Nov-2026|UPI/401234567890/ASHA|401234567890||₹799.00|₹10,799.00\n"
    )
    statement = read_statement_text(text)
    assert statement.delimiter == "|"
    assert _credits(statement.lines) == [(2, NOV26, 79900, "401234567890")]


def test_a_header_repeated_on_each_page_and_a_narration_on_two_rows():
    text = (
        "date,narration,reference,credit\n"
        '2026-11-26,"UPI/401234567890/ASHA\nRAO/okicici",401234567890,799.00\n'
        "date,narration,reference,credit\n"
        ",continued narration,,\n"
        "2026-11-27,UPI/401234567891,401234567891,5.00\n"
    )
    lines = parse_statement(text)
    assert [(line.line_no, line.amount) for line in lines] == [(2, 79900), (6, 500)]
    assert lines[0].narration == "UPI/401234567890/ASHA\nRAO/okicici"


def test_a_column_mapping_reads_a_layout_nobody_recognises():
    text = (
        "Posted On,Info,Money Received,UPI Ref,Running Total\n"
        "26.11.2026,UPI from ASHA,799.00,401234567890,10799.00\n"
        "27.11.2026,UPI from BIMAL,,401234567891,10799.00\n"
    )
    with pytest.raises(ValidationError) as info:
        parse_statement(text)
    assert str(info.value).startswith(
        "This statement's columns are: Posted On, Info, Money Received, UPI Ref, Running Total"
        " — none of them reads as the date, the narration or the credit amount;"
    )
    columns = parse_columns(
        "date=Posted On, narration=Info,credit=Money Received,reference=UPI Ref"
    )
    assert columns == {
        "date": "Posted On",
        "narration": "Info",
        "credit": "Money Received",
        "reference": "UPI Ref",
    }
    statement = read_statement_text(text, Mapping.from_columns(columns))
    assert _credits(statement.lines) == [(2, NOV26, 79900, "401234567890")]


def test_a_column_mapping_overrides_recognition():
    text = "Date,Value Date,Narration,Credit\n25/11/2026,26/11/2026,UPI/401234567890,799.00\n"
    assert parse_statement(text)[0].txn_date == date(2026, 11, 25)
    mapping = Mapping.from_columns(
        parse_columns("date=value date,narration=NARRATION,credit=Credit")
    )
    (line,) = parse_statement(text, mapping)
    assert (line.txn_date, line.reference) == (NOV26, "")  # reference is optional


def test_a_column_name_may_hold_a_comma():
    assert parse_columns("date=Date,narration=Details,credit=Amount, INR") == {
        "date": "Date",
        "narration": "Details",
        "credit": "Amount, INR",
    }
    assert parse_columns("date=D,narration=N,amount=Amt,dr_cr=Dr/Cr") == {
        "date": "D",
        "narration": "N",
        "amount": "Amt",
        "dr_cr": "Dr/Cr",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("Value Dt", "cannot be read at 'Value Dt'"),
        ("date=A,narration=B", "does not name the credit amount column"),
        ("narration=B,credit=C", "does not name the date column"),
        ("date=A,narration=B,credit=C,colour=D", "names 'colour', which is not one of"),
        ("date=A,date=B,narration=N,credit=C", "gives date twice"),
        ("date=,narration=B,credit=C", "no column name for date"),
        ("date=A,narration=B,credit=C,amount=D", "both a credit column and an amount column"),
        ("date=A,narration=B,credit=C,dr_cr=D", "both a credit column and an amount column"),
        ("date=A,narration=A,credit=C", "names 'A' for both date and narration"),
        ("date=A=B,narration=N,credit=C", "cannot be read"),
    ],
)
def test_a_bad_column_mapping_is_refused_in_one_clear_line(text, message):
    with pytest.raises(ValidationError, match=message) as info:
        parse_columns(text)
    assert "\n" not in str(info.value)
    assert "--columns" in str(info.value)


def test_an_unknown_layout_is_refused_naming_the_columns_it_has():
    text = (
        "Name :- ASHA RAO,,,,,\n"
        "Tran Date,CHQNO,PARTICULARS,DR,BAL,SOL\n"
        "26-11-2026,,UPI/P2M/401234567892/ASHA,,10799.00,1234\n"
    )
    with pytest.raises(ValidationError) as info:
        parse_statement(text)
    message = str(info.value)
    assert "This statement's columns are: Tran Date, CHQNO, PARTICULARS, DR, BAL, SOL" in message
    assert "none of them reads as the credit amount" in message
    assert '--columns "date=…,narration=…,credit=…,reference=…"' in message
    assert "\n" not in message


def test_an_amount_column_without_dr_cr_is_not_taken_for_credits():
    text = "Date,Description,Amount,Balance\n26/11/2026,UPI,799.00,10799.00\n"
    with pytest.raises(ValidationError, match="an amount column but no Dr/Cr column"):
        parse_statement(text)


def test_a_preset_insists_on_its_bank_layout():
    with pytest.raises(ValidationError) as info:
        parse_statement(AXIS, PRESETS["hdfc"])
    message = str(info.value)
    assert message.startswith("No header row with the columns 'Date', 'Narration'")
    assert (
        "This statement's columns are: Tran Date, CHQNO, PARTICULARS, DR, CR, BAL, SOL" in message
    )
    assert "not the hdfc layout: import it without a preset" in message
    assert _credits(parse_statement(HDFC_XLS, PRESETS["hdfc"])) == _credits(
        parse_statement(HDFC_XLS)
    )
    assert parse_statement(SBI_TAB, PRESETS["sbi"]) == parse_statement(SBI_TAB)


def test_an_empty_file_is_a_message():
    for text in ("", "\ufeff", "\n\n"):
        with pytest.raises(ValidationError, match="The statement is empty"):
            parse_statement(text)
    with pytest.raises(ValidationError, match="The statement has no column names; give --col"):
        parse_statement(",,,\n1,2,3\n")


def test_every_bad_line_is_named_and_no_line_is_returned():
    text = (
        "Bank of Somewhere,,,\n"
        "Txn Date,Narration,Ref No.,Credit\n"
        "26/11/2026,UPI good,401234567890,799.00\n"  # line 3: fine
        "26/11/2026,UPI negative,401234567891,-799.00\n"  # 4
        "26/11/2026,UPI three decimals,401234567892,799.001\n"  # 5
        '26/11/2026,UPI decimal comma,401234567893,"799,00"\n'  # 6
        "31/02/2026,UPI no such day,401234567894,5.00\n"  # 7
        "11/26/2026,UPI month first,401234567895,5.00\n"  # 8
        "26/11/2026,UPI short\n"  # 9
        "26/11/2026,UPI words,401234567896,seven\n"  # 10
        "Nov-26,UPI bad date,401234567897,5.00\n"  # 11
    )
    with pytest.raises(ValidationError) as info:
        parse_statement(text)
    message = str(info.value)
    assert message.startswith("The statement has lines that cannot be read, so nothing was")
    for line_no, reason in [
        (4, "is negative"),
        (5, "more than two decimals"),
        (6, "'799,00' is not a valid amount"),
        (7, "is not a real date"),
        (8, "reads month first"),
        (9, "has 2 columns, expected 4"),
        (10, "'seven' is not a number"),
        (11, "'Nov-26' is not a date this importer reads"),
    ]:
        assert f"line {line_no}: the" in message or f"line {line_no}: has" in message
        assert reason in message.split(f"line {line_no}: ", 1)[1].split("; line", 1)[0]
    assert "line 3" not in message


def test_more_than_twenty_bad_lines_are_counted():
    text = "date,narration,credit\n" + "2026-11-26,x,-1\n" * 25
    with pytest.raises(ValidationError, match=r"line 21: .*\(and 5 more\)$"):
        parse_statement(text)


def test_an_unreadable_csv_is_a_message_with_its_line():
    text = 'date,narration,credit\n2026-11-26,"UPI ' + "x" * 200_000 + "\n"
    with pytest.raises(ValidationError, match="cannot be read as CSV at line 2"):
        parse_statement(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26/11/2026", NOV26),
        ("26/11/26", NOV26),
        ("26-11-2026", NOV26),
        ("26-11-26", NOV26),
        ("26.11.2026", NOV26),
        ("26-Nov-2026", NOV26),
        ("26-NOV-26", NOV26),
        ("26 Nov 2026", NOV26),
        ("26 November 2026", NOV26),
        ("26/Nov/2026", NOV26),
        ("2026-11-26", NOV26),
        ("2026/11/26", NOV26),
        ("Nov 26, 2026", NOV26),
        ("26/11/2026 14:02:11", NOV26),
        ("26-11-2026 02:02 PM", NOV26),
        ("2026-11-26T14:02:11", NOV26),
        (" 6/1/2026 ", date(2026, 1, 6)),  # day first: 6 January, never 1 June
        ("03/04/2026", date(2026, 4, 3)),
        ("12/11/2026", date(2026, 11, 12)),
        ("5-Sept-2026", date(2026, 9, 5)),
    ],
)
def test_dates_are_read_day_first_in_the_common_indian_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("11/26/2026", "reads month first"),
        ("02/29/2026", "reads month first"),
        ("29/02/2026", "not a real date"),
        ("13/13/2026", "not a real date"),
        ("26/11", "not a date this importer reads"),
        ("26 Foo 2026", "not a date this importer reads"),
        ("46352", "not a date this importer reads"),  # an Excel serial number
        ("26/11-2026", "not a date this importer reads"),
    ],
)
def test_dates_that_cannot_be_read_safely_are_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


def test_a_mapping_may_add_strptime_formats():
    mapping = Mapping("Date", "Narration", credit="Credit", date_formats=("%Y%m%d",))
    (line,) = parse_statement("Date,Narration,Credit\n20261126,UPI,1.00\n", mapping)
    assert line.txn_date == NOV26


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("799.00", (79900, None)),
        ("799", (79900, None)),
        ("799.5", (79950, None)),
        ("1,23,456.00", (12345600, None)),
        ("12,34,56,789.10", (123456789_10, None)),
        ("123,456.00", (12345600, None)),
        ("1,234,567.00", (123456700, None)),
        ("₹799.00", (79900, None)),
        ("₹ 1,23,456.00", (12345600, None)),
        ("INR 799.00", (79900, None)),
        ("799.00 INR", (79900, None)),
        ("Rs. 799", (79900, None)),
        ("799.00 Cr", (79900, "cr")),
        ("799.00CR", (79900, "cr")),
        ("799.00 Cr.", (79900, "cr")),
        ("500.00 Dr", (50000, "dr")),
        (" +799.00 ", (79900, None)),
    ],
)
def test_amounts_as_banks_write_them(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["", "  ", "-", "--", "0", "0.00", "0.000", "00.00", "₹0", "(0.00)"]
)
def test_an_empty_dash_or_zero_credit_is_a_debit_line(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-799.00", "negative"),
        ("₹-799.00", "negative"),
        ("(799.00)", "negative"),
        ("799.001", "more than two decimals"),
        ("7,99", "not a valid amount"),
        ("799,00", "not a valid amount"),
        ("1,2345.00", "not a valid amount"),
        ("1e3", "not a number"),
        ("NaN", "not a number"),
        (".50", "not a number"),
        ("799.00 USD", "not a number"),
    ],
)
def test_amounts_that_are_not_safe_are_line_errors(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(text)


def test_a_credit_column_marked_dr_and_a_dr_cr_column_saying_neither():
    with pytest.raises(ValidationError, match=r"line 2: the credit amount '5\.00 Dr' is marked Dr"):
        parse_statement("date,narration,credit\n2026-11-26,x,5.00 Dr\n")
    kotak = "Date,Description,Amount,Dr / Cr\n26/11/2026,x,5.00,Maybe\n"
    with pytest.raises(ValidationError, match="line 2: the Dr/Cr column says 'Maybe'"):
        parse_statement(kotak)
    contradiction = "Date,Description,Amount,Dr / Cr\n26/11/2026,x,5.00 Dr,CR\n"
    with pytest.raises(ValidationError, match="contradicts its Dr/Cr column"):
        parse_statement(contradiction)
    suffix_only = Mapping("Date", "Description", amount="Amount")
    lines = parse_statement(
        "Date,Description,Amount\n26/11/2026,a,5.00 Cr\n26/11/2026,b,6.00 Dr\n", suffix_only
    )
    assert [(line.narration, line.amount) for line in lines] == [("a", 500)]
    with pytest.raises(ValidationError, match="says neither Cr nor Dr"):
        parse_statement("Date,Description,Amount\n26/11/2026,a,5.00\n", suffix_only)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Deposit Amount (INR )", "depositamount"),
        ("Chq./Ref.No.", "chqrefno"),
        ("  Txn   Date ", "txndate"),
        ("\ufeffDate", "date"),
        ("Dr / Cr", "drcr"),
        ("Credit (Rs.)", "credit"),
        ("Ref No./Cheque No.", "refnochequeno"),
        ("INR", "inr"),
    ],
)
def test_column_names_compare_ignoring_case_space_punctuation_and_currency(name, key):
    assert column_key(name) == key


def test_no_column_name_reads_as_two_things():
    names = [name for role_names in COLUMN_NAMES.values() for name in role_names]
    assert len(names) == len(set(names))
    assert all(column_key(name) == name for name in names)


def test_presets_are_names_for_known_layouts():
    assert set(PRESETS) == {"hdfc", "icici", "sbi", "generic"}
    for name, mapping in PRESETS.items():
        assert mapping.name == name
        header = ",".join(mapping.columns().values())
        # every preset's own header is recognised without the preset as well
        assert read_statement_text(header + "\n").columns.keys() >= {"date", "credit"}


# whatever the bank, the delimiter and the amounts, the same lines come back ------------

LAYOUTS = [
    ("Date", "Narration", "Chq./Ref.No.", "Deposit Amt."),
    ("Transaction Date", "Transaction Remarks", "Cheque Number", "Deposit Amount (INR )"),
    ("Txn Date", "Description", "Ref No./Cheque No.", "Credit"),
    ("Tran Date", "PARTICULARS", "CHQNO", "CR"),
    ("Posting Date", "Details", "UTR", "Credit Amount"),
]
narrations = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"),
            blacklist_characters="\ufeff",
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
statement_rows = st.lists(
    st.tuples(
        st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
        narrations,
        st.from_regex(r"[0-9]{12}", fullmatch=True),
        st.integers(min_value=0, max_value=10**11),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(
    layout=st.sampled_from(LAYOUTS),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    date_format=st.sampled_from(["%d/%m/%Y", "%d/%m/%y", "%d-%b-%Y", "%d %b %Y", "%Y-%m-%d"]),
    lakh=st.booleans(),
    bom=st.booleans(),
    rows=statement_rows,
)
def test_any_layout_delimiter_and_format_reads_back_the_same_credits(
    layout, delimiter, date_format, lakh, bom, rows
):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Statement for ASHA RAO"])
    writer.writerow([*layout, "Debit", "Balance"])
    for day, narration, utr, paise in rows:
        amount = (
            format_money(Money(paise, "INR"), symbol=False)
            if lakh
            else f"{paise // 100}.{paise % 100:02d}"
        )
        writer.writerow(
            [day.strftime(date_format), narration, utr, amount if paise else "", "", "1.00"]
        )
    writer.writerow(["*** End of statement ***"])
    text = ("\ufeff" if bom else "") + out.getvalue()
    statement = read_statement_text(text)
    assert statement.delimiter == delimiter
    assert statement.columns["credit"] == layout[3]
    expected = [
        (index + 3, day, paise, utr) for index, (day, _, utr, paise) in enumerate(rows) if paise
    ]
    assert _credits(statement.lines) == expected
    assert [line.narration for line in statement.lines] == [n for _, n, _, p in rows if p]


@pytest.mark.parametrize(
    ("reference", "narration", "utrs"),
    [
        # the request's reference holds twelve digits in a row: still one UTR
        ("", "UPI/CR/401234567894/ASHA/ICIC/a@ok/AC123456789012ABCD", ["401234567894"]),
        ("AC123456789012ABCD", "UPI/CR/401234567894/ASHA", ["401234567894"]),
        ("0000401234567890", "UPI AC0123456789012345", ["401234567890"]),  # HDFC's padding
        ("", "NEFT 401234567894 / 401234567895", ["401234567894", "401234567895"]),
    ],
)
def test_a_request_reference_is_never_read_as_a_utr(reference, narration, utrs):
    assert utrs_in_line(reference, narration) == utrs
