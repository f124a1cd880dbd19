import pytest

from lms.registry.identifiers import (
    id_number_error,
    is_valid_mobile,
    is_valid_uscc,
    mask_id_number,
    mask_name,
    normalize_mobile,
    normalize_uscc,
)


@pytest.mark.parametrize("code", ["91340603MA2U0A1B14", "92340603L12345AB26", "523406005088237960",
                                  "91340603394218677M", "91110000600037341L"])
def test_valid_uscc_accepted(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize("code", ["91340603MA2U0A1B10", "92340603LO2345AB26", "52340600508823796",
                                  "91304603MA2U0A1B14", ""])
def test_invalid_uscc_rejected(code):
    assert not is_valid_uscc(code)


def test_uscc_full_width_spaces_and_case_are_normalised():
    assert normalize_uscc("９１３４ ０６０３-ma2u0a1b14") == "91340603MA2U0A1B14"
    assert is_valid_uscc("９１３４０６０３ＭＡ２Ｕ０Ａ１Ｂ１４")


@pytest.mark.parametrize("raw,ok", [("+86 139-1234-5678", True), ("0086 13912345678", True),
                                    ("１３９１２３４５６７８", True), ("12912345678", False), ("1391234567", False)])
def test_mobile_numbers(raw, ok):
    assert is_valid_mobile(normalize_mobile(raw)) is ok


@pytest.mark.parametrize("code,ok", [("11010519491231002X", True), ("34060319850712451X", True),
                                     ("340603200103011236", True), ("340603198507124510", False),
                                     ("340603199002290023", False)])
def test_id_numbers_check_digit_and_birth_date(code, ok):
    assert (id_number_error(code) is None) is ok


def test_masks_hide_the_middle():
    assert mask_id_number("34060319850712451X") == "3406**********451X"
    assert mask_name("张晓明") == "张*明"
    assert mask_name("王伟") == "王*"


def test_a_column_of_usccs_is_checked_like_each_code():
    import random

    from lms.registry.identifiers import USCC_ALPHABET, invalid_usccs, uscc_check_char

    rng = random.Random(5)
    bodies = ["".join(rng.choice(USCC_ALPHABET) for _ in range(17)) for _ in range(2000)]
    codes = [b + (uscc_check_char(b) if i % 7 else rng.choice(USCC_ALPHABET)) for i, b in enumerate(bodies)]
    expected = [i for i, c in enumerate(codes) if uscc_check_char(c[:17]) != c[17]]
    assert invalid_usccs(codes) == expected
    assert invalid_usccs([*codes[:3], "91340603ma2u0a1b14", ""]) == [i for i in expected if i < 3] + [3, 4]


def test_industry_division_names_follow_gb_t_4754():
    from lms.registry.industries import DIVISIONS, division_label, division_name

    assert len(DIVISIONS) == 97 and set(DIVISIONS) == set(range(1, 98))
    assert division_name("C1431") == "食品制造业" and division_name("c14") == "食品制造业"
    assert division_name("H6210") == "餐饮业" and division_name("A01") == "农业"
    assert division_name("H14") == "" and division_name("C99") == "" and division_name("—") == ""
    assert division_label("C39") == "C39 计算机、通信和其他电子设备制造业"
    assert division_label("C39", width=5) == "C39 计算机、…" and division_label("X12") == "X12"
