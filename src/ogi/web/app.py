"""The Flask app of ``ogi serve``: one year folder, its pages, and the guards in front of them.

Every page calls the library functions the CLI commands call (through :mod:`ogi.county.year`); nothing here
decides a status, an identity or an output. Guards, in request order: the Host header must name the
address the server is bound to (DNS rebinding); off loopback, an access token (from the printed URL,
then a cookie); CSRF (Flask-WTF's CSRFProtect) on every POST; the folder lock (a second opener is
read-only). Downloads are attachments only and never leave the year folder.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import secrets
import sys
import threading
import traceback
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..county import year as yearmod
from ..county.roster import read_roster
from ..county.summary import build_summary, figure_value, key_figures
from ..document.html_render import render_tables
from ..errors import InputError, OgiError
from ..files.safe_io import MAX_INPUT_BYTES, atomic_write_bytes
from ..form.layout import layout_for
from .jobs import Busy, Job, JobRunner

#: Caps on one upload request: the page sends one file per request; a form may send several.
MAX_FILES_PER_REQUEST = 50
MAX_REQUEST_BYTES = MAX_INPUT_BYTES + 1024 * 1024
TOKEN_COOKIE = "ogi_token"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

#: Folders a download may come from (the roster and the two workbooks at the top level too).
DOWNLOAD_DIRS = (yearmod.FORMS_DIR, yearmod.RETURNS_DIR, yearmod.FEEDBACK_DIR, yearmod.REPORTS_DIR,
                 yearmod.ARCHIVE_DIR)
DOWNLOAD_FILES = (yearmod.SUMMARY_FILE, yearmod.STATUS_FILE)

STATUS_CLASS = {"未提交": "missing", "无法读取": "unreadable", "未完成": "incomplete",
                "有错误": "errors", "有警告": "warnings", "通过": "passed", "不计入": "notcounted"}


@dataclass
class ServerConfig:
    folder: Path
    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None  # required off loopback
    allowed_hosts: set[str] = field(default_factory=set)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(config: ServerConfig) -> Flask:
    year = yearmod.open_year(config.folder)
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese readable in the JSON too
    app.url_map.merge_slashes = False  # "//etc/passwd" is refused, not redirected
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=MAX_FILES_PER_REQUEST + 20,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_NAME="ogi_session",
    )
    lock = yearmod.YearLock(year.root)
    lock.acquire()
    cache = yearmod.StatusCache()
    cache_lock = threading.Lock()
    store_lock = threading.Lock()  # two tabs uploading the same file at once keep one copy
    runner = JobRunner()
    app.extensions["ogi"] = {"year": year, "lock": lock, "runner": runner, "config": config}

    def status() -> Any:
        with cache_lock:
            return cache.status(year)

    # ---- guards ------------------------------------------------------------------------------
    @app.before_request
    def check_host_and_token() -> Response | None:
        host = (request.headers.get("Host") or "").lower()  # the header itself, no fallback
        if host not in config.allowed_hosts:
            return error_page("地址不对", "请用 ogi serve 窗口中显示的地址打开本页面。"
                              "（网页地址中的主机名与服务器不符，为防止其他网站借道访问，已拒绝。）", 400)
        if (request.content_length or 0) > MAX_REQUEST_BYTES:  # before CSRF reads the form
            abort(413)
        if config.token is None:
            return None
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given, config.token):
            response = redirect(request.path)
            response.set_cookie(TOKEN_COOKIE, config.token, httponly=True, samesite="Strict")
            return response
        cookie = request.cookies.get(TOKEN_COOKIE, "")
        if not hmac.compare_digest(cookie, config.token):
            return error_page("需要访问令牌", "请用 ogi serve 窗口中显示的完整地址（含 token=…）打开本页面。", 403)
        return None

    csrf = CSRFProtect(app)  # registered after the host check, so a forged Host fails first

    @app.before_request
    def read_only_guard() -> Response | None:
        if request.method == "POST" and request.endpoint != "takeover" and not lock.held:
            return error_page("只读", "另一位同事正在使用这个年度文件夹，本页面只能查看。"
                              + _lock_notice(lock), 423)
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "frame-ancestors 'self'; form-action 'self'; base-uri 'none'")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def error_page(title: str, message: str, code: int) -> Response:
        wants_json = request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"
        if wants_json:
            response = jsonify({"error": title, "message": message})
        else:
            response = Response(render_template("error.html", title=title, message=message,
                                                **base_context()), mimetype="text/html")
        response.status_code = code
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        return error_page("页面已过期", "页面缺少或带错了安全校验码（可能是服务器重新启动过）。"
                          "请刷新页面后再操作一次。", 400)

    @app.errorhandler(OgiError)
    def ogi_error(exc: OgiError) -> Response:
        code = 409 if isinstance(exc, Busy) else 400
        return error_page("无法完成", str(exc), code)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        messages = {
            404: ("找不到页面", "没有这个页面或文件。请从上方的菜单进入。"),
            405: ("操作无效", "这个地址不能这样使用。请从页面上的按钮操作。"),
            413: ("文件过大", f"一次上传的内容超过 {MAX_REQUEST_BYTES // 1024 // 1024} MB 上限；"
                  f"每个文件不能超过 {MAX_INPUT_BYTES // 1024 // 1024} MB，请分开上传。"),
            400: ("请求无效", "请求的内容不完整或无法识别，请刷新页面后再试。"),
        }
        title, message = messages.get(exc.code or 500, ("出错了", "请刷新页面后再试。"))
        return error_page(title, message, exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        traceback.print_exc(file=sys.stderr)  # for the console, never for the page
        return error_page("出错了", f"处理时出现意外错误（{type(exc).__name__}）。"
                          "请把 ogi serve 窗口中的信息告诉维护人员。", 500)

    def base_context() -> dict[str, Any]:
        return {"year": year, "lock": lock, "lock_notice": _lock_notice(lock),
                "job": runner.job, "status_class": STATUS_CLASS, "nav": NAV}

    def page(template: str, **context: Any) -> str:
        return render_template(template, **base_context(), **context)

    # ---- pages --------------------------------------------------------------------------------
    @app.get("/")
    def overview() -> str:
        report = status()
        counts = report.agency_statuses()
        roster = year.read_roster() if year.roster_file is not None else None
        return page("overview.html", counts=counts, report=report, roster=roster,
                    next_step=_next_step(year, report, roster), active="overview")

    @app.get("/roster")
    def roster_page() -> str:
        roster_error = ""
        roster = None
        try:
            roster = year.read_roster()
        except OgiError as exc:
            roster_error = str(exc)
        forms = sorted(year.forms.glob("*.xlsx")) if year.forms.is_dir() else []
        return page("roster.html", roster=roster, roster_error=roster_error, forms=forms,
                    pending=None, active="roster")

    @app.post("/roster/preview")
    def roster_preview() -> str:
        upload = _one_file(request.files.getlist("roster"))
        suffix = Path(upload.filename or "").suffix.lower()
        if suffix not in yearmod.ROSTER_SUFFIXES:
            raise InputError("名单应为 .xlsx、.csv 或 .txt 文件", path=upload.filename)
        data = upload.read(MAX_INPUT_BYTES + 1)
        pending, agencies, problem = _parse_roster(year, data, suffix, upload.filename or "")
        forms = sorted(year.forms.glob("*.xlsx"))
        current = None
        with contextlib.suppress(OgiError):
            current = year.read_roster()
        return page("roster.html", roster=current, roster_error="", forms=forms,
                    pending={"name": upload.filename, "token": pending, "agencies": agencies,
                             "problem": problem}, active="roster")

    @app.post("/roster/confirm")
    def roster_confirm() -> Response:
        token = request.form.get("pending", "")
        source = _pending_path(year, token)
        yearmod.replace_roster(year, source)
        return redirect(url_for("roster_page"))

    def tracker(job: Job) -> Any:
        """A library ``progress`` callback that counts for the page and stops between files when
        the server stops."""

        def progress(items: Iterable[Any], n: int) -> Any:
            job.total = n
            for item in items:
                runner.checkpoint()
                yield item
                job.done += 1

        return progress

    @app.post("/forms/generate")
    def forms_generate() -> Response:
        def work(job: Job) -> None:
            progress = tracker(job)
            made = yearmod.generate_forms(year, progress=progress)
            job.lines.extend(f"未能写入：{m}" for m in made.failed)
            job.message = (f"已生成 {len(made.written)} 份填报表" if made.written
                           else "每个机关都已有填报表，未重复生成")

        runner.start("生成填报表", work)
        return _after_start("roster_page")

    @app.get("/forms.zip")
    def forms_zip() -> Response:
        return _zip_download(sorted(year.forms.glob("*.xlsx")), f"{year.year}年度填报表.zip",
                             missing="还没有生成填报表", folder=year.forms)

    @app.get("/returns")
    def returns_page() -> str:
        report = status()
        return page("returns.html", report=report, others=yearmod.other_files(year, report),
                    max_files=MAX_FILES_PER_REQUEST, max_mb=MAX_INPUT_BYTES // 1024 // 1024,
                    active="returns")

    @app.post("/returns/upload")
    def returns_upload() -> Response:
        files = request.files.getlist("files")
        if not files:
            raise InputError("没有收到文件：请选择或拖入要上传的文件")
        if len(files) > MAX_FILES_PER_REQUEST:
            raise InputError(f"一次最多上传 {MAX_FILES_PER_REQUEST} 个文件，请分批上传")
        stored = []
        for upload in files:
            data = upload.read(MAX_INPUT_BYTES + 1)
            with store_lock:
                path, new = yearmod.store_return(year, upload.filename or "", data)
            stored.append((upload.filename or "", path, new))
        report = status()
        answer = []
        for original, path, new in stored:
            rows = [row for row in report.rows if row.result is not None and row.result.file.path == path]
            answer.append({
                "name": original, "stored": path.relative_to(year.root).as_posix(), "new": new,
                "rows": [{"file": row.result.file.rel, "agency": row.agency_name, "status": row.status,
                          "notes": list(row.notes)} for row in rows],
                "notes": [] if rows else ["ogi 不读取这种文件；已原样保存"],
            })
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"files": answer, "summary": report.summary_line()})
        return redirect(url_for("returns_page"))

    @app.get("/api/returns")
    def returns_table() -> Response:
        report = status()
        return jsonify({"summary": report.summary_line(), "rows": [
            dict(row.to_dict(), css=STATUS_CLASS.get(row.status, "")) for row in report.rows]})

    @app.get("/agencies")
    def agencies_page() -> str:
        report = status()
        missing = [row for row in report.rows if row.result is None]
        return page("agencies.html", report=report, missing=missing, active="agencies")

    @app.get("/agency/<int:index>")
    def agency_page(index: int) -> str:
        report = status()
        if not 0 <= index < len(report.rows):
            abort(404)
        row = report.rows[index]
        history = [(i, r) for i, r in enumerate(report.rows)
                   if r.agency is not None and row.agency is not None and r.result is not None
                   and r.agency is row.agency]
        by_sheet: dict[str, list[Any]] = {}
        if row.result is not None:
            for f in row.result.findings:
                by_sheet.setdefault(f.sheet or "整个工作簿", []).append(f)
        files = yearmod.feedback_files(year, row.agency) if row.agency is not None else []
        return page("agency.html", row=row, index=index, history=history, by_sheet=by_sheet, files=files,
                    active="agencies")

    @app.post("/feedback/generate")
    def feedback_generate() -> Response:
        def work(job: Job) -> None:
            result, folder = yearmod.write_feedback(year, progress=tracker(job))
            job.lines.extend(fb.line() for fb in result.sent)
            job.lines.extend(f"{r.agency.name}：尚未报送，已写催报通知" for r in result.reminders)
            job.message = f"{result.summary_line()} 已保存在 反馈/{folder.name}/"

        runner.start("生成退改材料", work)
        return _after_start("agencies_page")

    @app.get("/reports")
    def reports_page() -> str:
        files = sorted(year.reports.glob("*.docx")) if year.reports.is_dir() else []
        reports = [{"docx": p, "pdf": p.with_suffix(".pdf") if p.with_suffix(".pdf").exists() else None,
                    "html": p.with_suffix(".html") if p.with_suffix(".html").exists() else None}
                   for p in files]
        return page("reports.html", reports=reports, active="reports")

    @app.post("/reports/generate")
    def reports_generate() -> Response:
        overwrite = request.form.get("overwrite") == "1"

        def work(job: Job) -> None:
            def seen(outcome: Any, i: int, n: int) -> None:
                runner.checkpoint()
                job.done, job.total = i, n
                name = outcome.docx.name if outcome.docx is not None else outcome.path.name
                job.lines.append(f"{outcome.status}：{name}" + (f"（{outcome.message}）"
                                                                 if outcome.message else ""))

            outcomes = yearmod.fill_reports(year, on_outcome=seen, overwrite=overwrite)
            ok = sum(1 for o in outcomes if o.docx is not None)
            job.message = f"已生成 {ok} 份年报（共 {len(outcomes)} 份交回工作簿）"

        runner.start("生成年报", work)
        return _after_start("reports_page")

    @app.get("/reports/preview/<path:name>")
    def report_preview(name: str) -> Response:
        path = year.resolve_inside(f"{yearmod.REPORTS_DIR}/{name}")
        if path.suffix.lower() != ".html" or not path.is_file():
            abort(404)
        response = Response(path.read_bytes(), mimetype="text/html")
        # ogi's own report page, shown in a frame: no script, nothing loaded from anywhere.
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        return response

    @app.get("/reports.zip")
    def reports_zip() -> Response:
        files = sorted(p for p in year.reports.glob("*") if p.suffix.lower() in (".docx", ".pdf", ".html"))
        return _zip_download(files, f"{year.year}年度年报.zip", missing="还没有生成年报",
                             folder=year.reports)

    @app.get("/summary")
    def summary_page() -> str:
        summary = build_summary(year.returns, year.read_roster(), year=year.year)
        figures = key_figures(layout_for())
        county = render_tables(summary.totals)  # the report's own official tables, county totals
        received = next((f for f in figures if f.role == "received"), figures[0])
        bars = [(row.agency.name, figure_value(received, row.values) or 0) for row in summary.rows]
        return page("summary.html", summary=summary, county=county, chart=_bar_chart(bars, received.label),
                    has_file=year.summary_file.exists(), active="summary")

    @app.post("/summary/generate")
    def summary_generate() -> Response:
        def work(job: Job) -> None:
            progress = tracker(job)
            result = yearmod.write_summary(year, progress=progress)
            job.message = f"已保存 {yearmod.SUMMARY_FILE}：汇总了 {len(result.rows)} 个机关"

        runner.start("生成汇总表", work)
        return _after_start("summary_page")

    @app.post("/status/save")
    def status_save() -> Response:
        yearmod.save_status(year)
        return redirect(url_for("returns_page"))

    @app.get("/archive")
    def archive_page() -> str:
        zips = sorted(year.archive.glob("*.zip"), reverse=True) if year.archive.is_dir() else []
        checks = {p: yearmod.verify_archive(p) for p in zips[:5]}
        return page("archive.html", zips=zips, checks=checks, active="archive")

    @app.post("/archive/create")
    def archive_create() -> Response:
        def work(job: Job) -> None:
            path = yearmod.write_archive(year)
            job.message = f"已生成归档：{path.name}"

        runner.start("生成归档", work)
        return _after_start("archive_page")

    @app.get("/download/<path:rel>")
    def download(rel: str) -> Response:
        path = year.resolve_inside(rel)
        top = path.relative_to(year.root.resolve()).parts
        allowed = (len(top) > 1 and top[0] in DOWNLOAD_DIRS) or (
            len(top) == 1 and (top[0] in DOWNLOAD_FILES or path == (year.roster_file or Path()).resolve()))
        if not allowed or not path.is_file():
            abort(404)
        # Always an attachment of no particular type: a received file is never shown as a page.
        return send_file(path, as_attachment=True, download_name=path.name,
                         mimetype="application/octet-stream", max_age=0)

    @app.get("/api/job")
    def job_state() -> Response:
        job = runner.job
        return jsonify(job.to_dict() if job is not None else None)

    @app.post("/lock/takeover")
    def takeover() -> Response:
        if not lock.take_over():
            raise InputError("锁并未失效：" + _lock_notice(lock) + "仍在使用这个文件夹")
        return redirect(url_for("overview"))

    @app.context_processor
    def helpers() -> dict[str, Any]:
        def rel(path: Path) -> str:
            return Path(path).resolve().relative_to(year.root.resolve()).as_posix()

        return {"rel": rel}

    def _after_start(endpoint: str) -> Response:
        if request.accept_mimetypes.best == "application/json":
            return jsonify(runner.job.to_dict() if runner.job else None)
        return redirect(url_for(endpoint))

    app.extensions["ogi"]["csrf"] = csrf
    return app


NAV = (("overview", "总览"), ("roster_page", "名单与填报表"), ("returns_page", "交回"),
       ("agencies_page", "机关"), ("reports_page", "年报"), ("summary_page", "汇总"),
       ("archive_page", "归档"))


def _lock_notice(lock: yearmod.YearLock) -> str:
    other = lock.other
    if lock.held or other is None:
        return ""
    stale = "（此锁已长时间未更新，可能已失效，可以接管）" if other.stale else ""
    return f"当前使用人：{other.describe()}{stale}。"


def _one_file(files: list[Any]) -> Any:
    files = [f for f in files if f and f.filename]
    if len(files) != 1:
        raise InputError("请选择一个名单文件")
    return files[0]


def _parse_roster(year: yearmod.YearFolder, data: bytes, suffix: str,
                  name: str) -> tuple[str, list[Any], str]:
    """Keep the upload as a pending file (not the roster yet) and parse it with ``read_roster``."""

    if len(data) > MAX_INPUT_BYTES:
        raise InputError("名单文件过大", path=name)
    token = secrets.token_hex(8)
    pending = year.root / f".ogi-pending-{token}{suffix}"
    atomic_write_bytes(pending, data)
    try:
        return token, read_roster(pending), ""
    except OgiError as exc:
        with contextlib.suppress(OSError):
            pending.unlink()
        return "", [], exc.message.replace(str(pending), name)


def _pending_path(year: yearmod.YearFolder, token: str) -> Path:
    if not token.isalnum() or len(token) != 16:
        raise InputError("名单已过期，请重新上传")
    for suffix in yearmod.ROSTER_SUFFIXES:
        path = year.root / f".ogi-pending-{token}{suffix}"
        if path.is_file():
            return path
    raise InputError("名单已过期，请重新上传")


def _next_step(year: yearmod.YearFolder, report: Any, roster: list[Any] | None) -> str:
    counts = report.agency_statuses()
    if roster is None:
        return "第一步：在“名单与填报表”页上传机关名单。"
    if not any(year.forms.glob("*.xlsx")):
        return "下一步：在“名单与填报表”页生成填报表，发给各机关。"
    if counts["未提交"] == len(roster):
        return "下一步：把各机关交回的工作簿拖到“交回”页。"
    if counts["有错误"] or counts["无法读取"]:
        return "下一步：在“机关”页查看有问题的机关，通知它们修改后重新交回。"
    if counts["未提交"]:
        return f"还有 {counts['未提交']} 个机关未交回：在“机关”页查看催报名单。"
    return "全部交回且没有错误：在“年报”页生成年报，在“汇总”页生成汇总表。"


def _bar_chart(bars: list[tuple[str, Any]], label: str) -> dict[str, Any]:
    """Geometry of a horizontal bar chart drawn as inline SVG by the template."""
    height = 24
    width = 420
    top = max((float(v) for _, v in bars), default=0) or 1
    items = [{"name": name, "value": value, "y": i * height, "w": round(width * float(value) / top, 1)}
             for i, (name, value) in enumerate(bars)]
    return {"items": items, "label": label, "height": max(1, len(items)) * height, "width": width}


def _zip_download(files: list[Path], name: str, *, missing: str, folder: Path) -> Response:
    """Files of a year folder as one zip attachment (built in memory: forms and reports are small)."""
    if not files:
        raise InputError(missing, path=folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, path.name)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=name, mimetype="application/zip")
