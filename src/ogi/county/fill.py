"""`ogi fill` as a library: check each workbook, render the official DOCX, optionally a PDF and the
JSON twin, for one file or a county office's folder of 60.

Each workbook is read once (the full ``ogi check`` pass, whose Report is what gets rendered), the
Word template is prepared once per process, and ``--jobs N`` spreads the workbooks over N worker
processes. PDFs are made afterwards in ONE LibreOffice run for the whole batch (LibreOffice start-up
costs seconds; a run per file would dominate the batch), with a private profile so that parallel
runs never collide.

A workbook with errors is not rendered (``force`` renders it anyway and keeps blanks blank); an
unusable one is reported and skipped; the batch always continues. Outputs are written atomically,
never over an input, and an identical existing output is left alone (a re-run is harmless).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..document.docx_render import docx_filename, prepared_template
from ..errors import InputError, OgiError, OutputError
from ..files.safe_io import InputSet, atomic_write_bytes, ensure_output_dir
from ..form.output import render_result
from ..form.report import Agency, Finding, Report
from ..form.results import Progress, Result, exit_code_for, overall_exit_code
from ..form.spec import DEFAULT_TEMPLATE
from ..workbook.checker import CheckResult, check_workbook, read_previous
from .collect import FoundFile, find_workbooks, is_ogi_output
from .ledger import Ledger, build_ledger, previous_lines, read_source, unreadable, uses_ledger
from .roster import roster_agencies
from .status import KEEP_COUNTS

#: Outcome statuses, in the order of the final table.
OK = "成功"
ERRORS = "有错误"
UNUSABLE = "无法读取"
UNWRITABLE = "无法写入"
STATUSES = (OK, ERRORS, UNUSABLE, UNWRITABLE)

#: Metadata left out of the JSON twin (it is published beside the DOCX).
PRIVATE_METADATA = ("preparer",)


@dataclass(frozen=True)
class FillOptions:
    output: Path | None = None  # folder (or, for one input, a .docx path); None: next to the input
    force: bool = False
    pdf: bool = False
    json_data: bool = False
    html: bool = False  # the HTML page for the portal beside the DOCX (ogi.document.html_render)
    overwrite: bool = False
    strict: bool = False
    previous: Path | None = None
    jobs: int = 1


@dataclass
class FillOutcome(Result):
    """What happened to one input file: its check (``result``), what was written, and why not."""

    result_type: ClassVar[str] = "fill"

    path: Path
    status: str
    result: CheckResult | None = None
    docx: Path | None = None
    pdf: Path | None = None
    json: Path | None = None
    html: Path | None = None
    forced: bool = False
    unchanged: bool = False  # the DOCX already existed with identical bytes
    message: str = ""  # why it could not be read or written
    rendered: bytes | None = field(default=None, repr=False)  # DOCX bytes until written
    #: Whether the ERRORS line suggests --force (it was not given).
    suggest_force: bool = True

    @property
    def exit_code(self) -> int:
        return exit_code_for(unusable=self.status in (UNUSABLE, UNWRITABLE),
                             errors=int(self.status == ERRORS or self.forced))

    @property  # type: ignore[override]
    def report(self) -> Report | None:
        return self.result.report if self.result is not None else None

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        """The findings of the check the report was rendered from."""
        return self.result.findings if self.result is not None else []

    def details(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "forced": self.forced,
                "unchanged": self.unchanged,
                **{k: str(v) if v is not None else None for k, v in
                   (("docx", self.docx), ("pdf", self.pdf), ("json", self.json), ("html", self.html))}}

    # ---- human text: the findings as `ogi check` prints them (when there are any), then one line
    def heading(self) -> None:
        return None

    def body_lines(self) -> list[str]:
        result = self.result
        if result is not None and (result.findings or result.error):
            return [render_result(result)]
        return []

    def closing_lines(self) -> list[str]:
        result = self.result
        name = self.path.name
        if self.status == OK:
            state = "内容未变，未重写" if self.unchanged else "已生成"
            if self.forced:
                line = (f"{state}（按 --force 生成：工作簿仍有 {result.errors if result else 0} 个错误，"
                        f"空着的格子在报告中保持空白）：{self.docx}")
            else:
                line = f"{state}：{self.docx}"
            if self.json is not None:
                line += f"；数据：{self.json.name}"
            if self.html is not None:
                line += f"；网页：{self.html.name}"
        elif self.status == ERRORS:
            n = result.errors if result else 0
            line = (f"未生成：{name} 有 {n} 个错误（见上），请修改后重试"
                    + ("；如确需先生成，可加 --force" if self.suggest_force else ""))
        elif self.status == UNUSABLE:
            if result is not None:  # the check result already said why
                return []
            line = f"无法读取：{name}（{self.message}）"
        else:
            line = f"未能写入：{name}（{self.message}）"
        return [line, ""] if self.body_lines() else [line]

    def pdf_line(self) -> str:
        """After :func:`make_pdfs`: the PDF written, or why not ("" when there is nothing to say)."""
        if self.pdf is not None:
            return f"已生成 PDF：{self.pdf}"
        return f"未生成 PDF：{self.path.name}（{self.message}）" if self.message else ""


def pdf_notice(outcomes: Sequence[FillOutcome], jobs: int) -> str:
    """The line before the PDF step ("" when no DOCX was written)."""
    made = [o for o in outcomes if o.docx is not None]
    if not made:
        return ""
    runs = min(jobs, len(made))
    how = "一次完成" if runs == 1 else f"{runs} 个 LibreOffice 同时进行"
    return f"正在用 LibreOffice 生成 PDF（{len(made)} 个文件，{how}）……"


def batch_table(outcomes: Sequence[FillOutcome]) -> str:
    """成功 / 有错误 / 无法读取 (/ 无法写入), with the files that need attention."""
    table = counts(outcomes)
    width = max(len(k) for k in table)
    lines = [f"共处理 {len(outcomes)} 个工作簿："]
    for status, n in table.items():
        if status == UNWRITABLE and not n:
            continue
        names = [o.path.name for o in outcomes if o.status == status] if status != OK else []
        shown = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
        lines.append(f"  {status:\u3000<{width}}  {n:>4}" + (f"  {shown}" if shown else ""))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Inputs and output names


def expand_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder contributes every workbook under it (lock files, temporary files and
    ogi's own 进度/汇总 outputs skipped). Duplicates are dropped, order kept."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        p = Path(p)
        found = [f.path for f in find_workbooks(p)[0] if not is_ogi_output(f.path)] if p.is_dir() else [p]
        for f in found:
            try:
                key = f.resolve()
            except OSError:
                key = f
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def ledger_inputs(paths: Sequence[Path], *, roster: Path | list[Agency] | None = None,
                  year: int | None = None, previous: Path | None = None,
                  progress: Progress | None = None
                  ) -> tuple[Ledger, list[FoundFile], Callable[[FoundFile], Report | None] | None,
                             list[FillOutcome]]:
    """``ogi fill FOLDER``: the ledger of ``paths``, the returns that count (to fill), each one's
    own last-year report (``previous`` matched by the ledger's matcher) and the outcomes of the
    files that cannot be read or identified (listed in the batch table)."""
    from .prefill import load_previous  # lazy, as for ogi new: only with --previous

    agencies = roster_agencies(roster)
    ledger = build_ledger(list(paths), agencies, year, keep=KEEP_COUNTS, progress=progress)
    returns = ledger.returns()
    if not returns and not ledger.unassigned:
        raise InputError("文件夹中没有找到要处理的工作簿（.xlsx）", path=paths[0] if paths else None)
    bad = [FillOutcome(u.result.file.label, UNUSABLE, message=u.reason) for u in unreadable(ledger)]
    previous_of = None
    if previous is not None:
        last = load_previous(previous, roster=agencies)
        ledger.previous_lines = previous_lines(ledger, last.find)
        by_file = {id(r.file): r for r in returns}

        def previous_of(found: FoundFile) -> Report | None:
            r = by_file.get(id(found))
            entry = last.find(r.agency) if r is not None and r.agency is not None else None
            return entry.report_for_checks() if entry is not None else None

    return ledger, [r.file for r in returns], previous_of, bad


def output_dir(options: FillOptions, n_inputs: int) -> Path | None:
    """The folder outputs go to (created when missing), or None for "next to each input"; a single
    input with ``-o name.docx`` returns None too (see :func:`target_docx`)."""
    out = options.output
    if out is None:
        return None
    if n_inputs == 1 and out.suffix.lower() == ".docx" and not out.is_dir():
        return None
    return ensure_output_dir(out, not_a_file="输出位置是一个文件，不是文件夹（多个工作簿时 -o 须为文件夹）")


def target_docx(path: Path, report: Report, options: FillOptions, folder: Path | None,
                n_inputs: int) -> Path:

    out = options.output
    if out is not None and n_inputs == 1 and out.suffix.lower() == ".docx" and not out.is_dir():
        return out
    beside = path.parent
    while beside.is_file():  # a zip attachment's member: beside the zip
        beside = beside.parent
    return (folder or beside) / docx_filename(report)


# ------------------------------------------------------------------------------------------------
# One workbook


def json_twin(report: Report) -> str:
    """The published tables as data: the Report's JSON without the clerk's name and 说明 notes."""
    data = report.to_dict()
    data["metadata"] = {k: v for k, v in data["metadata"].items() if k not in PRIVATE_METADATA}
    data["explanations"] = {}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _write(path: Path, data: bytes, options: FillOptions, protect: InputSet) -> bool:
    """Publish ``data`` (no-clobber unless ``overwrite``); an existing identical file is left as it
    is (returns False). Never over an input, whatever the flags."""
    if not options.overwrite and not protect.holds(path):
        try:
            same = path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if same:
            return False
        if os.path.lexists(path):
            raise OutputError("文件已存在且内容不同（可能已手工修改过）；如需覆盖，请加 --overwrite",
                              path=path)
    atomic_write_bytes(path, data, overwrite=options.overwrite, protect=protect)
    return True


def check_and_render(path: Path | FoundFile, options: FillOptions, *,
                     previous_report: Report | None = None) -> FillOutcome:
    """Check one workbook (a path, or a return of the ledger: perhaps a zip attachment's member)
    and, when it has no errors (or ``force``), render its DOCX in memory. Writes nothing; never
    raises for a bad input (the outcome says what happened)."""

    data = None
    if not isinstance(path, Path) and hasattr(path, "member"):
        found, path = path, path.label
        try:
            data = read_source(found)
        except InputError as exc:
            return FillOutcome(path, UNUSABLE, CheckResult.unusable(path, exc), message=exc.message)
    path = Path(path)
    try:
        result = check_workbook(path, strict=options.strict, previous_report=previous_report,
                                data=data)
    except InputError as exc:
        return FillOutcome(path, UNUSABLE, CheckResult.unusable(path, exc), message=exc.message)
    except OgiError as exc:
        return FillOutcome(path, UNUSABLE, message=exc.message)
    outcome = FillOutcome(path, OK, result, suggest_force=not options.force)
    if result.errors and not options.force:
        outcome.status = ERRORS
        return outcome
    outcome.forced = bool(result.errors)
    report = result.report
    assert report is not None
    try:
        outcome.rendered = prepared_template(report.template_id or DEFAULT_TEMPLATE).render(report)
    except OgiError as exc:
        outcome.status, outcome.message = UNWRITABLE, str(exc)
    return outcome


def write_outputs(outcome: FillOutcome, options: FillOptions, *, folder: Path | None, n_inputs: int,
                  reserve: Callable[[Path, Path], str], protect: InputSet) -> FillOutcome:
    """Write a rendered outcome's DOCX (and JSON twin) atomically; settles name clashes."""
    data, outcome.rendered = outcome.rendered, None
    report = outcome.report
    if data is None or report is None:
        return outcome
    target = target_docx(outcome.path, report, options, folder, n_inputs)
    clash = reserve(target, outcome.path)
    if clash:
        outcome.status, outcome.message = UNWRITABLE, clash
        return outcome
    try:
        outcome.unchanged = not _write(target, data, options, protect)
        outcome.docx = target
        if options.json_data:
            twin = target.with_suffix(".json")
            _write(twin, json_twin(report).encode("utf-8"), options, protect)
            outcome.json = twin
        if options.html:

            from ..document.html_render import render_html  # only with --html (cold start of `ogi fill`)

            page = target.with_suffix(".html")
            _write(page, render_html(report).encode("utf-8"), options, protect)
            outcome.html = page
    except OgiError as exc:
        outcome.status, outcome.message = UNWRITABLE, str(exc)
    return outcome


def fill_one(path: Path, options: FillOptions) -> FillOutcome:
    """Check, render and write one workbook (the library form of ``ogi fill FILE``)."""
    return fill_files([path], options)[0]


# ------------------------------------------------------------------------------------------------
# Batches


def _reservations() -> Callable[[Path, Path], str]:
    """Refuse a second input whose DOCX would land on the same file as an earlier one (the same
    agency sent twice, or two folders holding the same township)."""
    owners: dict[str, Path] = {}

    def reserve(target: Path, source: Path) -> str:
        try:
            key = os.path.normcase(str(target.resolve()))
        except OSError:
            key = os.path.normcase(str(target))
        owner = owners.setdefault(key, source)
        if owner != source:
            return f"输出文件 {target.name} 与 {owner.name} 的输出同名（同一机关交了两份？），未生成"
        return ""

    return reserve


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


_WORKER_STATE: dict[str, Any] = {}


def _worker_init(previous_report: Report | None) -> None:
    from ..files.bounded import die_with_parent  # only in --jobs workers

    die_with_parent()  # a killed `ogi fill --jobs N` leaves no worker behind
    _WORKER_STATE["previous"] = previous_report
    prepared_template()  # prepare the Word template once per worker process


def _worker(args: tuple[Path | FoundFile, FillOptions, Report | None]) -> FillOutcome:
    path, options, own_previous = args
    return check_and_render(path, options,
                            previous_report=own_previous or _WORKER_STATE.get("previous"))


def iter_fill(paths: Sequence[Path | FoundFile], options: FillOptions, *,
              previous_of: Callable[[FoundFile], Report | None] | None = None,
              inputs: Sequence[Path] = ()) -> Iterator[FillOutcome]:
    """Fill every workbook in ``paths`` (already expanded: paths, or the ledger's returns),
    yielding each outcome, in input order, as soon as its files are written. Workers
    (``options.jobs``) check and render; this process writes, so name clashes and overwrites are
    settled in input order. PDFs are not made here (see :func:`make_pdfs`, one LibreOffice run for
    the batch). ``previous_of`` gives each ledger return its own agency's last-year report
    (``options.previous`` is then not read); ``inputs``: the folders the ledger read (no output
    may land on any file in them)."""

    paths = [p if hasattr(p, "member") else Path(p) for p in paths]
    if not paths:
        raise InputError("没有找到要处理的工作簿（.xlsx）")
    disk = [p.path if hasattr(p, "member") else p for p in paths]  # type: ignore[union-attr]
    if options.output is not None and any(_same_file(options.output, p) for p in disk):
        raise OutputError("输出文件不能覆盖输入文件，请用 -o 指定一个文件夹或 .docx 文件名",
                          path=options.output)
    folder = output_dir(options, len(paths))
    previous_report = read_previous(options.previous) \
        if options.previous is not None and previous_of is None else None
    n = len(paths)
    reserve = _reservations()
    protect = InputSet([*disk, *inputs, options.previous])

    def own(p: Path | FoundFile) -> Report | None:
        return previous_of(p) if previous_of is not None and not isinstance(p, Path) else None

    def settle(outcome: FillOutcome) -> FillOutcome:
        return write_outputs(outcome, options, folder=folder, n_inputs=n, reserve=reserve,
                             protect=protect)

    jobs = max(1, min(options.jobs, n))
    if jobs == 1:
        for p in paths:
            yield settle(check_and_render(p, options, previous_report=own(p) or previous_report))
        return

    # Lazy: multiprocessing costs the cold start of a plain `ogi fill x.xlsx` (measured).
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init,
                             initargs=(previous_report,)) as pool:
        for outcome in pool.map(_worker, [(p, options, own(p)) for p in paths]):
            yield settle(outcome)


def fill_files(paths: Sequence[Path], options: FillOptions) -> list[FillOutcome]:
    """Fill every workbook and, with ``options.pdf``, convert the results in one LibreOffice run."""
    return fill_returns(paths, options).outcomes


# ------------------------------------------------------------------------------------------------
# The whole job behind `ogi fill` (and the year folder's 生成年报)

#: :class:`FillEvent` kinds, in the order they come.
EVENT_LEDGER = "ledger"  # the ledger was read: ``lines`` say which files count for no agency
EVENT_OUTCOME = "outcome"  # ``outcome`` is final (``done`` 0: a file the ledger could not read)
EVENT_PDF = "pdf"  # the PDF step starts: ``lines`` is its notice


@dataclass(frozen=True)
class FillEvent:
    """What :func:`fill_returns` reports while it works (a front end prints or shows it)."""

    kind: str
    outcome: FillOutcome | None = None
    done: int = 0  # outcomes of the fill step so far
    total: int = 0  # workbooks the fill step works through
    lines: tuple[str, ...] = ()


@dataclass
class FillBatchResult(Result):
    """Everything :func:`fill_returns` did: the ledger's lines (when it read folders), one outcome
    per input (the unreadable ones first), the PDF step's notice and lines, the batch table."""

    result_type: ClassVar[str] = "fill_batch"

    path: Path
    findings: list[Finding] = field(default_factory=list)  # each outcome carries its own
    ledger: Ledger | None = None
    ledger_lines: list[str] = field(default_factory=list)
    outcomes: list[FillOutcome] = field(default_factory=list)
    filled: int = 0  # how many of ``outcomes`` the fill step made (the rest: unreadable files)
    pdf_notice: str = ""
    pdf_lines: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        ledger_code = self.ledger.exit_code_without_returns() if self.ledger is not None else 0
        return max(overall_exit_code(self.outcomes), ledger_code)

    @property
    def table(self) -> str:
        """The batch table (:func:`batch_table`); "" for a single workbook."""
        return batch_table(self.outcomes) if len(self.outcomes) > 1 else ""

    def details(self) -> dict[str, Any]:
        return {"outcomes": [o.to_dict() for o in self.outcomes],
                "ledger": self.ledger.to_dict() if self.ledger is not None else None}

    # ---- human text: what follows the outcomes (each outcome is rendered as it comes)
    def heading(self) -> None:
        return None

    def body_lines(self) -> list[str]:
        return []

    def closing_lines(self) -> list[str]:
        return [*self.pdf_lines, *([self.table] if self.table else [])]


def fill_returns(inputs: Sequence[Path], options: FillOptions, *,
                 roster: Path | list[Agency] | None = None, year: int | None = None,
                 read_progress: Progress | None = None, progress: Progress | None = None,
                 on_event: Callable[[FillEvent], None] | None = None) -> FillBatchResult:
    """The library call behind ``ogi fill``: files as given, or (folders, ``roster``, a folder
    of last year's workbooks) the returns that count from the ledger, each checked and rendered
    (:func:`iter_fill`), then the PDFs in one LibreOffice run (:func:`make_pdfs`). Reports each
    step through ``on_event`` (:class:`FillEvent`; nothing is printed) and the two loops through
    ``read_progress`` (reading the folders) and ``progress`` (filling); never raises for a bad
    workbook (its outcome says why), raises :class:`ogi.errors.OgiError` for unusable inputs as a
    whole (nothing to fill, an output over an input)."""

    def emit(event: FillEvent) -> None:
        if on_event is not None:
            on_event(event)

    inputs = [Path(p) for p in inputs]
    batch = FillBatchResult(path=inputs[0] if inputs else Path())
    previous_of = None
    if not uses_ledger(inputs, roster=roster, previous=options.previous):
        paths: list[Any] = list(expand_inputs(inputs))
    else:  # the returns that count, from the ledger; files that cannot be read listed first
        batch.ledger, paths, previous_of, batch.outcomes = ledger_inputs(
            inputs, roster=roster, year=year, previous=options.previous, progress=read_progress)
        batch.ledger_lines = batch.ledger.body_lines(with_unreadable=False)
        emit(FillEvent(EVENT_LEDGER, total=len(paths), lines=tuple(batch.ledger_lines)))
        for outcome in batch.outcomes:
            emit(FillEvent(EVENT_OUTCOME, outcome, 0, len(paths)))
    if paths or not batch.outcomes:
        filled = iter_fill(paths, options, previous_of=previous_of, inputs=inputs)
        for done, outcome in enumerate(progress(filled, len(paths)) if progress is not None
                                       else filled, 1):
            batch.outcomes.append(outcome)
            batch.filled = done
            emit(FillEvent(EVENT_OUTCOME, outcome, done, len(paths)))
    if options.pdf and (notice := pdf_notice(batch.outcomes, options.jobs)):
        batch.pdf_notice = notice
        emit(FillEvent(EVENT_PDF, lines=(notice,)))
        make_pdfs(batch.outcomes, options)
        batch.pdf_lines = [line for line in (o.pdf_line() for o in batch.outcomes if o.docx is not None)
                           if line]
    return batch


def make_pdfs(outcomes: Sequence[FillOutcome], options: FillOptions) -> None:
    """Convert every written DOCX to PDF beside it: one LibreOffice run for the batch, or with
    ``options.jobs`` N, N runs at once over shares of it."""
    from ..files.libreoffice import LibreOfficeError, convert_parallel  # only with --pdf (cold start)

    todo = []
    for o in outcomes:
        if o.docx is None or o.status != OK:
            continue
        target = o.docx.with_suffix(".pdf")
        if os.path.lexists(target) and not options.overwrite:  # the PDF follows the DOCX's rule
            if o.unchanged:  # same report as before: its PDF (perhaps the stamped copy) is kept
                o.message = "PDF 已存在，Word 文件内容未变，未重写"
            else:
                o.status, o.message = UNWRITABLE, f"{target.name} 已存在（可能是盖章的存档版）；如需覆盖，请加 --overwrite"
            continue
        todo.append(o)
    if not todo:
        return
    protect = InputSet([*(o.path for o in outcomes), options.previous])
    with tempfile.TemporaryDirectory(prefix="ogi-pdf-") as tmp:
        tmp_path = Path(tmp)
        staged = []
        for i, o in enumerate(todo):  # unique names: two folders may hold same-named reports
            src = tmp_path / f"{i:05d}.docx"
            src.write_bytes(o.docx.read_bytes())  # type: ignore[union-attr]
            staged.append(src)
        try:
            pdfs = convert_parallel(staged, "pdf", tmp_path / "pdf", jobs=options.jobs)
        except LibreOfficeError as exc:
            for o in todo:
                o.status, o.message = UNWRITABLE, f"Word 文件已生成，但 PDF 未生成：{exc.message}"
            return
        for o, pdf in zip(todo, pdfs, strict=True):
            target = o.docx.with_suffix(".pdf")  # type: ignore[union-attr]
            try:  # the PDF follows its DOCX (LibreOffice stamps each PDF, so bytes always differ)
                _write(target, pdf.read_bytes(), options, protect)
                o.pdf = target
            except OgiError as exc:
                o.status, o.message = UNWRITABLE, str(exc)


def counts(outcomes: Iterable[FillOutcome]) -> dict[str, int]:
    table = dict.fromkeys(STATUSES, 0)
    for o in outcomes:
        table[o.status] += 1
    return table
