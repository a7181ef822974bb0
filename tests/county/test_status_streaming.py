"""What ogi status / summary / check keep per file while streaming a batch: no Report with
keep="counts", packed numbers with keep="values", and still the same answers (differences between
duplicate files counted, numbers exact, closing line and exit code)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from conftest import balanced_values, fill_workbook
from ogi.workbook.xlsx_writer import Agency


def test_counts_mode_keeps_no_report_and_still_counts_differences(tmp_path: Path, new_workbook,
                                                                  layout, spec) -> None:
    from ogi.county.status import KEEP_COUNTS, KEEP_VALUES, collect_status

    folder = tmp_path / "交回"
    folder.mkdir()
    agency = Agency("彭阳县测试镇人民政府", "001")
    values = {k: v for k, v in balanced_values(spec, 3).items() if k in spec.input_keys}
    narrative = {f.key: "本年度按要求开展工作。" for f in spec.narrative}
    old = fill_workbook(new_workbook(agency), layout, values=values, narrative=narrative,
                        out=folder / "旧.xlsx")
    changed = dict(values)
    # Two numbers of 表二 (no rule within the year ties them to others).
    changed["t2.regulations.made"] = int(values["t2.regulations.made"] or 0) + 1  # type: ignore[arg-type]
    changed["t2.regulations.valid"] = int(values["t2.regulations.valid"] or 0) + 1  # type: ignore[arg-type]
    first = spec.narrative[0].key
    new = fill_workbook(new_workbook(agency), layout, values=changed,
                        narrative=narrative | {first: "改写后的正文。"}, out=folder / "新.xlsx")
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_100, 1_700_000_100))

    for keep in (KEEP_COUNTS, KEEP_VALUES):
        report = collect_status(folder, keep=keep)
        by_name = {r.file.rel: r for r in report.results}
        older, newer = by_name["旧.xlsx"], by_name["新.xlsx"]
        assert older.report is None and newer.report is None
        assert newer.readable and newer.current and not older.current and newer.fingerprint
        assert any("与较新的文件内容不同：2 个数字、1 个正文栏目不同" in n for n in older.notes), older.notes
        if keep == KEEP_COUNTS:
            assert newer.packed is None and newer.values is None
        else:
            assert newer.values is not None
            assert {k: newer.values[k] for k in changed} == changed


def test_packed_values_round_trip_exactly() -> None:
    from ogi.county.status import PackedValues
    from ogi.form.report import Report

    values = {"a": 0, "b": None, "c": 12345678901234, "d": Decimal("1.50"), "e": Decimal("-0.01"),
              "f": Decimal("1E+2")}
    report = Report("gov_info_2021", 1, metadata={"year": "2023", "phone": "x"}, values=values,
                    narrative={"overview": "很长的正文"}, explanations={"T3-BALANCE:total": "说明"})
    packed = PackedValues.of(report)
    back = packed.values
    assert back == values and [type(v) for v in back.values()] == [type(v) for v in values.values()]
    assert str(back["d"]) == "1.50"
    rebuilt = packed.report()
    assert rebuilt.year == 2023 and rebuilt.values == values and rebuilt.narrative == {}
    assert rebuilt.explanations == {"T3-BALANCE:total": "说明"}
    assert PackedValues.of_values({}).values == {}


def test_tally_gives_the_same_line_and_exit_code_as_the_results() -> None:
    from types import SimpleNamespace

    from ogi.form.output import totals_line
    from ogi.form.results import Tally
    from ogi.workbook.checker import CheckResult

    results = [SimpleNamespace(error="", errors=0, exit_code=0),
               SimpleNamespace(error="", errors=2, exit_code=1),
               SimpleNamespace(error="无法读取", errors=0, exit_code=2)]
    tally = Tally(of=CheckResult)
    for r in results:
        tally.add(r)  # type: ignore[arg-type]
    assert tally.line() == totals_line(results, of=CheckResult) == "共检查 3 个文件：1 个无错误，1 个有错误，1 个无法读取"
    assert tally.exit_code == 2 and Tally().exit_code == 0
