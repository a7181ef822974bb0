"""`ogi import`: read a published annual report into a prefilled workbook, and audit it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import ZhCommand, argument
from .common import guarded, json_option

if TYPE_CHECKING:
    from ..safe_io import InputSet


@click.command("import", cls=ZhCommand, help="""导入已发布的年度报告，生成预填好的工作簿，并按 ogi check 的规则检查原报告。

\b
生成工作簿：  ogi import 白阳镇2023年报.pdf -o 白阳镇2023.xlsx
作为下一年的起点：ogi import 白阳镇2023年报.docx --as-previous -o 填报表/
只检查原报告：ogi import 白阳镇2023年报.txt --no-workbook
审核一个文件夹的报告：ogi import 年报/ --no-workbook

\b
可以导入：文本（.txt，UTF-8 或 GBK）、网页（.html、.mht）、Word（.docx；旧版 .doc/.wps 需安装
LibreOffice）、PDF（需有文字层，扫描件不行）、旧版或损坏的 ogi 工作簿（.xlsx）；
2019 年格式的报告会说明哪些数字无法对应到 2021 年格式。
表格按行列标签读取（Word/网页表格、TAB 文本、Markdown 竖线表格、每格一行的文本、PDF），
数字与标签不在同一行时用表格的勾稽关系核实；读不到的数字保持空白并逐项列出，绝不当作 0。

\b
退出码：0 全部读到，原报告没有错误（可能有警告）；1 原报告有错误，或有不能确定、读不到的数字
（逐项列出）；2 没有可用的内容（不是年度报告、扫描件、文件损坏）或用法有误。""")
@argument("reports", "年报...", "已发布的年度报告文件或存放报告的文件夹，可以是多个。", nargs=-1, required=True,
          type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(),
              help="输出的工作簿（.xlsx 文件名，或文件夹：已存在的文件夹或以 / 结尾时写入其中；"
                   "导入多个报告时为文件夹）；默认放在原报告所在文件夹。")
@click.option("--as-previous", is_flag=True,
              help="生成下一年度的工作簿：上年结转取自本报告的结转下年度，联系方式沿用，正文作为草稿保留。")
@click.option("--agency", default="", help="机关名称（报告标题中没有或不对时使用；只用于单个报告）。")
@click.option("--year", default="", help="报告年度（报告中没有时使用），例如 2023。")
@click.option("--no-workbook", is_flag=True, help="只检查原报告，不生成工作簿。")
@click.option("--overwrite", is_flag=True, help="覆盖已存在的同名文件。")
@json_option
@guarded
def import_(reports: tuple[Path, ...], output: str | None, as_previous: bool, agency: str, year: str,
            no_workbook: bool, overwrite: bool, as_json: bool) -> None:
    from ..checker import CheckResult
    from ..errors import OgiError
    from ..output import render_json
    from ..safe_io import InputSet

    if year and not year.strip().isdigit():
        raise click.UsageError(f"--year 应为年份数字，例如 2023（收到：{year}）")
    reports = _expand(reports)
    if not reports:
        raise click.UsageError("文件夹中没有可导入的报告（.pdf .docx .doc .html .mht .txt .xlsx）")
    many = len(reports) > 1
    if many and agency:
        raise click.UsageError("--agency 只能用于导入单个报告")
    if many and output is not None and not (Path(output).is_dir() or output.endswith(("/", "\\"))):
        raise click.UsageError("导入多个报告时，-o 应为文件夹（已存在，或以 / 结尾）")
    inputs = InputSet(reports)  # no report of this run is ever an output of it
    results: list[object] = []
    for report in reports:
        try:
            result, written = _import_one(report, output, as_previous=as_previous, agency=agency,
                                          year=year, no_workbook=no_workbook, overwrite=overwrite,
                                          inputs=inputs)
        except OgiError as exc:
            if not many:
                raise
            failed = CheckResult.unusable(report, exc)
            results.append(failed)
            if not as_json:
                click.echo(f"== {report.name}\n  无法导入：{failed.error}\n")
            continue
        results.append(result)
        if not as_json:
            click.echo(render_import(result, written, as_previous) + ("\n" if many else ""))
    if as_json:
        click.echo(render_json(results))
    elif many:
        ok = sum(1 for r in results if r.exit_code == 0)  # type: ignore[attr-defined]
        bad = sum(1 for r in results if getattr(r, "error", ""))
        click.echo(f"共导入 {len(results)} 份报告：{ok} 份无错误，{len(results) - ok - bad} 份有错误"
                   + (f"，{bad} 份无法导入" if bad else ""))
    sys.exit(max(r.exit_code for r in results))  # type: ignore[attr-defined]


SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".html", ".htm", ".mht", ".mhtml", ".txt", ".xlsx")


def _expand(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """A folder stands for the reports in it (sorted; Office lock files ``~$…`` skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                              and not p.name.startswith(("~$", "."))))
        else:
            out.append(path)
    return tuple(out)


def output_target(output: str | None, report: Path, filename: str) -> Path:
    """Where the workbook goes: into a folder when ``-o`` names an existing one or ends in a slash
    (created then), else the file ``-o`` names (``.xlsx`` added); by default beside the report."""
    from ..safe_io import ensure_output_dir, safe_filename

    name = safe_filename(Path(filename).stem, suffix=Path(filename).suffix)
    if output is None:
        return report.parent / name
    target = Path(output)
    if output.endswith(("/", "\\")) or target.is_dir():
        return ensure_output_dir(target) / name
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    return target


def _import_one(report: Path, output: str | None, *, as_previous: bool, agency: str, year: str,
                no_workbook: bool, overwrite: bool, inputs: InputSet) -> tuple[object, Path | None]:
    from ..collect import holds_returned_data
    from ..errors import InputError, OgiError, OutputError
    from ..importers import build_import_workbook, import_report
    from ..safe_io import atomic_write_bytes

    try:
        result = import_report(report, agency_name=agency.strip(), year=year.strip())
    except (OgiError, MemoryError):
        raise
    except Exception as exc:  # a report shaped like nothing ogi has seen: say so, no traceback
        raise InputError(f"无法解析这份报告（内部错误 {type(exc).__name__}）；请把文件发给县级政务公开办或 ogi 维护者",
                         path=report) from exc
    written: Path | None = None
    if not no_workbook:
        data, filename, extra = build_import_workbook(result, as_previous=as_previous)
        result.findings.extend(extra)
        target = output_target(output, report, filename)
        if overwrite and target.is_file() and holds_returned_data(target, data):
            raise OutputError("这个工作簿已经填写过（内容与导入的结果不同），--overwrite 也不会覆盖它；"
                              "请换一个输出位置", path=target)
        written = atomic_write_bytes(target, data, overwrite=overwrite, protect=inputs)
    return result, written


def render_import(result: object, written: Path | None, as_previous: bool) -> str:
    """Findings grouped by sheet of the new workbook, then what was written and what to do."""
    from ..output import finding_line, group_by_sheet

    r = result  # an ogi.importers.ImportResult
    who = " ".join(p for p in (r.report.agency_name, f"{r.report.year}年度" if r.report.year else "") if p)  # type: ignore[attr-defined]
    lines = [f"== {Path(r.path).name}（{who}；{_kind_label(r.kind)}，{r.format_name}）"]  # type: ignore[attr-defined]
    if r.findings:  # type: ignore[attr-defined]
        lines.append("以下“表三 D9”等位置指新工作簿中的单元格；“原文第N行/第N页”指原报告中的位置。")
    for sheet, items in group_by_sheet(r.findings):  # type: ignore[attr-defined]
        lines.append(f"【{sheet}】")
        lines.extend(finding_line(f) for f in items)
    errors, warnings = r.errors, r.warnings  # type: ignore[attr-defined]
    if errors or warnings:
        counts = "，".join(p for p in (f"{errors} 个错误" if errors else "",
                                      f"{warnings} 个警告" if warnings else "") if p)
        lines.append(f"导入完成：{counts}。")
    else:
        lines.append("导入完成：全部数字和正文已读取，按 ogi check 的规则检查没有发现问题。")
    if written is not None:
        note = "（下一年度：上年结转已填入，联系方式沿用，正文为草稿）" if as_previous else ""
        lines.append(f"已生成工作簿：{written}{note}")
        if errors:
            lines.append("读不到的数字和原报告中的空白在工作簿中保持空白，请对照上面的清单补填后再用 ogi check 检查。")
        if any(f.code == "IMPORT-UNCERTAIN" for f in r.findings):  # type: ignore[attr-defined]
            lines.append("不能确定属于哪一行的数字已按读到的填入，请对照原报告逐个核对。")
    return "\n".join(lines)


def _kind_label(kind: str) -> str:
    return {"text": "文本", "html": "网页", "docx": "Word 文档", "pdf": "PDF",
            "xlsx": "Excel 工作簿"}.get(kind, kind)
