"""Report -> a standalone HTML5 page, the form most reports are published in on government portals.

One file per report: the title (its lines placed by :mod:`ogi.document.typeset`, one block each), the
preamble, the six sections with their headings and narrative paragraphs, tables 二, 三 and 四 with the
official ``rowspan`` / ``colspan``, the 信息处理费 sentence and the 落款. Everything a portal's content
editor keeps when the page is pasted into it: inline ``style`` attributes only (no ``<style>``, no
classes, no script, no external resource), UTF-8, every value escaped by Jinja's autoescape.

The page is rendered from the same context as the DOCX (:func:`ogi.document.docx_render.build_context`) and
the same outline and sentences (:mod:`ogi.document.report_text`), so the two formats cannot drift apart, and
``ogi import`` reads the page back to the same Report.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from ..form.layout import place_table
from ..form.report import Report
from ..form.spec import DEFAULT_TEMPLATE, FormSpec, Table, load_spec
from .docx_render import build_context, clean_inline, placeholder, report_title, shown
from .report_text import fee_sentence, outline, preamble_sentences

FONT_BODY = "'仿宋_GB2312','仿宋',FangSong,STFangsong,serif"
FONT_TITLE = "'方正小标宋简体','小标宋',SimSun,'宋体',serif"
FONT_H1 = "'黑体',SimHei,'Microsoft YaHei',sans-serif"
FONT_H2 = "'楷体_GB2312','楷体',KaiTi,STKaiti,serif"

STYLE_PAGE = (f"max-width:156mm;margin:0 auto;font-family:{FONT_BODY};font-size:16pt;"
              "line-height:1.8;color:#000;background:#fff")
STYLE_TITLE = (f"font-family:{FONT_TITLE};font-size:22pt;font-weight:normal;text-align:center;"
               "line-height:1.5;margin:0 0 1em 0")
STYLE_P = "text-indent:2em;text-align:justify;margin:0"
STYLE_CONTACT = "text-indent:2em;text-align:left;margin:0"
STYLE_H1 = f"font-family:{FONT_H1};font-size:16pt;font-weight:normal;text-indent:2em;margin:0"
STYLE_H2 = f"font-family:{FONT_H2};font-size:16pt;font-weight:normal;text-indent:2em;margin:0"
STYLE_TABLE = "border-collapse:collapse;width:100%;margin:0.5em 0;font-size:{size};line-height:1.4"
STYLE_CELL = "border:1px solid #000;padding:2px 3px;text-align:{align};vertical-align:middle"
STYLE_SIGN_BLOCK = "display:table;margin:0 2em 0 auto"
STYLE_SIGN_LINE = "text-align:left;text-indent:0;margin:0"


def _attr(style: str) -> str:
    return f' style="{style}"'


def _table_html(table: Table) -> str:
    """A table with its official merges (ogi.form.layout), one ``{{ }}`` per value cell."""

    tl = place_table(table, 0)
    size = "10.5pt" if table.print.size == "normal" else "9pt"
    cells: dict[int, list[tuple[int, str]]] = {}
    for p in tl.labels:
        align = ("left" if table.print.label_align == "left" and p.kind == "label" and p.rowspan == 1
                 else "center")
        tag = "th" if p.kind == "header" else "td"
        span = (f' rowspan="{p.rowspan}"' if p.rowspan > 1 else "") + \
               (f' colspan="{p.colspan}"' if p.colspan > 1 else "")
        style = STYLE_CELL.format(align=align) + (";font-weight:normal" if tag == "th" else "")
        text = escape(p.text).replace("{", "&#123;").replace("}", "&#125;")  # spec text, not Jinja
        cells.setdefault(p.row, []).append((p.col, f"<{tag}{span}{_attr(style)}>{text}</{tag}>"))
    for key, p in tl.values.items():
        span = (f' rowspan="{p.rowspan}"' if p.rowspan > 1 else "") + \
               (f' colspan="{p.colspan}"' if p.colspan > 1 else "")
        style = STYLE_CELL.format(align="center") + ";white-space:nowrap"
        cells.setdefault(p.row, []).append((p.col, f"<td{span}{_attr(style)}>{{{{ {placeholder(key)} }}}}</td>"))
    rows = []
    for r in range(len(table.rows)):
        row = "".join(html for _, html in sorted(cells.get(r, [])))
        rows.append(f"<tr>{row}</tr>")
    cols = ""
    if table.print.narrow_headers:  # value columns wide enough for "自然人" and six digits; labels the rest
        cols = "<colgroup>" + "<col>" * table.label_columns + \
            "".join('<col style="width:7%">' for _ in range(table.grid_columns - table.label_columns)) + \
            "</colgroup>\n"
    return f"<table{_attr(STYLE_TABLE.format(size=size))}>\n{cols}" + "\n".join(rows) + "\n</table>"


@lru_cache(maxsize=4)
def _template_source(template_id: str, spec_sha256: str) -> str:
    spec = load_spec(template_id)
    first, second = preamble_sentences()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{{ page_title }}</title></head>",
        f"<body><article{_attr(STYLE_PAGE)}>",
        # The title's lines as blocks inside the one heading (not <br>): the page breaks them where
        # ogi placed them, and a reader of the page (ogi import) still sees one title.
        f"<h1{_attr(STYLE_TITLE)}>{{% for line in title_lines %}}<span{_attr('display:block')}>"
        "{{ line }}</span>{% endfor %}</h1>",
        f"<p{_attr(STYLE_P)}>{first}</p>",
        f"<p{_attr(STYLE_CONTACT)}>{second}</p>",
    ]
    for block in outline(spec):
        if block.kind == "heading1":
            parts.append(f"<h2{_attr(STYLE_H1)}>{block.text}</h2>")
        elif block.kind == "heading2":
            parts.append(f"<h3{_attr(STYLE_H2)}>{block.text}</h3>")
        elif block.kind == "narrative":
            parts.append(f"{{% for para in {block.key} %}}<p{_attr(STYLE_P)}>{{{{ para }}}}</p>\n"
                         "{% endfor %}")
        elif block.kind == "table":
            assert block.table is not None
            parts.append(_table_html(block.table))
        else:
            parts.append(f"<p{_attr(STYLE_P)}>{fee_sentence(spec)}</p>")
    parts.append(f'<p{_attr(STYLE_P)}><br></p>')  # GB/T 9704: one blank line above the 落款
    # The 落款 as a shrink-to-fit block two characters from the right: the name's lines and, two
    # characters further in, the date. The block is as wide as the longer of the two, so GB/T 9704
    # §7.3.5.2 holds in any browser font without measuring: a longer date keeps its 2-character
    # right margin and the name moves left with the block.
    parts.append(f"<div{_attr(STYLE_SIGN_BLOCK)}>")
    parts.append(f"{{% for line in signature.name_lines %}}<p{_attr(STYLE_SIGN_LINE)}>{{{{ line }}}}</p>\n"
                 "{% endfor %}")
    parts.append(f"<p{_attr(STYLE_SIGN_LINE + ';padding-left:2em;white-space:nowrap')}>"
                 "{{ signature.date }}</p>")
    parts.append("</div>")
    parts.append("</article></body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


@lru_cache(maxsize=4)
def _compiled(template_id: str, spec_sha256: str) -> Any:
    """The page template of a spec (``spec_sha256`` keys the cache: an edited spec gets its own)."""
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_template_source(template_id, spec_sha256))


def html_context(report: Report, spec: FormSpec) -> dict[str, Any]:

    ctx = build_context(report, spec)
    ctx["page_title"] = clean_inline(report_title(report, spec))
    return ctx


def render_html(report: Report) -> str:
    """The standalone HTML page of one report."""
    template_id = report.template_id or DEFAULT_TEMPLATE
    spec = load_spec(template_id)
    return str(_compiled(template_id, spec.sha256).render(html_context(report, spec)))


def render_tables(values: dict[str, Any], template_id: str = DEFAULT_TEMPLATE) -> list[tuple[str, str]]:
    """Each official table (二, 三, 四) with its official merges, filled with ``values`` (for
    example a county's totals), as (section heading, HTML table): the report's own tables."""
    import jinja2

    spec = load_spec(template_id)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    context = {placeholder(key): shown(values.get(key)) for key in spec.cells}
    return [(table.section, str(env.from_string(_table_html(table)).render(context)))
            for table in spec.tables]
