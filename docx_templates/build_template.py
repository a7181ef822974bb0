"""Build ``docx_templates/gov_info_2021.docx``: the Word template ``ogi fill`` renders.

Run ``python docx_templates/build_template.py`` after changing the form spec or this script; the
output is reproducible (a test rebuilds it and compares every part with the committed file).

What the template holds, all derived from ``workbook_templates/gov_info_2021.toml``:

- the title, its lines placed by ogi (``title_lines``, GB/T 9704 §7.3.1), and a generated preamble (legal
  basis, statistics period, where the report is published, contact details);
- the six sections in order, narrative fields as ``{%p for para in <field> %}`` paragraphs (one real
  ``w:p`` per paragraph), level-2 headings from the spec;
- tables 二, 三 and 四 with the official merges drawn statically (``w:gridSpan`` / ``w:vMerge``), one
  ``{{ }}`` per value cell and no loops inside tables;
- section 六's 信息处理费 paragraph, generated from the three fee fields.

Typography follows GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm (text area 156 × 225
mm), body 仿宋_GB2312 3号 on a fixed 28.95 pt pitch (22 lines) with a 28-character grid, first-line
indent of two characters, title 方正小标宋简体 2号, level-1 headings 黑体, level-2 楷体_GB2312, Latin
and digits Times New Roman, page numbers ``— 1 —`` in 4号宋体, odd pages right and even pages left
(one character in), 7 mm below the text area.

Tables 三 and 四 stay on portrait pages, in 小五 with wrapped headers, rather than on landscape pages.
GB/T 9704 §8 allows landscape tables but requires their page numbers to stay where the portrait
pages have them; Word and WPS can only do that with rotated text boxes in a separate section's
footer, which breaks as soon as someone restyles the document. In portrait, table 三 (25 data rows)
fits one page and table 四's 15 columns fit the 156 mm text width with two-character header lines
("结果/维持"), exactly as the seed report and most published reports set them, and the document reads
top to bottom without turning pages.

The package is written part by part as raw XML rather than from python-docx's default template:
that template carries a thumbnail, customXml, a Japanese theme language and 800 KB of styles that
would all be overridden, and python-docx cannot write ``w:eastAsia`` fonts. python-docx is used to
re-open the result and verify styles and page setup before the file is written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
if str(HERE.parent / "src") not in sys.path:  # run from a source checkout without installing
    sys.path.insert(0, str(HERE.parent / "src"))

from ogi.document.docx_render import BODY_TEXT_TWIPS, core_properties_xml, placeholder, write_package  # noqa: E402
from ogi.document.report_text import fee_sentence, outline, preamble_sentences, var  # noqa: E402
from ogi.form.layout import Placed, place_table  # noqa: E402
from ogi.form.spec import FormSpec, Table, load_spec  # noqa: E402

# ------------------------------------------------------------------------------------------------
# Typography (GB/T 9704-2012). Sizes in half points (w:sz), lengths in twips (1/20 pt).

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"

SIZE_2 = 44  # 2号 22 pt: title
SIZE_3 = 32  # 3号 16 pt: body and headings
SIZE_4 = 28  # 4号 14 pt: page numbers
SIZE_5 = 21  # 五号 10.5 pt: table 二
SIZE_S5 = 18  # 小五 9 pt: tables 三 and 四


def mm(value: float) -> int:
    return round(value / 25.4 * 1440)


PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = mm(37), mm(35), mm(28), mm(26)
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8844 twips = 156 mm
assert TEXT_W == BODY_TEXT_TWIPS, "ogi.document.docx_render places the 落款 on this width"
LINE_PITCH = 579  # 225 mm / 22 lines = 28.95 pt
CHARS_PER_LINE = 28
# 28 characters per line: a 3号 character is 16 pt but 156 mm / 28 = 15.79 pt, so body text is set
# 0.25 pt tighter (w:spacing in 1/20 pt): 28 x 15.75 pt = 441 pt fits the 442.2 pt line, 29 do not.
# (A Word "linesAndChars" document grid would do the same in Word and WPS, but LibreOffice lays such
# a grid out at ~17 characters per line, so the archive PDF would look wrong.)
CHAR_SPACING = -5
INDENT_2 = 2 * 320  # two 3号 characters
PAGE_NUMBER_INDENT = 280  # one 4号 character
# Footer: the page number's line starts 7 mm below the text area (35 mm - 7 mm from the page edge),
# so its baseline box (~5.5 mm for 14 pt) ends ~22.5 mm above the page's bottom edge.
FOOTER_DISTANCE = mm(22.5)

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def fonts(east_asia: str, latin: str = LATIN) -> str:
    return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" '
            f'w:cs="{latin}" w:hint="eastAsia"/>')


def rpr(east_asia: str, size: int, latin: str = LATIN, spacing: int = 0) -> str:
    space = f'<w:spacing w:val="{spacing}"/>'  # explicit 0 so styles based on Normal do not inherit
    return (f"<w:rPr>{fonts(east_asia, latin)}<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>"
            f'<w:color w:val="000000"/>{space}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')


# ------------------------------------------------------------------------------------------------
# styles.xml


def _style(kind: str, style_id: str, name: str, *, based_on: str = "", next_: str = "",
           ppr: str = "", rpr_: str = "", extra: str = "", default: bool = False,
           ui: int | None = None, qformat: bool = True) -> str:
    out = f'<w:style w:type="{kind}" w:styleId="{style_id}"' + (' w:default="1"' if default else "") + ">"
    out += f'<w:name w:val="{name}"/>'
    if based_on:
        out += f'<w:basedOn w:val="{based_on}"/>'
    if next_:
        out += f'<w:next w:val="{next_}"/>'
    if ui is not None:
        out += f'<w:uiPriority w:val="{ui}"/>'
    if qformat:
        out += "<w:qFormat/>"
    return out + ppr + rpr_ + extra + "</w:style>"


def _table_text_ppr(jc: str) -> str:
    # Tables are single-spaced and off the 28.95 pt grid (snapToGrid 0), without first-line indent.
    return ('<w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" '
            'w:lineRule="auto"/><w:ind w:left="0" w:right="0" w:firstLine="0" w:firstLineChars="0"/>'
            f'<w:jc w:val="{jc}"/></w:pPr>')


def styles_xml() -> str:
    # overflowPunct 1, stated explicitly: a full-width mark that falls after the 28th character of
    # a line must stay visible. Word (whose default this is) hangs it into the right margin;
    # LibreOffice reads the element inverted (overflowPunct 1 = its "hanging punctuation" off) and
    # carries the mark to the next line with the character before it (kinsoku). Left unstated,
    # LibreOffice hangs it, and on a justified line of the exact grid drops it from the PDF
    # altogether ("救济途径，没有" printed as "救济途径没有"); the PDF is the archive copy.
    body_ppr = (f'<w:pPr><w:widowControl w:val="0"/><w:overflowPunct w:val="1"/>'
                f'<w:spacing w:before="0" w:after="0" '
                f'w:line="{LINE_PITCH}" w:lineRule="exact"/>'
                f'<w:ind w:firstLineChars="200" w:firstLine="{INDENT_2}"/><w:jc w:val="both"/></w:pPr>')
    heading_ppr = ('<w:pPr><w:keepNext/><w:keepLines/>'
                   f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
                   f'<w:ind w:firstLineChars="200" w:firstLine="{INDENT_2}"/><w:jc w:val="both"/>'
                   '<w:outlineLvl w:val="{level}"/></w:pPr>')
    styles = [
        _style("paragraph", "Normal", "Normal", default=True, ppr=body_ppr,
               rpr_=rpr(FANGSONG, SIZE_3, spacing=CHAR_SPACING)),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True, ui=1,
               qformat=False, extra="<w:semiHidden/><w:unhideWhenUsed/>"),
        _style("table", "TableNormal", "Normal Table", default=True, ui=99, qformat=False,
               extra=('<w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
                      '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                      '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
                      "</w:tblCellMar></w:tblPr>")),
        _style("numbering", "NoList", "No List", default=True, ui=99, qformat=False,
               extra="<w:semiHidden/><w:unhideWhenUsed/>"),
        # 标题: 方正小标宋简体 2号, centred, not bold, one blank line (28.95 pt) below.
        _style("paragraph", "Title", "Title", based_on="Normal", next_="Normal", ui=10,
               ppr=('<w:pPr><w:keepNext/><w:snapToGrid w:val="0"/>'
                    f'<w:spacing w:before="0" w:after="{LINE_PITCH}" w:line="700" w:lineRule="exact"/>'
                    '<w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/>'
                    '<w:outlineLvl w:val="9"/></w:pPr>'),
               rpr_=rpr(XIAOBIAOSONG, SIZE_2)),
        # 一级标题 “一、”: 黑体 3号; 二级标题 “（一）”: 楷体_GB2312 3号. Both indented like body text.
        _style("paragraph", "Heading1", "heading 1", based_on="Normal", next_="Normal", ui=9,
               ppr=heading_ppr.replace("{level}", "0"), rpr_=rpr(HEITI, SIZE_3, spacing=CHAR_SPACING)),
        _style("paragraph", "Heading2", "heading 2", based_on="Normal", next_="Normal", ui=9,
               ppr=heading_ppr.replace("{level}", "1"), rpr_=rpr(KAITI, SIZE_3, spacing=CHAR_SPACING)),
        # 页码: 4号半角宋体.
        _style("paragraph", "Footer", "footer", based_on="Normal", ui=99, qformat=False,
               ppr=('<w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="240" '
                    'w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/></w:pPr>'),
               rpr_=rpr(SONG, SIZE_4, latin=SONG)),
        # 表格: 仿宋 五号 (表二) and 小五 (表三、表四), numbers Times New Roman, centred.
        _style("paragraph", "OgiTableText", "表格文字", based_on="Normal", ui=20,
               ppr=_table_text_ppr("center"), rpr_=rpr(FANGSONG, SIZE_5)),
        _style("paragraph", "OgiTableSmall", "表格文字（小五）", based_on="OgiTableText", ui=21,
               ppr=_table_text_ppr("center"), rpr_=rpr(FANGSONG, SIZE_S5)),
        _style("paragraph", "OgiTableLabel", "表格行标题（小五）", based_on="OgiTableSmall", ui=22,
               ppr=_table_text_ppr("left"), rpr_=rpr(FANGSONG, SIZE_S5)),
        # 落款: 机关名称 and 成文日期, right-aligned with right indents ogi computes per report from
        # their widths (ogi.document.typeset.em_width counts the automatic space Word and LibreOffice put
        # between CJK characters and digits).
        _style("paragraph", "OgiSignature", "落款", based_on="Normal", ui=23,
               ppr=('<w:pPr><w:ind w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="right"/></w:pPr>')),
        _style("table", "OgiTable", "公开年报表格", based_on="TableNormal", ui=59,
               extra=('<w:tblPr><w:jc w:val="center"/><w:tblBorders>'
                      + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
                      + '</w:tblBorders><w:tblCellMar><w:left w:w="45" w:type="dxa"/>'
                        '<w:right w:w="45" w:type="dxa"/></w:tblCellMar></w:tblPr>')),
    ]
    defaults = ("<w:docDefaults><w:rPrDefault><w:rPr>" + fonts(FANGSONG)
                + f'<w:kern w:val="2"/><w:sz w:val="{SIZE_3}"/><w:szCs w:val="{SIZE_3}"/>'
                '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
                '<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:pPrDefault>'
                "</w:docDefaults>")
    return XML_DECL + f"<w:styles {NS}>" + defaults + "".join(styles) + "</w:styles>"


# ------------------------------------------------------------------------------------------------
# document.xml building blocks


def run(text: str) -> str:
    return ('<w:r><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def para(text: str = "", style: str = "", ppr_extra: str = "") -> str:
    ppr = ""
    if style or ppr_extra:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr_extra + "</w:pPr>"
    return f"<w:p>{ppr}{run(text) if text else ''}</w:p>"


def tag_para(tag: str) -> str:
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag (the paragraph disappears on render)."""
    return f"<w:p>{run('{%p ' + tag + ' %}')}</w:p>"


def narrative_block(field_key: str) -> str:
    """One real paragraph per line of the workbook cell: ``{%p for %}`` around a Normal paragraph."""
    name = placeholder(field_key)
    return (tag_para(f"for para in {name}") + para("{{ para }}") + tag_para("endfor"))


def preamble() -> list[str]:
    first, second = preamble_sentences()
    # The contact sentence is set flush left, not justified: its phone number, e-mail address and
    # web address cannot break, and justifying the line before one spaces its characters out
    # ("联 系 电 话 ："), which text extraction (and `ogi import` of the PDF) then reads apart.
    return [para(first), para(second, ppr_extra='<w:jc w:val="left"/>')]


def signature() -> list[str]:
    """落款 (GB/T 9704 §7.3.5.2, no seal), always printed: one blank line below the body, the agency
    name right-aligned two characters from the right and the date starting two characters right of
    the name's first character (left-aligned at an indent ogi computes per report from the name,
    so that it does not depend on the digits' font; right-aligned two characters in when it is
    longer), see :func:`ogi.document.typeset.signature`. A blank 发布日期 (``--force``) prints
    "　　年　月　日" for handwriting. A long name comes as several lines."""
    name = ('<w:p><w:pPr><w:pStyle w:val="OgiSignature"/>'
            '<w:ind w:right="{{ signature.name_right }}"/></w:pPr>' + run("{{ line }}") + "</w:p>")
    date = ('<w:p><w:pPr><w:pStyle w:val="OgiSignature"/>'
            '<w:ind w:left="{{ signature.date_left }}" w:right="{{ signature.date_right }}"/>'
            '<w:jc w:val="{{ signature.date_jc }}"/></w:pPr>' + run("{{ signature.date }}") + "</w:p>")
    return [para(), tag_para("for line in signature.name_lines"), name, tag_para("endfor"), date]


def title_paragraph() -> str:
    """The title, its lines placed by ogi (:func:`ogi.document.typeset.title_lines`) and joined by explicit
    line breaks, so that no renderer's wrapping splits a word (GB/T 9704 §7.3.1)."""
    def tag(text: str) -> str:
        return run("{%r " + text + " %}")

    inner = (tag("for line in title_lines") + tag("if not loop.first") + "<w:r><w:br/></w:r>"
             + tag("endif") + run("{{ line }}") + tag("endfor"))
    return f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>{inner}</w:p>'


# ------------------------------------------------------------------------------------------------
# Tables: static merges from the spec's HTML-like rows, placed by ogi.form.layout.place_table.


#: 小五 (9 pt) character and the OgiTable cell margins (45 twips each side), in twips.
SMALL_CHAR, CELL_MARGINS = 180, 90


def column_widths(table: Table) -> list[int]:
    """The Word table's columns from the spec's ``print`` data: fixed value columns (表二 2000 twips;
    表三 640, six-digit numbers in 小五 Times New Roman, 6 × 90 twips + the cell margins, their header
    labels narrowed to two characters per line, "商业/企业", as published reports wrap them) and
    label columns, the last of which gets the rest (表三's row labels: 14½ characters, so that every
    short label "2.其他法律行政法规禁止公开" stays on one line and a long one never leaves a single
    character on a line of its own); without a value width every column is equal (表四)."""
    n = table.grid_columns
    value_w = table.print.value_width
    if value_w:
        values = n - table.label_columns
        fixed = list(table.print.label_widths)
        last = TEXT_W - sum(fixed) - values * value_w
        return [*fixed, last] + [value_w] * values
    base, rest = divmod(TEXT_W, n)
    return [base + (1 if i < rest else 0) for i in range(n)]


def _cell_xml(width: int, colspan: int, vmerge: str, content: str) -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if colspan > 1:
        tcpr += f'<w:gridSpan w:val="{colspan}"/>'
    if vmerge == "restart":
        tcpr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        tcpr += "<w:vMerge/>"
    tcpr += '<w:vAlign w:val="center"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content}</w:tc>"


def _label_style(table: Table, cell: Placed) -> str:
    if table.print.size == "normal":
        return "OgiTableText"
    if table.print.label_align == "left" and cell.kind == "label" and cell.rowspan == 1:
        return "OgiTableLabel"  # long row labels read best flush left
    return "OgiTableSmall"


def table_xml(table: Table) -> str:
    tl = place_table(table, 0)
    widths = column_widths(table)
    assert sum(widths) == TEXT_W, (table.key, sum(widths))
    value_style = "OgiTableText" if table.print.size == "normal" else "OgiTableSmall"
    last_row = len(table.rows) - 1
    # Minimum row height: 7 mm for table 二 (五号); 5.6 mm for 三/四 (小五), which lets table 三 and
    # its heading share one page.
    min_height = 397 if table.print.size == "normal" else 317
    # Every row but the last keeps with the next, so a table that fits on one page is never split
    # (it moves to the next page together with its heading, which keeps with the table).

    def keep(row: int) -> str:
        return "<w:keepNext/>" if row < last_row else ""

    def narrow(p: Placed) -> str:
        # Header labels of an even length over a single value column of table 三 wrap every two
        # characters ("商业/企业"); an odd one ("自然人") keeps the column's width, so that no
        # character is left on a line of its own.
        if (table.print.narrow_headers and p.kind == "header" and p.col >= table.label_columns
                and p.colspan == 1 and len(p.text) % 2 == 0):
            side = (table.print.value_width - CELL_MARGINS - 2 * SMALL_CHAR - 20) // 2
            return f'<w:ind w:left="{side}" w:right="{side}"/>'
        return ""

    origin: dict[tuple[int, int], tuple[Placed, str]] = {}
    for p in tl.labels:
        origin[(p.row, p.col)] = (p, para(p.text, _label_style(table, p), keep(p.row) + narrow(p)))
    for key, p in tl.values.items():
        origin[(p.row, p.col)] = (p, para(var(key), value_style, keep(p.row)))
    covered: dict[tuple[int, int], Placed] = {}
    for p, _ in origin.values():
        for r in range(p.row, p.last_row + 1):
            for c in range(p.col, p.last_col + 1):
                if (r, c) in covered:
                    raise ValueError(f"{table.key}: cells overlap at row {r}, column {c}")
                covered[(r, c)] = p
    rows = []
    for r, spec_row in enumerate(table.rows):
        cells = []
        c = 0
        while c < table.grid_columns:
            p = covered.get((r, c))
            if p is None:
                raise ValueError(f"{table.key}: no cell covers row {r}, column {c}")
            width = sum(widths[p.col:p.last_col + 1])
            if p.row == r:
                vmerge = "restart" if p.rowspan > 1 else ""
                cells.append(_cell_xml(width, p.colspan, vmerge, origin[(p.row, p.col)][1]))
            else:  # continuation of a vertical merge from above
                style = "OgiTableText" if table.print.size == "normal" else "OgiTableSmall"
                cells.append(_cell_xml(width, p.colspan, "continue", para("", style, keep(r))))
            c = p.last_col + 1
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if spec_row.kind == "header" else "")
        rows.append(f'<w:tr><w:trPr>{trpr}<w:trHeight w:val="{min_height}"/></w:trPr>{"".join(cells)}</w:tr>')
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    tblpr = ('<w:tblPr><w:tblStyle w:val="OgiTable"/>'
             f'<w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:jc w:val="center"/>'
             '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
             'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>')
    return f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


# ------------------------------------------------------------------------------------------------
# The document


def body_xml(spec: FormSpec) -> str:
    parts = [title_paragraph(), *preamble()]
    for block in outline(spec):
        if block.kind == "heading1":
            parts.append(para(block.text, "Heading1"))
        elif block.kind == "heading2":
            parts.append(para(block.text, "Heading2"))
        elif block.kind == "narrative":
            parts.append(narrative_block(block.key))
        elif block.kind == "table":
            assert block.table is not None
            parts.append(table_xml(block.table))
        else:
            parts.append(para(fee_sentence(spec)))
    parts.extend(signature())
    sect = ('<w:sectPr><w:footerReference w:type="default" r:id="rId10"/>'
            '<w:footerReference w:type="even" r:id="rId11"/>'
            f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
            f'<w:pgMar w:top="{MARGIN_TOP}" w:right="{MARGIN_RIGHT}" w:bottom="{MARGIN_BOTTOM}" '
            f'w:left="{MARGIN_LEFT}" w:header="851" w:footer="{FOOTER_DISTANCE}" w:gutter="0"/>'
            '<w:pgNumType w:fmt="decimal" w:start="1"/><w:cols w:space="425"/>'
            f'<w:docGrid w:type="lines" w:linePitch="{LINE_PITCH}"/>'
            "</w:sectPr>")
    return "<w:body>" + "".join(parts) + sect + "</w:body>"


def document_xml(spec: FormSpec) -> str:
    return XML_DECL + f"<w:document {NS}>" + body_xml(spec) + "</w:document>"


def footer_xml(odd: bool) -> str:
    """``— 1 —``: odd pages flush right, even pages flush left, each one character in."""
    side = ('<w:jc w:val="right"/>', f'<w:ind w:right="{PAGE_NUMBER_INDENT}" w:firstLine="0"/>') if odd \
        else ('<w:jc w:val="left"/>', f'<w:ind w:left="{PAGE_NUMBER_INDENT}" w:firstLine="0"/>')
    rpr_ = f"<w:rPr>{fonts(SONG, SONG)}<w:sz w:val=\"{SIZE_4}\"/><w:szCs w:val=\"{SIZE_4}\"/></w:rPr>"

    def r(inner: str) -> str:
        return f"<w:r>{rpr_}{inner}</w:r>"

    runs = (r('<w:t xml:space="preserve">— </w:t>') + r('<w:fldChar w:fldCharType="begin"/>')
            + r('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
            + r('<w:fldChar w:fldCharType="separate"/>') + r("<w:t>1</w:t>")
            + r('<w:fldChar w:fldCharType="end"/>') + r('<w:t xml:space="preserve"> —</w:t>'))
    return (XML_DECL + f"<w:ftr {NS}><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{side[1]}{side[0]}"
            f"</w:pPr>{runs}</w:p></w:ftr>")


def settings_xml() -> str:
    return (XML_DECL + f"<w:settings {NS}>"
            '<w:zoom w:percent="100"/><w:defaultTabStop w:val="420"/>'
            "<w:evenAndOddHeaders/>"
            '<w:drawingGridVerticalSpacing w:val="579"/>'
            '<w:characterSpacingControl w:val="compressPunctuation"/>'
            '<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/>'
            "<w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:useFELayout/>"
            '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
            'w:val="15"/></w:compat>'
            '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
            '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>')


def font_table_xml() -> str:
    # altName tells Word/WPS what to use where the official font is not installed (Windows ships
    # 仿宋 and 楷体, not the _GB2312 variants); charset 86 = GB2312.
    fonts_ = [(LATIN, "", "00", "roman", "variable"), (SONG, "SimSun", "86", "auto", "variable"),
              (FANGSONG, "仿宋", "86", "modern", "fixed"), (KAITI, "楷体", "86", "modern", "fixed"),
              (HEITI, "SimHei", "86", "modern", "fixed"), (XIAOBIAOSONG, "宋体", "86", "auto", "variable")]
    out = ""
    for name, alt, charset, family, pitch in fonts_:
        out += f'<w:font w:name="{name}">'
        if alt:
            out += f'<w:altName w:val="{alt}"/>'
        out += (f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
                f'<w:pitch w:val="{pitch}"/></w:font>')
    return XML_DECL + f"<w:fonts {NS}>{out}</w:fonts>"


CONTENT_TYPES = (
    XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.footer+xml"/>'
    '<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
    'core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'extended-properties+xml"/></Types>')

ROOT_RELS = (
    XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/></Relationships>')

DOCUMENT_RELS = (
    XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'styles" Target="styles.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'settings" Target="settings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'fontTable" Target="fontTable.xml"/>'
    '<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'footer" Target="footer1.xml"/>'
    '<Relationship Id="rId11" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'footer" Target="footer2.xml"/></Relationships>')

APP_XML = (
    XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>ogi</Application><DocSecurity>0</DocSecurity></Properties>")


def build(spec: FormSpec | None = None) -> bytes:
    """The template's bytes (deterministic)."""
    import datetime as dt

    spec = spec or load_spec()
    core = core_properties_xml(
        title=spec.report_title.format(agency_name="{{ agency_name }}", year="{{ year }}"),
        creator="ogi", subject="政府信息公开工作年度报告模板",
        description=f"{spec.title}；由 docx_templates/build_template.py 生成，模板 {spec.id} 第 {spec.version} 版",
        when=dt.datetime(2021, 9, 29))
    members = [
        ("[Content_Types].xml", CONTENT_TYPES.encode("utf-8")),
        ("_rels/.rels", ROOT_RELS.encode("utf-8")),
        ("docProps/core.xml", core),
        ("docProps/app.xml", APP_XML.encode("utf-8")),
        ("word/document.xml", document_xml(spec).encode("utf-8")),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.encode("utf-8")),
        ("word/styles.xml", styles_xml().encode("utf-8")),
        ("word/settings.xml", settings_xml().encode("utf-8")),
        ("word/fontTable.xml", font_table_xml().encode("utf-8")),
        ("word/footer1.xml", footer_xml(odd=True).encode("utf-8")),
        ("word/footer2.xml", footer_xml(odd=False).encode("utf-8")),
    ]
    data = write_package(members)
    verify(data)
    return data


def verify(data: bytes) -> None:
    """Re-open with python-docx: styles resolve, page setup is GB/T 9704, odd/even footers exist."""
    import io

    import docx
    from docx.shared import Mm

    doc = docx.Document(io.BytesIO(data))
    names = {s.name for s in doc.styles}
    for needed in ("Normal", "Title", "Heading 1", "Heading 2", "表格文字"):
        assert needed in names, needed
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.page_height - Mm(297)) < Mm(0.5)
    assert abs(sec.top_margin - Mm(37)) < Mm(0.1) and abs(sec.left_margin - Mm(28)) < Mm(0.1)
    assert doc.settings.odd_and_even_pages_header_footer
    assert "PAGE" in sec.even_page_footer._element.xml and "PAGE" in sec.footer._element.xml


def main(argv: list[str] | None = None) -> None:
    """``build_template.py``: rebuild the bundled template. ``build_template.py SPEC.toml [OUT.docx]``:
    build the template of an edited spec (written next to it as ``<id>.docx`` unless OUT is given), so
    that ``OGI_SPEC_DIR`` pointing at that folder makes ``ogi fill`` use both."""
    from ogi.form.spec import load_spec_file

    args = sys.argv[1:] if argv is None else argv
    if args:
        spec = load_spec_file(Path(args[0]))
        out = Path(args[1]) if len(args) > 1 else Path(args[0]).with_name(f"{spec.id}.docx")
        out.write_bytes(build(spec))
    else:
        out = HERE / "gov_info_2021.docx"
        out.write_bytes(build())
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
