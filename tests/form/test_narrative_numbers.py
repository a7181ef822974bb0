"""The narrative checker (ogi.form.narrative): the sentence table, messages, spec validation, and the
checks on whole reports (the bundled example, the seed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checkcases import filled
from conftest import REPO, SEED_AGENCY
from narrative_sentences import BASE_INPUTS, SENTENCES
from ogi.errors import SpecError
from ogi.form.layout import SHEET_CHECKS, SHEET_GUIDE, layout_for
from ogi.form.narrative import check_field, chinese_number
from ogi.form.report import Report
from ogi.form.rules import compute_totals
from ogi.form.spec import parse_spec
from ogi.workbook.checker import check_report, check_workbook
from ogi.workbook.xlsx_writer import WorkbookOptions, build_workbook

SPEC = layout_for().spec
VALUES = compute_totals(SPEC, {k: BASE_INPUTS.get(k, 0) for k in SPEC.input_keys})


def base_report(narrative: dict[str, str]) -> Report:
    return Report(SPEC.id, SPEC.version, metadata={"agency_name": "某某县某某局", "year": "2023"},
                  values=dict(VALUES), narrative=narrative)


def test_base_tables_balance() -> None:
    """The sentence table's tables are themselves valid (no rule finding but the narrative's)."""
    found = [f for f in check_report(base_report({})) if not f.code.startswith("NARRATIVE")]
    assert not [f for f in found if f.code not in ("META-REQUIRED",)], found


@pytest.mark.parametrize(("field", "sentence", "expected"), SENTENCES,
                         ids=[f"{i:02d}" for i in range(len(SENTENCES))])
def test_sentence_table(field: str, sentence: str, expected: list[tuple[str, str]]) -> None:
    issues = check_field(sentence, SPEC, VALUES, year=2023)
    got = sorted((i.code, i.stated) for i in issues)
    assert got == sorted(expected), [(i.code, i.stated, i.keys, i.table_value) for i in issues]
    for issue in issues:  # the marked text is where the issue says it is
        assert sentence[issue.start:issue.end] == issue.stated.rstrip("%")


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("十二", "一百零五", "两", "二十", "7", "一百二十三", "三万", "十")] == \
        [12, 105, 2, 20, 7, 123, 30000, 10]
    assert [chinese_number(t) for t in ("两三", "零", "万", "一二")] == [None, None, None, None]


# ---- whole reports ---------------------------------------------------------------------------

#: A whole narrative in the style of a county department's report (our own words), stating the
#: sentence table's figures among dates, article and document numbers, last year's figures, rates,
#: approximations and a phone number.
WHOLE = {
    "overview": "2023年，县司法局全面贯彻落实《中华人民共和国政府信息公开条例》，围绕“十四五”规划目标推动政务"
                "公开提质增效，全年召开专题会议4次，组织业务培训2期，培训人员80余人次。",
    "proactive": "全年通过县政府门户网站、政务新媒体累计主动公开政府信息1256条，同比增长12.5%，其中政策文件86条、"
                 "工作动态742条、通知公告428条。制发行政规范性文件3件，废止1件，截至年底现行有效行政规范性文件15件，"
                 "均已在网站“政策文件”专栏集中公开。全年作出行政许可决定120件、行政处罚决定6件，未实施行政强制措施，"
                 "收取行政事业性收费1.25万元。",
    "on_request": "2023年，本机关共收到政府信息公开申请12件，较上年减少3件，另有上年结转申请1件。从申请主体看，"
                  "自然人申请10件，占83.3%；法人或其他组织申请2件，占16.7%。从办理结果看，予以公开6件，部分公开2件，"
                  "不予公开1件（保护第三方合法权益），无法提供2件，不予处理1件，结转下年度继续办理1件。所有申请均在"
                  "《条例》第三十三条规定的20个工作日内答复，按期答复率100%。\n"
                  "全年因政府信息公开被申请行政复议2件，其中维持1件、纠正1件；被提起行政诉讼1件，法院判决维持。",
    "info_management": "一是严格落实“三审三校”制度，全年审核拟公开信息1300余条，未发生泄密事件。二是按照县政府办公室"
                       "〔2023〕12号通知要求开展政策解读，发布图解、视频等解读材料36篇（条）。",
    "platform": "门户网站全年访问量约15万人次，政务新媒体粉丝数达3.2万人。咨询电话0954-1234567。",
    "supervision": "将政务公开纳入年度绩效考核，占考核总分的5%。全年未发生因政府信息公开工作被追究责任的情况。",
    "problems": "一是部分科室主动公开意识不强；二是政策解读形式单一。",
    "improvements": "2024年，我局将重点做好3项工作：一是完善制度；二是加强培训，计划组织培训3次；三是强化监督。",
    "other_matters": "本年度没有收取信息处理费，未发出收费通知。",
}
#: The same narrative with one figure changed per field -> what must be named.
WHOLE_CHANGED = {
    ("proactive", "累计主动公开政府信息1256条", "累计主动公开政府信息1265条"): ("NARRATIVE-SUM", "1265"),
    ("proactive", "废止1件", "废止2件"): ("NARRATIVE-NUMBER", "2"),
    ("proactive", "收取行政事业性收费1.25万元", "收取行政事业性收费1.5万元"): ("NARRATIVE-NUMBER", "1.5"),
    ("on_request", "自然人申请10件，占83.3%", "自然人申请10件，占80%"): ("NARRATIVE-PERCENT", "80%"),
    ("on_request", "无法提供2件", "无法提供3件"): ("NARRATIVE-NUMBER", "3"),
    ("on_request", "其中维持1件、纠正1件", "均维持原决定"): ("NARRATIVE-ALL-UPHELD", "均维持"),
    ("on_request", "被提起行政诉讼1件，法院判决维持", "未发生行政诉讼"): ("NARRATIVE-NONE", "未发生"),
    ("other_matters", "未发出收费通知", "发出收费通知1件"): ("NARRATIVE-NUMBER", "1"),
}


def test_a_whole_narrative_is_clean_and_each_change_is_named() -> None:
    report = base_report(dict(WHOLE))
    assert [f for f in check_report(report) if f.code.startswith("NARRATIVE-")] == []
    for (field, old, new), expected in WHOLE_CHANGED.items():
        assert old in WHOLE[field]
        changed = base_report({**WHOLE, field: WHOLE[field].replace(old, new)})
        found = [(f.code, f.detail["stated"], f.key) for f in check_report(changed)
                 if f.code.startswith("NARRATIVE-")]
        assert found == [(*expected, field)], (new, found)

EXAMPLE = REPO / "examples" / "示例-彭阳县白阳镇人民政府-2023.xlsx"


def narrative_codes(findings: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.code, f.detail["stated"]) for f in findings if f.code.startswith("NARRATIVE-") and f.detail]


def test_bundled_example_is_clean() -> None:
    result = check_workbook(EXAMPLE)
    assert narrative_codes(result.findings) == []
    # ... and its narrative does state numbers the checker reads and finds right:
    text = result.report.narrative
    assert "行政处罚决定6件" in text["proactive"] and "申请1件" in text["on_request"]


def test_seed_import_is_clean(shared_dir: Path) -> None:
    from ogi.importers import import_report

    result = import_report(next((shared_dir / "seed").glob("*.txt")))
    assert narrative_codes(result.findings) == []


def test_import_names_each_contradiction(shared_dir: Path, tmp_path: Path) -> None:
    """A published report whose text contradicts its tables: every contradiction is named, with
    the sentence quoted and the published table value."""
    from ogi.importers import import_report

    seed = next((shared_dir / "seed").glob("*.txt")).read_text(encoding="utf-8")
    edits = {"依申请公开事项1项": "依申请公开事项3项", "在政府网站公开信息34条": "在政府网站公开信息44条",
             "我镇未发布规章、行政规范性文件。": "我镇未发布规章、行政规范性文件，作出行政处罚决定9件。"}
    for old, new in edits.items():
        assert old in seed
        seed = seed.replace(old, new)
    path = tmp_path / "published.txt"
    path.write_text(seed, encoding="utf-8")
    result = import_report(path)
    found = sorted(narrative_codes(result.findings))
    assert found == [("NARRATIVE-NUMBER", "3"), ("NARRATIVE-NUMBER", "9"), ("NARRATIVE-SUM", "394")]
    by_stated = {f.detail["stated"]: f for f in result.findings if f.detail}
    assert "【3】项" in by_stated["3"].message and "表三“一、本年新收政府信息公开申请数量｜总计”的 1件" \
        in by_stated["3"].message
    assert "表二“行政处罚｜本年处理决定数量”的 6件" in by_stated["9"].message
    assert "44 + 360 = 404" in by_stated["394"].message
    assert all("原报告" in by_stated[k].hint for k in by_stated)
    assert all(by_stated[k].severity == "warning" for k in by_stated)


# ---- the workbook: one 说明 per narrative field, --strict, --json ------------------------------

@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    path.write_bytes(build_workbook(SEED_AGENCY, WorkbookOptions(year=2023)))
    return path


CONTRADICTING = {
    "on_request": "全年共收到政府信息公开申请10件，其中予以公开6件，占60%。",
    "proactive": "本年度制发行政规范性文件5件。全年主动公开信息100条，其中网站40条、微信公众号50条。",
}


def test_explanation_accepts_its_own_fields_findings(blank: Path, tmp_path: Path) -> None:
    layout = layout_for()
    path = tmp_path / "wb.xlsx"
    shutil.copy(blank, path)
    note = "正文按受理口径统计（含咨询转申请2件）。"
    filled(path, layout, values=VALUES, narrative=CONTRADICTING,
           raw={(SHEET_CHECKS, layout.check_rows["NARRATIVE-NUMBERS:on_request"].explanation_address): note})
    result = check_workbook(path)
    found = {(f.code, f.detail["stated"], f.rule_id, f.explained) for f in result.findings}
    assert found == {("NARRATIVE-NUMBER", "10", "NARRATIVE-NUMBERS:on_request", True),
                     ("NARRATIVE-NUMBER", "5", "NARRATIVE-NUMBERS:proactive", False),
                     ("NARRATIVE-SUM", "100", "NARRATIVE-NUMBERS:proactive", False)}
    assert (result.errors, result.warnings, result.explained, result.exit_code) == (0, 2, 1, 0)
    strict = check_workbook(path, strict=True)
    assert (strict.errors, strict.explained, strict.exit_code) == (2, 1, 1)
    # The 校验 sheet names one row per narrative field, in the workbook the clerk sees.
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)[SHEET_CHECKS]
    ids = [row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert [i for i in ids if str(i).startswith("NARRATIVE-NUMBERS:")] == \
        [f"NARRATIVE-NUMBERS:{n.key}" for n in SPEC.narrative]


def test_json_carries_statement_span_key_and_values(blank: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import ogi_json
    from ogi.cli import main

    layout = layout_for()
    path = tmp_path / "wb.xlsx"
    shutil.copy(blank, path)
    filled(path, layout, values=VALUES, narrative=CONTRADICTING)
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--json", str(path)])
    assert exit_.value.code == 0  # warnings only
    data = ogi_json.loads(capsys.readouterr().out, "check")
    findings = [f for f in data["results"][0]["findings"] if f["code"] == "NARRATIVE-NUMBER"]
    first = next(f for f in findings if f["detail"]["stated"] == "10")
    detail = first["detail"]
    text = CONTRADICTING["on_request"]
    assert detail["statement"] == "全年共收到政府信息公开申请10件，其中予以公开6件，占60%"
    assert text[slice(*detail["span"])] == "10"
    assert (detail["table_key"], detail["table_value"]) == ("t3.new_received.total", "12")
    assert (first["sheet"], first["cell"]) == ("正文", layout.narrative_fields["on_request"].address)


def test_guide_says_the_narrative_numbers_are_checked(blank: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(blank, read_only=True)[SHEET_GUIDE]
    text = "".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "正文中的数字" in text and "说明" in text


# ---- the spec: phrases are data, validated when it loads ---------------------------------------

SPEC_FILE = REPO / "workbook_templates" / "gov_info_2021.toml"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('{ row = ["regulations"], words = ["规章"] }', '{ rows = ["regulations"], words = ["规章"] }',
     "维度 rows"),
    ('{ row = ["regulations"], words = ["规章"] }', '{ row = ["regulation"], words = ["规章"] }',
     "单元不存在"),
    ('{ row = ["regulations"], words = ["规章"] }', '{ row = ["regulations"], words = ["行政规范性文件"] }',
     "同时对应两个不同的数值"),
    ('{ row = ["regulations"], words = ["规章"] }', '{ row = ["regulations"], words = [""] }', "词语为空"),
    ('defaults = { column = "total" }', 'defaults = { columns = "total" }', "默认值"),
    ('table = "t4"\nkey', 'table = "t5"\nkey', "没有这张表"),
])
def test_bad_phrases_fail_when_the_spec_loads(old: str, new: str, message: str) -> None:
    text = SPEC_FILE.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(SpecError, match=message):
        parse_spec(text.replace(old, new, 1).encode("utf-8"))


def test_a_county_adds_phrases_without_python() -> None:
    """A new synonym in the spec is understood at once."""
    text = SPEC_FILE.read_text(encoding="utf-8")
    before = parse_spec(text.encode("utf-8"))
    sentence = "全年回应公开诉求申请10件。"
    assert check_field(sentence, before, VALUES, year=2023) == []
    changed = text.replace('words = ["新收", "收到",', 'words = ["回应公开诉求", "新收", "收到",', 1)
    after = parse_spec(changed.encode("utf-8"))
    assert [(i.code, i.stated, i.table_value) for i in check_field(sentence, after, VALUES, year=2023)] \
        == [("NARRATIVE-NUMBER", "10", "12")]
