"""The finding catalogue: every code ogi reports, its severity and its Chinese wording.

Each entry is written the way a clerk reads it: *where* (the Finding's sheet, cell and labels, rendered
by :mod:`ogi.form.output`) -> *what rule failed* (``message``) -> *how to fix it* (``hint``). Codes are stable;
tests and scripts match on them, people read the sentences. Rule codes of the form spec
(``T3-BALANCE``, ``T3-ROW-TOTAL``, ``PREV-CARRY`` ...) take their title, message and hint from the spec
itself (:mod:`ogi.form.rules`) and are listed here only for the catalogue (``ogi check --help`` and the
README).

Templates use ``str.format`` fields; :func:`make` fills them and raises on a missing field, so a typo
in a field name fails in tests rather than printing ``{value}`` to a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .report import Finding, Severity


@dataclass(frozen=True)
class Entry:
    code: str
    severity: Severity
    title: str  # short name of the rule, for the catalogue
    message: str  # what rule failed (format template)
    hint: str  # how to fix it (format template)


_ENTRIES = (
    # ---- the workbook as a whole ------------------------------------------------------------
    Entry("XLSX-SHEET-MISSING", "error", "工作表缺失或被改名",
          "找不到工作表“{sheet}”{renamed}",
          "工作表不能删除或改名。请把工作表名改回“{sheet}”，或在县级下发的原表中重新填写。"),
    Entry("XLSX-SHEET-EXTRA", "warning", "多出的工作表",
          "工作簿中多了工作表“{sheet}”，ogi 不读取其中的内容",
          "如果数据填在了这张表里，请移到对应的原表中；否则可以删除这张表。"),
    Entry("XLSX-SHEET-VISIBLE", "warning", "隐藏的工作表被显示",
          "隐藏的工作表“{sheet}”被取消了隐藏",
          "这张表记录模板信息，请勿改动其中内容。"),
    Entry("XLSX-ROWS-SHIFTED", "error", "插入或删除了行列",
          "表格结构被改动：{detail}；本表的数字无法按位置读取",
          "请勿插入或删除行列。请撤销改动，或把数字抄回县级下发的原表后重新交回"
          "（也可用 ogi import 按标签读取后生成新表）。"),
    Entry("XLSX-OUTSIDE-TABLE", "warning", "表格范围外有内容",
          "表格范围之外有内容“{found}”，ogi 不读取这里的内容",
          "数字只能填在表格内的浅黄色格子中。如果是插入了行导致数据下移，请撤销插入。"),
    Entry("XLSX-LABEL-CHANGED", "error", "固定文字被改动",
          "固定文字被改成了“{found}”，应为“{expected}”",
          "灰色格子中的标题和项目名称不能改动，请改回原文。"),
    Entry("XLSX-FORMULA-CHANGED", "error", "公式被改写",
          "这里应是自动计算的公式，现在是{found}；ogi 按各项之和计算为 {computed}",
          "合计格子不能手工填写或粘贴覆盖。请在县级下发的原表中重新填写，或把公式恢复为 {formula}。"),
    Entry("XLSX-FORMULA-VALUE", "warning", "合计公式被改成了正确的数字",
          "这里应是自动计算的公式，现在是数字 {found}；与 ogi 按各项之和计算的 {computed} 相同",
          "数字正确，但公式已丢失，以后改动各项时合计不会自动更新。请在县级下发的原表中填写，"
          "或把公式恢复为 {formula}。"),
    Entry("XLSX-CHECK-FORMULA-CHANGED", "warning", "校验公式被改写",
          "自动校验公式被改写或删除（现在是{found}）",
          "校验结果以 ogi check 为准；请勿改动校验格子。"),
    Entry("XLSX-STALE-TOTAL", "warning", "合计未重新计算",
          "文件中保存的合计为 {cached}，按各项之和应为 {computed}（文件保存前未重新计算，或在保护区外被改动）",
          "ogi 以重新计算的 {computed} 为准。请在 Excel/WPS 中打开后按 F9 重新计算并保存。"),
    Entry("XLSX-UNPROTECTED", "warning", "工作表保护被取消",
          "工作表保护被取消了",
          "取消保护后合计和固定文字容易被误改。请使用县级下发的原表，或在“审阅”中重新“保护工作表”。"),
    Entry("XLSX-STRUCTURE-UNLOCKED", "warning", "工作簿结构保护被取消",
          "工作簿结构保护被取消了（可以增删、改名工作表）",
          "请使用县级下发的原表，或在“审阅”中重新“保护工作簿”。"),
    Entry("XLSX-META-CHANGED", "warning", "锁定的基本信息被改动",
          "“{label}”被改成了“{found}”，生成时为“{expected}”",
          "机关名称、年度和编号由县级生成时填入，不能修改；ogi 按生成时的“{expected}”处理。"),
    # ---- one value --------------------------------------------------------------------------
    Entry("VALUE-BLANK", "error", "数字未填写",
          "数字格子是空的（未填写）",
          "表格已预填 0；没有就填 0，不要留空。"),
    Entry("VALUE-TEXT", "error", "数字格子中是文字",
          "这里应填数字，现在是“{found}”",
          "请只填阿拉伯数字（{unit}），不要写单位或文字；没有就填 0。"),
    Entry("VALUE-FORMULA", "error", "数字格子中是公式",
          "这里应直接填数字，现在是公式 {found}",
          "请删除公式，直接填写数字。"),
    Entry("VALUE-DIGIT-VARIANT", "error", "数字中有上标、下标等特殊字符",
          "数字“{found}”中有上标、下标、圈码或其他特殊写法的数字（{chars}），无法确定应读作哪个数",
          "请用半角阿拉伯数字 0–9 重新输入（例如 1 后面的上标 2 可能被读成 12，也可能是注释序号）。"),
    Entry("VALUE-NEGATIVE", "error", "负数",
          "数字不能为负数，现在是 {found}",
          "请填写不小于 0 的数。"),
    Entry("VALUE-FRACTION", "error", "件数不是整数",
          "件数应为整数，现在是 {found}",
          "请填写整数件数。"),
    Entry("VALUE-PRECISION", "error", "小数位数过多",
          "{unit}金额最多 {places} 位小数（{finest}），现在是 {found}",
          "请核对金额及单位（{unit}），按 {places} 位小数填写。"),
    Entry("VALUE-TOO-LARGE", "error", "数字过大",
          "数字 {found} 大得不合常理（超过 {limit}）",
          "请核对是否多输了数字或误填了其他内容。"),
    Entry("VALUE-NORMALISED", "warning", "数字写法不规范",
          "数字“{found}”{what}，已按 {value} 读取",
          "请直接输入半角阿拉伯数字（格子中不要有空格、全角数字或以文本形式保存的数字）。"),
    Entry("TEXT-CONTROL-CHARS", "warning", "文字中有控制字符",
          "文字中含有 {count} 个不可见的控制字符（{chars}），已删除",
          "这通常来自从网页或其他软件复制的文字；请检查内容是否完整。"),
    Entry("TEXT-FORMULA", "error", "文字或日期格子中是公式",
          "这里应直接填写{what}，现在是公式 {found}；ogi 不计算公式，报告会印出公式本身",
          "请删除公式，直接写出{what}（需要的数字请照表中的数写出）。以“=”“+”“-”开头的内容会被 "
          "Excel 当作公式；确需以这些符号开头时，请在前面加上文字。加 --force 生成时这一项留空。"),
    # ---- metadata and narrative -------------------------------------------------------------
    Entry("META-REQUIRED", "error", "基本信息未填写",
          "必填项“{label}”未填写",
          "请在“基本信息”表填写{label}。"),
    Entry("META-FORMAT", "warning", "基本信息格式有误",
          "“{label}”的内容“{found}”{what}",
          "{fix}"),
    Entry("NARRATIVE-EMPTY", "error", "正文栏目未填写",
          "正文“{label}”未填写，年度报告不能缺少这一部分",
          "请在“正文”表填写{label}。"),
    Entry("NARRATIVE-PLACEHOLDER", "warning", "正文中有占位文字",
          "正文“{label}”中还有占位文字“{found}”",
          "请把占位文字换成实际内容后再交回。"),
    Entry("PREV-YEAR", "warning", "上年工作簿年度不符",
          "--previous 给出的工作簿是 {found} 年度的，本年报告的上一年度应为 {expected} 年",
          "请确认 --previous 指向的是上一年度的工作簿。"),
    Entry("NARRATIVE-YEAR", "warning", "正文可能沿用了上年文字",
          "正文中提到“{last}”{count} 次，却没有一处提到本报告年度“{this}”，可能沿用了上年的文字",
          "请把正文中的年份和情况更新为本年度；如确需提及上年，请同时写明本年度情况。"),
    # ---- ogi import: a published report read back ----------------------------------------------
    Entry("IMPORT-UNCERTAIN", "error", "导入的数字不能确定属于哪一行",
          "原文{where}对应到“{label}”的数字（{columns}：{read}）不能确定属于这一行：{doubt}，而{why}",
          "已按读到的数填入工作簿；请对照原报告逐个核对这一行。"),
    Entry("IMPORT-UNPAIRED", "error", "数字找不到行标签",
          "原文{where}{table}中有一组数字“{numbers}”找不到对应的行标签，没有导入",
          "行标签和数字可能错开了（复制或转换时版面被打乱）；请对照原报告核对这张表的每一行。"),
    Entry("IMPORT-SUSPECT-CELL", "warning", "这个数使几条勾稽关系同时不成立",
          "这个数（{value}）同时使 {count} 条勾稽关系不成立（{rules}），最可能是这个数印错或读错",
          "请对照原报告核对这个数。"),
    Entry("IMPORT-TOTAL-BLANK", "error", "原报告的合计是空白",
          "原文的合计“{label}”是空白{computed}",
          "新工作簿中该格按公式计算（批注中记有原报告的数）；请核对原报告的这个合计。"),
    Entry("IMPORT-MERGED-ROW", "error", "原报告合并印出了官方表格分开的几行",
          "{problem}，工作簿中留空",
          "请按实际情况把这个数分配到官方表格的各项中。"),
    Entry("IMPORT-AGENCY-FROM-FILENAME", "warning", "机关名称取自文件名",
          "原文中没有找到机关名称，按文件名取为“{agency}”{year}",
          "请核对；不对时用 --agency 和 --year 指定。"),
    # ---- the narrative's numbers (ogi.form.narrative) ------------------------------------------------
    Entry("NARRATIVE-NUMBER", "warning", "正文数字与表格不一致",
          "正文写的 {stated}{unit} 与{cell_name}的 {value}{cell_unit} 不一致：“{quote}”",
          "请核对正文和表格，改正有误的一方；如确是不同口径，请在“校验”表本栏目的说明栏写明。"),
    Entry("NARRATIVE-NONE", "warning", "正文说没有，表格有",
          "正文说“{stated}”，{cell_name}却为 {value}{unit}：“{quote}”",
          "请核对正文和表格，改正有误的一方；如确是不同口径，请在“校验”表本栏目的说明栏写明。"),
    Entry("NARRATIVE-ALL-UPHELD", "warning", "正文说均维持，表格另有结果",
          "正文说“{stated}”，{cell_name}为 {value} 件，其中{upheld_cell}只有 {upheld} 件："
          "“{quote}”",
          "请核对正文和表四，改正有误的一方；如确是不同口径，请在“校验”表本栏目的说明栏写明。"),
    Entry("NARRATIVE-SUM", "warning", "正文合计与分项之和不一致",
          "正文写的合计 {stated}{unit} 与所列各项之和 {parts} = {value}{unit} 不一致：“{quote}”",
          "请核对合计和各项数字；如所列各项并非全部，请写明“等”或补全。"),
    Entry("NARRATIVE-PERCENT", "warning", "正文百分比与数字不符",
          "正文写的 {stated} 与 {count}{unit} ÷ {base}{unit} = {value} 不符：“{quote}”",
          "请按正文中的件数重新计算百分比，或核对件数。"),
    Entry("IMPORT-CONVERTED", "warning", "旧版格式已转换后读取",
          "这是旧版格式的文件，已用 LibreOffice 转换后读取",
          "如个别表格读取有误，请用 WPS/Word 另存为 .docx 后再导入核对"),
    Entry("IMPORT-ENCODING", "warning", "文字编码无法完全识别",
          "文件的文字编码无法完全识别（既不是 UTF-8 也不是 GBK），个别字符已显示为 �",
          "请用记事本或 WPS 打开后另存为 UTF-8 编码再导入"),
    Entry("IMPORT-PDF-NO-TEXT", "warning", "PDF 页面没有文字层",
          "PDF 第{pages}页没有文字层（可能是扫描页），这些页上的内容无法读取",
          "如这些页上有表格或正文，请用原始文件导入或手工补填"),
    Entry("IMPORT-TABLE-NOT-FOUND", "error", "没有找到表格",
          "没有找到{table}的任何一行，该表的 {count} 个数字在工作簿中留空",
          "原文可能不完整（被截断）或表格是图片；请对照原报告手工填写"),
    Entry("IMPORT-NOT-FOUND", "error", "没有找到表格的一行",
          "没有找到{table}“{label}”这一行，本行 {count} 个数字在工作簿中留空",
          "原文可能缺了这一行或被截断；请对照原报告手工填写"),
    Entry("IMPORT-ROW-MISMATCH", "error", "一行的数字个数不对",
          "原文{where}“{label}”一行有 {got} 个数，而这一行应有 {want} 个；无法确定各数属于哪一列，本行在工作簿中留空",
          "PDF 等格式里空白格不留痕迹；请对照原报告手工填写这一行"),
    Entry("IMPORT-BLANK", "error", "原报告的数字是空白",
          "原文{where}“{label}”是空白（不是 0），工作簿中保持空白",
          "请核实原报告此处应为多少（没有就填 0）"),
    Entry("IMPORT-NOT-NUMBER", "error", "原报告的数字读不出",
          "原文{where}“{label}”{problem}，工作簿中留空",
          "请核实后手工填写"),
    Entry("IMPORT-EXTRA-ROW", "warning", "原报告多出官方表格没有的行",
          "原文{where}{table}中有一行“{label}”不是官方表格的行，已忽略",
          "官方表格没有这一行（例如自行添加的小计行）；如其中的数字应计入某一行，请手工调整"),
    Entry("IMPORT-DUPLICATE-ROW", "warning", "原报告重复列出一行",
          "原文{where}又出现了{table}“{label}”这一行，已采用第一次出现的数字",
          "请核对原报告是否重复填列"),
    Entry("IMPORT-2019-SPLIT", "error", "2019 年格式的一项在 2021 年格式中分为三项",
          "2019 年格式的“{label}”（{column}）为 {value}，2021 年格式把它分成三项（{labels}），"
          "ogi 无法判断如何分配，三项在工作簿中留空",
          "请按实际情况把这个数分配到（六）其他处理的三项中"),
    Entry("IMPORT-2019-NO-SOURCE", "error", "2019 年格式没有这一栏",
          "2019 年格式没有“{label}”这一栏，工作簿中留空",
          "请按 2021 年格式的口径统计后填写"),
    Entry("IMPORT-2019-UNMAPPED", "warning", "2019 年格式的栏目在 2021 年格式中没有对应",
          "2019 年格式的“{label}”（{items}）在 2021 年格式中没有对应栏目，未导入",
          "2021 年格式的表二栏目不同；请按 2021 年格式的口径重新统计后填写"),
    Entry("IMPORT-FORMAT-2019", "warning", "报告按 2019 年格式编制",
          "这份报告按 {format} 编制（识别依据：{markers}）；能对应到 {current} 的数字已导入，其余逐项列出",
          "2021 年格式表二的栏目和表三“（六）其他处理”的分项与 2019 年格式不同，请按新格式核对"),
    Entry("IMPORT-SECTION-NOT-FOUND", "warning", "没有找到某部分的标题",
          "没有找到第{number}部分的标题“{title}”",
          "原文可能不完整（被截断），或标题写法与官方格式不同；该部分的内容请核对"),
    Entry("IMPORT-TITLE-NOT-FOUND", "error", "没有找到报告标题和机关名称",
          "没有找到报告标题“<机关名称><年度>年政府信息公开工作年度报告”，正文开头、网页标题、落款和文件名中也没有机关名称",
          "请用 --agency 指定机关名称"),
    Entry("IMPORT-AGENCY-DIFFERS", "warning", "机关名称与 --agency 不同",
          "{place}中的机关名称是“{found}”，按 --agency 使用“{given}”",
          ""),
    Entry("IMPORT-INVISIBLE-CHARS", "warning", "机关名称中有不可见字符",
          "机关名称中含有不可见的格式字符（{chars}），已删除",
          "这类字符（如改变文字方向的 U+202E）会打乱名称的显示顺序，请核对原报告"),
    Entry("IMPORT-FEE-NOT-FOUND", "error", "没有写明信息处理费",
          "原文“六、其他需要报告的事项”中没有写明{label}，工作簿中留空",
          "请核实后填写（没有就填 0）"),
    Entry("IMPORT-TEXT-TOO-LONG", "error", "正文超过 Excel 单元格上限",
          "正文“{label}”有 {count} 个字符，超过 Excel 单元格上限 {limit}；ogi 不截断文字，因此不能生成工作簿",
          "请先在原报告中精简或拆分这一部分，再重新导入"),
    Entry("IMPORT-NARRATIVE-NOT-FOUND", "error", "没有找到正文栏目",
          "没有找到正文“{section}”中的“{label}”，工作簿中该栏留空",
          "原文可能没有这一小标题或写法不同；请从原报告复制到“正文”表"),
    Entry("IMPORT-NARRATIVE-EXTRA", "warning", "正文小标题不在官方格式中",
          "原文{where}的小标题“{heading}”不在官方格式中，其内容并入上一栏",
          "请在“正文”表中核对这部分内容的位置"),
    Entry("IMPORT-PREV-CARRY-BLANK", "error", "上年结转没有读到",
          "原报告“四、结转下年度继续办理｜{column_label}”没有读到，新工作簿的“二、上年结转”该列留空",
          "请按上年报告核实后填写"),
    # ---- template -----------------------------------------------------------------------------
    Entry("REPORT-TEMPLATE", "error", "模板不一致",
          "数据来自模板 {found}，与本检查使用的模板 {expected} 不同",
          "请用 ogi import 转换为当前模板后再检查。"),
)

#: code -> catalogue entry.
CATALOGUE: dict[str, Entry] = {e.code: e for e in _ENTRIES}

#: How to fix a check finding when ``ogi import`` audits a published report (the check's own hints
#: speak of a workbook the clerk can edit; here the numbers were printed): by rule family.
IMPORT_AUDIT_HINTS = {
    "sum": "原报告的合计与各项之和不符，请对照原报告核实哪个数字有误；新工作簿中的合计按各项之和自动计算",
    "narrative": "原报告的正文与表格（或正文自身）不一致，请对照原报告核实哪个数字有误",
}

def make(code: str, *, sheet: str = "", cell: str = "", row_label: str = "", column_label: str = "",
         key: str = "", rule_id: str = "", file: str = "", severity: Severity | None = None,
         facts: dict[str, Any] | None = None, **fields: Any) -> Finding:
    """A Finding for a catalogue code, its message and hint filled from ``fields``; ``facts`` go to
    the Finding's machine-readable ``detail``."""
    entry = CATALOGUE[code]
    fields = {"sheet": sheet, "cell": cell, "row_label": row_label, "column_label": column_label,
              **fields}
    return Finding(
        code=code,
        severity=severity or entry.severity,
        message=entry.message.format(**fields),
        hint=entry.hint.format(**fields),
        sheet=sheet,
        cell=cell,
        row_label=row_label,
        column_label=column_label,
        key=key,
        rule_id=rule_id,
        file=file,
        detail=facts,
    )
