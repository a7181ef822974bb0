"""A roster .xlsx that openpyxl cannot open says why, in Chinese: unsafe XML (an XML bomb) or a
damaged part, not just the name of a Python exception."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from hostile import _roster_xlsx, rezip, sheet_part, xml_bomb_sheet


def _run_new(roster: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from ogi.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["new", "--roster", str(roster), "--year", "2023", "-o", str(out), "-q"])
    captured = capsys.readouterr()
    return int(exc.value.code or 0), captured.out + captured.err


def test_xml_bomb_roster_is_named_unsafe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "名单.xlsx"
    data = xml_bomb_sheet(_roster_xlsx(["甲镇人民政府"]), "Sheet")
    roster.write_bytes(data)
    code, text = _run_new(roster, tmp_path / "out", capsys)
    assert code == 2
    assert "名单工作簿无法读取" in text and "不安全的 XML 声明" in text and "DTD/实体" in text
    assert "名单.xlsx" in text and "Traceback" not in text
    assert "（ValueError）" not in text
    assert roster.read_bytes() == data
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_damaged_sheet_xml_is_named_damaged(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    good = _roster_xlsx(["甲镇人民政府", "乙镇人民政府"])
    part = sheet_part(good, "Sheet")
    xml = zipfile.ZipFile(BytesIO(good)).read(part)
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(rezip(good, replace={part: xml[: len(xml) // 2]}))  # cut mid-element
    code, text = _run_new(roster, tmp_path / "out", capsys)
    assert code == 2
    assert "名单工作簿无法读取" in text and "损坏" in text and part in text
    assert "Traceback" not in text


def test_read_roster_message_names_the_problem(tmp_path: Path) -> None:
    from ogi.county.roster import read_roster
    from ogi.errors import InputError

    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(xml_bomb_sheet(_roster_xlsx(["甲镇人民政府"]), "Sheet"))
    with pytest.raises(InputError) as exc:
        read_roster(roster)
    assert exc.value.message.startswith("名单工作簿无法读取：工作簿内部含有不安全的 XML 声明")
