"""Name search keys: Vietnamese names are found with or without accents."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.people.names import clean_name, fold, given_name_key, name_key, query_words

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=60)


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ ÁNH", "dang thi anh"),
        ("Hồ  Thị\tLệ", "ho thi le"),
        ("Nguyê\u0303n Văn A", "nguyen van a"),
        ("Lý Thị Mỹ-Hạnh", "ly thi my hanh"),
    ],
)
def test_fold_removes_accents_and_maps_d_with_stroke(name, folded):
    assert fold(name) == folded


@given(names)
def test_fold_gives_plain_lowercase_words_and_is_idempotent(name):
    folded = fold(name)
    assert set(folded) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert fold(folded) == folded
    assert "  " not in folded and folded == folded.strip()


@given(names)
def test_a_name_is_always_found_by_its_own_folded_words(name):
    key = name_key(name)
    assert all(f" {word}" in key for word in query_words(name))


def test_given_name_is_the_last_word_and_names_are_composed():
    assert given_name_key("Trần Thị Ngọc Ánh") == "anh"
    assert clean_name("  Nguye\u0302\u0303n   Văn ") == "Nguyễn Văn"
