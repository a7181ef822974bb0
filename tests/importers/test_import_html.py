"""`ogi import` of HTML pages written the way government sites write them: GB2312, a layout table
around the article, <font>/<span> inside every cell, &nbsp; for blanks, <br> inside wrapped headers,
rowspan/colspan merges; and a 2019-format page."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from ogi.errors import InputError
from ogi.form.report import Value
from ogi.form.spec import FormSpec, Table, load_spec
from ogi.importers import build_import_workbook, import_report

SPEC = load_spec()
SPEC_2019 = load_spec("gov_info_2019")
WRAPS = {"商业企业": "商业<br />企业", "科研机构": "科研<br/>机构", "结果维持": "结果<br>维持",
         "本年新制作数量": "本年新<br />制作数量"}


def font(text: str) -> str:
    return f'<font face="仿宋_GB2312" size="2"><span style="font-size:10.5pt">{text}</span></font>'


def table_html(table: Table, values: dict[str, Value]) -> str:
    rows = []
    for row in table.rows:
        tds = []
        for cell in row.cells:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            tds.append(f'<td{span} style="border:1px solid #000"><p align="center">'
                       f"{font(WRAPS.get(cell.text, cell.text))}</p></td>")
        if row.kind == "data":
            for slot in row.values:
                value = values.get(f"{table.key}.{row.key}.{slot.column}")
                text = "&nbsp;" if value is None else str(value)
                span = f' colspan="{slot.colspan}"' if slot.colspan > 1 else ""
                tds.append(f'<td{span} nowrap="nowrap"><p align="center">{font(text)}</p></td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return ('<table border="1" cellspacing="0" cellpadding="0" align="center" style="border-collapse:'
            'collapse"><tbody>' + "\n".join(rows) + "</tbody></table>")


def page(spec: FormSpec, values: dict[str, Value], *, agency: str, year: int, basis: str,
         narrative: dict[str, str] | None = None) -> bytes:
    narrative = narrative or {}
    p = lambda text: f'<p style="text-indent:2em">&nbsp;&nbsp;{font(text)}</p>'  # noqa: E731
    parts = [f'<h1 style="text-align:center"><font size="5">{agency}{year}年政府信息公开工作年度报告</font></h1>',
             p(f"本报告根据《中华人民共和国政府信息公开条例》和{basis}要求编制。本报告中所列数据的统计期限自"
               f"{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与本机关联系（地址：某某县人民路8号；"
               "邮编：756500；电话：0954-7012345；电子邮箱：gk@example.gov.cn）。"),
             p("<b>一、总体情况</b>"), p(narrative.get("overview", "本年度依法做好政府信息公开工作。")),
             p("<strong>（一）主动公开</strong>"), p(narrative.get("proactive", "主动公开信息30条。")),
             p("（二）依申请公开"), p("本年度收到政府信息公开申请件数详见表三。"),
             p("（三）政府信息管理"), p("严格执行发布审核制度。"),
             p("（四）政府信息公开平台建设"), p("持续完善政府网站。"),
             p("（五）监督保障"), p("本年度未发生责任追究情况。")]
    for table in spec.tables:
        parts.append(p(f"<b>{table.section}</b>"))
        parts.append(table_html(table, values))
    section5 = next(n.section for n in spec.narrative if n.key == "problems")
    parts += [p(section5), p("（一）存在的主要问题。公开内容还不够丰富。"), p("（二）改进措施。下一步将加强培训。"),
              p("六、其他需要报告的事项"), p("本年度无其他需要报告的事项。"),
              p("本年度未发出收费通知，未收取信息处理费。")]
    article = "\n".join(parts)
    html = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"><html><head>'
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
            f"<title>{agency}年报</title><script>var x = '<table>';</script>"
            '<style>td {font-size: 12px}</style></head><body>'
            '<table width="100%"><tr><td class="nav">首页 &gt; 政府信息公开年报</td></tr><tr><td>'
            f'<div class="TRS_Editor">{article}</div>'
            "</td></tr></table><!-- 页脚 --><div class='footer'>主办：某某县人民政府</div></body></html>")
    return html.encode("gb18030")


def random_values(spec: FormSpec, seed: int) -> dict[str, Value]:
    rnd = random.Random(seed)
    out: dict[str, Value] = {}
    for key, cell in spec.cells.items():
        if cell.table == "fee":
            continue
        if cell.type == "wan_yuan":
            out[key] = Decimal(rnd.randint(0, 10**7)) / Decimal(10**4)
        elif cell.type == "yuan":
            out[key] = Decimal(rnd.randint(0, 10**5))
        elif cell.type == "delta":
            out[key] = rnd.randint(-5, 5)
        else:
            out[key] = rnd.randint(0, 40)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_government_html_imports_every_value(tmp_path: Path, seed: int) -> None:
    from conftest import balanced_values

    values: dict[str, Value] = dict(balanced_values(SPEC, seed=seed))
    blanks = ["t3.partial.research", "t4.cases.lit_direct_pending"]
    for key in blanks:
        values[key] = None
    path = tmp_path / "report.html"
    path.write_bytes(page(SPEC, values, agency="某某县自然资源局", year=2023,
                          basis="国办公开办函〔2021〕30号"))
    result = import_report(path)
    assert result.kind == "html" and result.source_format == "gov_info_2021"
    assert result.report.agency_name == "某某县自然资源局" and result.report.year == 2023
    for key in SPEC.cells:
        if key.startswith("fee."):
            continue
        assert result.report.values[key] == values[key], key
    blank = sorted(f.key for f in result.findings if f.code == "IMPORT-BLANK")
    assert blank == sorted(blanks)
    assert not {"IMPORT-NOT-FOUND", "IMPORT-ROW-MISMATCH", "IMPORT-EXTRA-ROW"} & {
        f.code for f in result.findings}
    meta = result.report.metadata
    assert (meta["address"], meta["postcode"], meta["phone"], meta["email"]) == (
        "某某县人民路8号", "756500", "0954-7012345", "gk@example.gov.cn")
    narrative = result.report.narrative
    assert narrative["proactive"] == "主动公开信息30条。"
    assert narrative["platform"] == "持续完善政府网站。"
    assert narrative["problems"] == "公开内容还不够丰富。"
    assert narrative["improvements"] == "下一步将加强培训。"
    assert narrative["other_matters"] == "本年度无其他需要报告的事项。"
    fees = {k: result.report.values[k] for k in ("fee.notices_count", "fee.notices_amount",
                                                 "fee.collected_amount")}
    assert fees == {"fee.notices_count": 0, "fee.notices_amount": 0, "fee.collected_amount": 0}
    assert "首页" not in "".join(narrative.values()) and "主办" not in "".join(narrative.values())


def test_2019_format_page(tmp_path: Path) -> None:
    values = random_values(SPEC_2019, seed=5)
    for col in (c.key for c in SPEC_2019.table("t3").columns):
        values[f"t3.other_handling.{col}"] = 0
    values["t3.other_handling.natural_person"] = 2
    path = tmp_path / "2020.html"
    path.write_bytes(page(SPEC_2019, values, agency="某某市人民政府办公室", year=2020,
                          basis="《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》"
                                "（国办公开办函〔2019〕60号）"))
    result = import_report(path)
    assert result.source_format == "gov_info_2019"
    codes = [f.code for f in result.findings]
    assert "IMPORT-FORMAT-2019" in codes
    got = result.report.values
    # Tables 三 (apart from 其他处理) and 四 are the same in both formats.
    for key in SPEC.cells:
        if key.startswith(("t3.", "t4.")) and ".other_" not in key:
            assert got[key] == values[key], key
    # Table 二: what has the same meaning moves; the rest is listed, not imported.
    assert got["t2.regulations.made"] == values["t2.regulations.new_made"]
    assert got["t2.normative_docs.made"] == values["t2.normative_docs.new_made"]
    assert got["t2.licensing.decisions"] == values["t2.licensing.decisions"]
    assert got["t2.punishment.decisions"] == values["t2.punishment.decisions"]
    assert got["t2.regulations.valid"] is None and got["t2.admin_fees.amount_wan_yuan"] is None
    no_source = {f.key for f in result.findings if f.code == "IMPORT-2019-NO-SOURCE"}
    assert no_source == {"t2.regulations.repealed", "t2.regulations.valid", "t2.normative_docs.repealed",
                         "t2.normative_docs.valid", "t2.admin_fees.amount_wan_yuan"}
    assert not [f for f in result.findings if f.code == "VALUE-BLANK"]  # said once, in import terms
    unmapped = " ".join(f.message for f in result.findings if f.code == "IMPORT-2019-UNMAPPED")
    for label in ("其他对外管理服务事项", "政府集中采购", "行政事业性收费", "本年增/减"):
        assert label in unmapped
    # （六）其他处理: 0 columns become three 0s; a non-zero one cannot be divided by ogi.
    split = [f for f in result.findings if f.code == "IMPORT-2019-SPLIT"]
    assert len(split) == 1 and "为 2" in split[0].message
    assert got["t3.other_no_correction.natural_person"] is None
    for col in ("commercial", "research", "social_welfare", "legal_service", "other_org"):
        for row in ("other_no_correction", "other_no_fee", "other_other"):
            assert got[f"t3.{row}.{col}"] == 0
    # A 2020 report is not written as a 2020 workbook; as last year's report it starts 2021.
    with pytest.raises(InputError, match="--as-previous"):
        build_import_workbook(result)
    data, name, _ = build_import_workbook(result, as_previous=True)
    assert name.startswith("2021年某某市人民政府办公室") and data[:2] == b"PK"


def test_web_page_saved_as_single_file_mht(tmp_path: Path) -> None:
    import quopri

    from conftest import balanced_values

    values = balanced_values(SPEC, seed=6)
    html = page(SPEC, values, agency="某某县水务局", year=2023, basis="国办公开办函〔2021〕30号")
    body = quopri.encodestring(html).decode("ascii")
    mht = ("From: <Saved by Windows Internet Explorer 11>\r\nSubject: =?gb2312?B?xOqxqA==?=\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----=_NextPart_000"\r\n\r\n'
           "This is a multi-part message in MIME format.\r\n\r\n------=_NextPart_000\r\n"
           'Content-Type: text/html;\r\n\tcharset="gb2312"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
           "Content-Location: http://www.example.gov.cn/nb.html\r\n\r\n" + body + "\r\n------=_NextPart_000--\r\n")
    path = tmp_path / "年报.mht"
    path.write_bytes(mht.encode("ascii"))
    result = import_report(path)
    assert result.kind == "html" and result.report.agency_name == "某某县水务局"
    for key in SPEC.cells:
        if not key.startswith("fee."):
            assert result.report.values[key] == values[key], key
