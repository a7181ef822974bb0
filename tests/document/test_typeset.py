"""ogi's own title breaks and 落款 geometry (GB/T 9704 §7.3.1, §7.3.5.2), as numbers.

The rendered proof (LibreOffice, pdftotext -bbox) is in test_render_proof.py; these pin the rules.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogi.document.typeset import (
    BLANK_DATE,
    TITLE_EMS,
    em_width,
    name_break_points,
    signature,
    title_lines,
)

SUFFIX = "2023年政府信息公开工作年度报告"
LINE = 8845 / 315  # the body line in ems


def lines(name: str) -> list[str]:
    return title_lines(name + SUFFIX, name)


def test_a_short_title_is_one_line() -> None:
    assert title_lines("某局2023年政府信息公开工作年度报告", "某局") == ["某局2023年政府信息公开工作年度报告"]


def test_the_break_falls_after_the_agency_name() -> None:
    assert lines("彭阳县白阳镇人民政府") == ["彭阳县白阳镇人民政府", SUFFIX]
    assert lines("宁夏回族自治区固原市彭阳县白阳镇人民政府") == ["宁夏回族自治区固原市彭阳县白阳镇人民政府", SUFFIX]


@pytest.mark.parametrize("name", [
    "宁夏回族自治区固原市彭阳县城乡规划建设局市场监督管理和政务公开信息化综合服务中心",
    "中共宁夏回族自治区固原市彭阳县委员会全面依法治县委员会办公室",
    "宁夏回族自治区固原市彭阳县城阳乡人民政府办公室综合服务中心",
    "宁夏回族自治区固原市彭阳县住房和城乡建设局",
])
def test_a_long_name_breaks_only_after_an_administrative_unit(name: str) -> None:
    got = lines(name)
    assert "".join(got) == name + SUFFIX
    assert all(em_width(line) <= TITLE_EMS for line in got)
    allowed = set(name_break_points(name)) | {len(name)}
    offset = 0
    for line in got[:-1]:
        offset += len(line)
        assert offset in allowed, (got, line)
    widths = [em_width(line) for line in got]  # a trapezoid or diamond, never an hourglass
    assert not any(b < a - 1 and b < c - 1 for a, b, c in zip(widths, widths[1:], widths[2:], strict=False))
    assert len(got) <= 3


def test_unit_characters_inside_words_are_not_breaks() -> None:
    # 城乡 (乡), 市场 (市), 委员会 (not 委), 镇江 (a name starting with a unit character)
    assert name_break_points("彭阳县住房和城乡建设局") == [3]
    assert name_break_points("彭阳县市场监督管理局") == [3]
    assert name_break_points("彭阳县委员会办公室") == [3, 6]
    assert name_break_points("镇江市京口区人民政府") == [3, 6]


def test_digits_are_half_width_with_the_space_beside_cjk() -> None:
    assert em_width("政府") == 2
    assert em_width("2024") == 2
    assert em_width("2024年") == pytest.approx(3.22)


def test_signature_date_starts_two_characters_right_of_the_name() -> None:
    sig = signature("彭阳县白阳镇人民政府", "2024年1月20日", LINE)
    assert sig.name_right == 2
    assert sig.date_left is not None  # anchored to the name, whatever the digits' font
    assert LINE - sig.date_left == pytest.approx(sig.name_start - 2)
    assert sig.date_right + em_width("2024年1月20日") == pytest.approx(sig.name_start - 2)


def test_a_longer_date_is_right_indented_two_and_moves_the_name() -> None:
    sig = signature("彭阳县民政局", "2024年12月31日", LINE)
    assert sig.date_right == 2 and sig.date_left is None
    assert sig.name_right > 2
    assert sig.date_right + em_width("2024年12月31日") == pytest.approx(sig.name_start - 2)


def test_a_blank_date_leaves_room_for_handwriting() -> None:
    sig = signature("彭阳县白阳镇人民政府", "", LINE)
    assert sig.date == BLANK_DATE == "\u3000\u3000年\u3000月\u3000日"
    assert sig.name_lines == ("彭阳县白阳镇人民政府",)


def test_a_long_name_in_the_signature_takes_two_lines() -> None:
    name = "宁夏回族自治区固原市彭阳县城乡规划建设局市场监督管理和政务公开信息化综合服务中心"
    sig = signature(name, "2025年1月20日", LINE)
    assert "".join(sig.name_lines) == name and len(sig.name_lines) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="彭阳县市场乡村镇区委员会办公室中心局街道办事处人民政府A1", min_size=0, max_size=90))
def test_any_name_gives_whole_lines_quickly(name: str) -> None:
    title = name + SUFFIX
    got = title_lines(title, name)
    assert "".join(got) == title
    assert got[-1].endswith(SUFFIX)  # the year and "年政府信息公开工作年度报告" are never split
    sig = signature(name, "2024年1月20日", LINE)
    assert "".join(sig.name_lines) == name
    assert sig.name_right >= 2 and (sig.date_left is not None or sig.date_right == 2)
