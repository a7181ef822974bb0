"""The published report's outline and its generated sentences, for every output format.

The Word template (``docx_templates/build_template.py``) and the HTML page (:mod:`ogi.document.html_render`)
print the same report: the same order of sections, headings, narrative fields and tables, and the same
generated sentences (preamble, contact sentence, 信息处理费). Both take them from here. The sentences
are Jinja sources over the variables of :func:`ogi.document.docx_render.build_context`, so each format renders
them with its own (auto-escaping) environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..form.spec import FormSpec, Table
from .docx_render import placeholder


def var(key: str) -> str:
    """The Jinja expression printing a spec key's value."""
    return "{{ " + placeholder(key) + " }}"


def preamble_sentences() -> tuple[str, str]:
    """The two preamble paragraphs: what the report is and covers; where it is published and how
    to reach the agency (the contact sentence)."""
    first = ("本报告由" + var("agency_name") + "依据《中华人民共和国政府信息公开条例》，按照"
             "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉"
             "的通知》（国办公开办函〔2021〕30号）规定的格式编制，内容包括总体情况、主动公开政府信息情况、"
             "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
             "其他需要报告的事项六个部分。报告中所列数据的统计期限为" + var("year") + "年1月1日至"
             + var("year") + "年12月31日。")
    second = ("{% if website %}本报告电子版在" + var("website") + "公布，可供查阅和下载。{% endif %}"
              "对本报告如有疑问，请与" + var("agency_name") + "联系（地址：" + var("address")
              + "{% if postcode %}，邮政编码：" + var("postcode") + "{% endif %}；联系电话："
              + var("phone") + "{% if email %}；电子邮箱：" + var("email") + "{% endif %}）。")
    return first, second


def fee_sentence(spec: FormSpec) -> str:
    """Section 六's 信息处理费 sentence from the three fee fields (国办函〔2020〕109号)."""
    count, notices, collected = (f.key for f in spec.fees)
    all_zero = " and ".join(f"{placeholder(k)}.zero" for k in (count, notices, collected))
    return ("{% if " + all_zero + " %}本年度未收取信息处理费。{% else %}"
            "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本年度发出信息处理费收费通知"
            + var(count) + "件，收费通知总金额" + var(notices) + "元，实际收取信息处理费"
            + var(collected) + "元。{% endif %}")


@dataclass(frozen=True)
class Block:
    """One block of the report body, in order.

    kind: ``heading1`` / ``heading2`` (``text``), ``narrative`` (``key``: one paragraph per line of
    the field), ``table`` (``table``) or ``fee`` (the 信息处理费 sentence).
    """

    kind: str
    text: str = ""
    key: str = ""
    table: Table | None = None


def outline(spec: FormSpec) -> list[Block]:
    """The body between the preamble and the 落款: the spec's sections in order, each with its
    level-2 headings, narrative fields and tables as the spec places them; the fee sentence follows
    the narrative field the spec marks (section 六)."""
    fields = {f.key: f for f in spec.narrative}
    out: list[Block] = []
    for section in spec.sections:
        out.append(Block("heading1", text=section.title))
        for key in section.narrative:
            if fields[key].heading:
                out.append(Block("heading2", text=fields[key].heading))
            out.append(Block("narrative", key=key))
        out.extend(Block("table", table=spec.table(t)) for t in section.tables)
        if spec.fees and spec.fee_field.key in section.narrative:
            out.append(Block("fee"))
    return out
