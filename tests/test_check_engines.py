"""The fast cell reader (zipfile + lxml, the default) must read every workbook exactly as openpyxl's
read-only mode does (the reference engine): same Report, same findings, same cached totals. The cases
cover what writers really put in a package: shared and inline strings, rich text with phonetic runs,
shared formulas, cells without references, wrong dimensions, dates, errors, booleans."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from checkcases import edit, edit_xml, filled, prefilled_bytes, sheet_part
from ogi.layout import Layout
from ogi.spec import FormSpec
from ogi.xlsx_reader import read_workbook


def _set(sheet: str, addr: str, value: object) -> Callable[[Path], None]:
    def fn(path: Path) -> None:
        def change(book: object) -> None:
            book[sheet][addr] = value  # type: ignore[index]

        edit(path, change)

    return fn


def _xml(sheet: str, fn: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        data = path.read_bytes()
        part = sheet_part(data, sheet) if sheet != "sharedStrings" else "xl/sharedStrings.xml"
        path.write_bytes(edit_xml(data, part, fn))

    return apply


def _book(fn: Callable[[object], None]) -> Callable[[Path], None]:
    return lambda path: edit(path, fn) and None  # type: ignore[func-returns-value]


def _insert_row(book: object) -> None:
    book["表三"].insert_rows(12)  # type: ignore[index]


def _rename(book: object) -> None:
    book["表四"].title = "表4"  # type: ignore[index]


def _unprotect(book: object) -> None:
    book["表二"].protection.sheet = False  # type: ignore[index]


def _no_refs(xml: str) -> str:
    return re.sub(r'(<c) r="[A-Z]+\d+"', r"\1", xml)


def _shared(xml: str) -> str:
    xml = xml.replace("<f>SUM(D7:I7)</f>", '<f t="shared" ref="J7:J8" si="0">SUM(D7:I7)</f>', 1)
    return xml.replace("<f>SUM(D8:I8)</f>", '<f t="shared" si="0"/>', 1)


def _inline(xml: str) -> str:
    return re.sub(r'<c r="B5"( s="\d+")? t="s"><v>\d+</v></c>',
                  r'<c r="B5"\1 t="inlineStr"><is><t>行内文字</t><r><t>第二段</t></r></is></c>', xml)


def _rich(xml: str) -> str:
    return xml.replace("<t>宁夏彭阳县白阳镇人民路1号</t>",
                       '<r><t>宁夏彭阳县</t></r><r><rPr><b/></rPr><t>白阳镇</t></r>'
                       '<rPh sb="0" eb="2"><t>ning xia</t></rPh>', 1)


def _error_and_bool(xml: str) -> str:
    xml = re.sub(r'<c r="D9" s="(\d+)"><v>\d+</v></c>', r'<c r="D9" s="\1" t="e"><v>#DIV/0!</v></c>', xml)
    return re.sub(r'<c r="E9" s="(\d+)"><v>\d+</v></c>', r'<c r="E9" s="\1" t="b"><v>1</v></c>', xml)


def _dimension(xml: str) -> str:
    return re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1"/>', xml)


CASES: dict[str, Callable[[Path], None] | None] = {
    "clean": None,
    "text-variants": _set("表三", "D9", "１２"),
    "negative": _set("表三", "H12", -4),
    "fraction": _set("表三", "E8", 1.5),
    "formula-in-input": _set("表三", "F10", "=1+2"),
    "overwritten-total": _set("表三", "J7", 99),
    "blank": _set("表四", "A7", None),
    "date-cell": _set("基本信息", "B13", dt.datetime(2024, 1, 20)),
    "inserted-row": _book(_insert_row),
    "renamed-sheet": _book(_rename),
    "unprotected": _book(_unprotect),
    "no-cell-refs": _xml("表二", _no_refs),
    "wrong-dimension": _xml("表三", _dimension),
}
XML_CASES: dict[str, Callable[[Path], None]] = {
    "ogi-prefilled": lambda p: None,
    "shared-formulas": _xml("表三", _shared),
    "inline-strings": _xml("正文", _inline),
    "rich-text": _xml("sharedStrings", _rich),
    "error-and-bool": _xml("表三", _error_and_bool),
    "control-chars": _xml("sharedStrings", lambda x: x.replace("第二段说明具体做法。",
                                                               "第二段_x0007_说明\t具体做法。", 1)),
    "stale-total": _xml("表三", lambda x: re.sub(r"(<f>SUM\(D7:I7\)</f><v>)\d+", r"\g<1>77", x, count=1)),
}


def _compare(path: Path) -> None:
    fast = read_workbook(path)
    ref = read_workbook(path, engine="openpyxl")
    assert fast.report.to_dict() == ref.report.to_dict()
    assert fast.findings == ref.findings
    assert (fast.unreadable, fast.invalid, fast.broken_sheets) == \
        (ref.unreadable, ref.invalid, ref.broken_sheets)
    assert fast.cached == ref.cached


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> Path:
    from conftest import SEED_AGENCY
    from ogi.xlsx_writer import WorkbookOptions, build_workbook

    path = tmp_path_factory.mktemp("engines") / "clean.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    filled(path, layout, seed=31)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_engines_agree_on_clerk_edits(case: str, clean: Path, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.xlsx"
    shutil.copy(clean, path)
    change = CASES[case]
    if change is not None:
        change(path)
    _compare(path)


@pytest.mark.parametrize("case", list(XML_CASES))
def test_engines_agree_on_package_variants(case: str, spec: FormSpec, tmp_path: Path) -> None:
    data, _ = prefilled_bytes(spec, seed=32)
    path = tmp_path / f"{case}.xlsx"
    path.write_bytes(data)
    XML_CASES[case](path)
    _compare(path)


def test_engines_agree_on_a_blank_new_workbook(new_workbook) -> None:  # type: ignore[no-untyped-def]
    _compare(new_workbook())


def test_fast_reader_reads_what_the_variants_say(spec: FormSpec, tmp_path: Path) -> None:
    """Not just agreement: the values are the right ones."""
    data, values = prefilled_bytes(spec, seed=32)
    path = tmp_path / "v.xlsx"
    path.write_bytes(data)
    _xml("表二", _no_refs)(path)
    _xml("正文", _inline)(path)
    _xml("sharedStrings", _rich)(path)
    read = read_workbook(path)
    assert read.report.values == values
    assert read.report.narrative["overview"] == "行内文字第二段"
    assert read.report.metadata["address"] == "宁夏彭阳县白阳镇"
