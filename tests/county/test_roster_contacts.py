"""Roster contacts (联系人, 电话, 邮箱 in any order; GBK or UTF-8 CSV, .xlsx), the common 机关类型
names, every bad row reported at once, and `ogi status` naming the contacts of agencies that have
not returned."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from conftest import balanced_values, fill_workbook, input_values
from ogi.cli import main
from ogi.county.roster import read_roster
from ogi.errors import InputError
from ogi.form.layout import layout_for
from ogi.workbook.xlsx_writer import Agency, WorkbookOptions, build_workbook

ROWS = [
    ["邮箱", "机关名称", "电话", "机关类型", "联系人", "编号"],
    ["by@example.cn", "彭阳县白阳镇人民政府", "0954-7011111", "乡镇", "张三", "A1"],
    ["", "彭阳县城阳街道办事处", "0954-7022222", "街道", "李四", "A2"],
    ["jy@example.cn；jy2@example.cn", "彭阳县教育局", "", "县直部门", "", "A3"],
    ["", "彭阳县人民政府", "", "县政府", "王五", "A4"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    path.write_bytes("\r\n".join(",".join(r) for r in rows).encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年度机关名单"])  # a title above the header
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("form", ["gbk", "utf-8-sig", "xlsx"])
def test_contacts_in_any_column_order(tmp_path: Path, form: str) -> None:
    path = write_xlsx(tmp_path / "名单.xlsx", ROWS) if form == "xlsx" else \
        write_csv(tmp_path / "名单.csv", ROWS, form)
    agencies = read_roster(path)
    assert [(a.name, a.type, a.contact, a.phone, a.email) for a in agencies] == [
        ("彭阳县白阳镇人民政府", "乡镇街道", "张三", "0954-7011111", "by@example.cn"),
        ("彭阳县城阳街道办事处", "乡镇街道", "李四", "0954-7022222", ""),
        ("彭阳县教育局", "部门", "", "", "jy@example.cn, jy2@example.cn"),
        ("彭阳县人民政府", "政府", "王五", "", ""),
    ]


def test_every_bad_row_reported_at_once(tmp_path: Path) -> None:
    rows = [*ROWS, ["不是邮箱", "彭阳县红河镇人民政府", "", "", "", ""],
            ["", "", "", "乡镇", "", "A9"],
            ["", "彭阳县新集乡人民政府", "", "村委会", "", ""],
            ["", "彭阳县古城镇人民政府", "", "", "", "A1"]]
    path = write_csv(tmp_path / "名单.csv", rows, "gbk")
    with pytest.raises(InputError) as exc:
        read_roster(path)
    message = exc.value.message
    assert "共 4 处" in message
    for line in (6, 7, 8, 9):
        assert f"第 {line} 行" in message
    assert "不是邮箱" in message and "村委会" in message and "编号 A1 与第 2 行重复" in message


def test_status_shows_contacts_of_agencies_that_have_not_returned(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = write_csv(tmp_path / "名单.csv", ROWS, "gbk")
    returns = tmp_path / "交回"
    returns.mkdir()
    layout = layout_for()
    path = returns / "白阳.xlsx"
    path.write_bytes(build_workbook(Agency("彭阳县白阳镇人民政府", "A1", "乡镇街道"),
                                    WorkbookOptions(year=2023)))
    fill_workbook(path, layout, values=input_values(layout.spec, balanced_values(layout.spec, 1)),
                  narrative={n.key: "2023年按要求开展了工作。" for n in layout.spec.narrative})
    with pytest.raises(SystemExit):
        main(["status", str(returns), "--roster", str(roster)])
    lines = capsys.readouterr().out.splitlines()

    def entry(name: str) -> str:  # the agency's line and its notes (indented lines below it)
        i = next(i for i, ln in enumerate(lines) if ln.startswith(name))
        rest = [ln for ln in lines[i + 1:]]
        notes = rest[:next((k for k, ln in enumerate(rest) if not ln.startswith(" ")), len(rest))]
        return "\n".join([lines[i], *notes])

    text = entry("彭阳县城阳街道办事处")
    assert "未提交" in text and "联系人 李四" in text and "电话 0954-7022222" in text
    assert "张三" not in entry("彭阳县白阳镇人民政府")  # returned: no contacts needed
