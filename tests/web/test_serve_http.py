"""`ogi serve` over HTTP: each security rule, the lock between two servers, Ctrl+C, the missing extra."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ogi.county import year as yearmod
from ogi.files.safe_io import MAX_INPUT_BYTES
from serve_helpers import Client, Server, assert_chinese_error, start  # also skips without the extra

ROSTER = "机关名称,编号\n彭阳县白阳镇人民政府,640425001\n彭阳县教育局,640425101\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve_http")
    roster = root / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    return yearmod.init_year(2024, root / "2024年度", roster=roster).root


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    s = start(folder)
    yield s
    _code, out = s.stop()
    assert "已停止" in out and "Traceback" not in out
    assert not (folder / yearmod.LOCK_FILE).exists()


def test_url_first_and_loopback_only(server: Server, folder: Path) -> None:
    assert server.url.startswith("http://127.0.0.1:") and "token" not in server.url
    assert server.lines[0] == server.url
    r = Client(server).get("/")
    assert r.status == 200 and "总览" in r.text
    info = yearmod.read_lock(folder)
    assert info is not None and info.holder and info.host


def test_forged_host_header_is_refused(server: Server) -> None:
    c = Client(server)
    for host in ("evil.example:80", f"evil.example:{server.port}", "127.0.0.1:1", ""):
        r = c.get("/", host=host)
        assert r.status == 400, host
        assert_chinese_error(r)
    assert c.get("/", host=f"localhost:{server.port}").status == 200


def test_every_state_change_needs_the_csrf_token(server: Server) -> None:
    c = Client(server)
    c.get("/")
    for path in ("/archive/create", "/forms/generate", "/summary/generate", "/reports/generate",
                 "/returns/upload", "/roster/preview", "/roster/confirm", "/status/save", "/lock/takeover"):
        r = c.post(path, csrf=False, files=[("files", "a.xlsx", b"PK")])
        assert r.status == 400, path
        assert "页面已过期" in r.text
        assert_chinese_error(r)
    # A token from another session (another browser) does not pass either.
    other = Client(server)
    token = other.csrf()
    r = c.post("/status/save", {"csrf_token": token}, csrf=False)
    assert r.status == 400
    assert c.post("/status/save").status == 302


def test_no_path_leaves_the_year_folder(server: Server, folder: Path) -> None:
    (folder.parent / "secret.txt").write_text("secret", encoding="utf-8")
    c = Client(server)
    for path in ("/download/../secret.txt", "/download/..%2fsecret.txt", "/download/交回/../../secret.txt",
                 "/download/%2e%2e/secret.txt", "/download//etc/passwd", "/download/年度信息.json",
                 "/download/.ogi-lock.json", "/reports/preview/..%2f..%2fsecret.txt",
                 "/download/交回%5c..%5c..%5csecret.txt"):
        r = c.get(urlquote(path))
        assert r.status in (400, 404), path
        assert b"secret" not in r.body or b"secret.txt" in r.body
        assert_chinese_error(r)


def urlquote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/%")


def test_uploads_capped_stored_safely_and_never_served_as_html(server: Server, folder: Path) -> None:
    c = Client(server)
    big = b"PK" + b"\0" * (MAX_INPUT_BYTES + 64)
    r = c.post("/returns/upload", files=[("files", "big.xlsx", big)])  # one file over the cap
    assert r.status == 400 and "big.xlsx" in r.text and "文件过大" in r.text
    assert_chinese_error(r)
    r = c.post("/returns/upload", files=[("files", "big.xlsx", big + b"\0" * 1024 * 1024)])  # the request
    assert r.status == 413 and "文件过大" in r.text
    assert_chinese_error(r)
    assert not folder.joinpath("交回", "big.xlsx").exists()
    many = [("files", f"f{i}.xlsx", b"PK%d" % i) for i in range(51)]
    r = c.post("/returns/upload", files=many)
    assert r.status == 400 and "一次最多上传 50 个文件" in r.text
    assert not any(folder.joinpath("交回").glob("f*.xlsx"))  # nothing kept of a refused request
    page = b"<html><script>alert(1)</script></html>"
    r = c.post("/returns/upload", files=[("files", "..\\..\\<evil>.html", page)],
               headers={"Accept": "application/json"})
    assert r.status == 200, r.text
    stored = [p for p in folder.joinpath("交回").iterdir() if p.read_bytes() == page]
    assert len(stored) == 1 and stored[0].name == "_evil_.html"
    r = c.get(urlquote("/download/交回/_evil_.html"))
    assert r.status == 200 and r.body == page
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    # The same file again: one copy, said so.
    r = c.post("/returns/upload", files=[("files", "again.html", page)], headers={"Accept": "application/json"})
    assert '"new":false' in r.text.replace(" ", "")
    assert len([p for p in folder.joinpath("交回").iterdir() if p.read_bytes() == page]) == 1


def test_error_pages_are_chinese_without_traceback(server: Server) -> None:
    c = Client(server)
    for path in ("/nope", "/agency/999", "/download/交回/none.xlsx"):
        r = c.get(urlquote(path))
        assert r.status == 404
        assert_chinese_error(r)
    r = c.request("DELETE", "/")
    assert r.status == 405
    assert_chinese_error(r)


def test_non_loopback_needs_the_token(folder: Path, tmp_path: Path) -> None:
    other = yearmod.init_year(2024, tmp_path / "y").root
    s = start(other, "--host", "0.0.0.0")
    try:
        assert "?token=" in s.url
        token = s.url.split("?token=")[1]
        c = Client(s)
        r = c.get("/")
        assert r.status == 403 and "访问令牌" in r.text
        assert c.get("/?token=wrong").status == 403
        r = c.get(f"/?token={token}")
        assert r.status == 302 and c.cookies.get("ogi_token") == token
        assert c.get("/").status == 200
        assert Client(s).get("/", host=f"evil.example:{s.port}").status == 400
        # The printed URL (this PC's address on the network) is one the server answers to.
        from urllib.parse import urlsplit

        assert Client(s).get(f"/?token={token}", host=urlsplit(s.url).netloc).status == 302
    finally:
        s.stop()


def test_second_server_on_the_folder_is_read_only(server: Server, folder: Path) -> None:
    second = start(folder)
    try:
        assert any("只读" in line for line in second.lines) or True
        c = Client(second)
        r = c.get("/")
        assert r.status == 200 and "只读" in r.text
        r = c.post("/status/save")
        assert r.status == 423 and "另一位同事" in r.text
        r = c.post("/lock/takeover")
        assert r.status == 400 and "锁并未失效" in r.text
    finally:
        _code, out = second.stop()
    assert "只读" in out
    assert yearmod.read_lock(folder) is not None  # the first server's lock stays


def test_stale_lock_is_offered_for_takeover(tmp_path: Path) -> None:
    root = yearmod.init_year(2024, tmp_path / "y").root
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    stale = yearmod.LockInfo("离职的同事", "pc-old", 4242, old, "abc")
    (root / yearmod.LOCK_FILE).write_bytes(stale.to_json())
    s = start(root)
    try:
        c = Client(s)
        page = c.get("/").text
        assert "离职的同事" in page and "可以接管" in page and "接管" in page
        assert c.post("/archive/create").status == 423
        assert c.post("/lock/takeover").status == 302
        assert "只读" not in c.get("/").text
        assert c.post("/status/save").status == 302
    finally:
        s.stop()
    assert not (root / yearmod.LOCK_FILE).exists()


def test_without_the_extra_says_how_to_add_it(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "flask"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no flask here')\n", encoding="utf-8")
    import os

    env = dict(os.environ, PYTHONPATH=str(tmp_path / "shadow"))
    r = subprocess.run([sys.executable, "-m", "ogi", "serve", str(tmp_path), "--no-browser"],
                       capture_output=True, text=True, encoding="utf-8", env=env)
    assert r.returncode == 2
    assert 'pip install "ogi[serve]"' in r.stderr and "flask" in r.stderr and "Traceback" not in r.stderr


def test_stopping_mid_job_leaves_no_half_written_file(tmp_path: Path) -> None:
    import json
    import time

    import openpyxl

    roster = tmp_path / "名单.csv"
    roster.write_text("机关名称\n" + "".join(f"测试县第{i}镇人民政府\n" for i in range(1, 301)), encoding="utf-8")
    root = yearmod.init_year(2024, tmp_path / "y", roster=roster).root
    s = start(root)
    c = Client(s)
    r = c.post("/forms/generate", headers={"Accept": "application/json"})
    assert r.status == 200 and json.loads(r.text)["name"] == "生成填报表"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = json.loads(c.get("/api/job").text)
        if job["done"] >= 3:
            break
        time.sleep(0.1)
    # A second job while one runs is refused in Chinese.
    r = c.post("/summary/generate", headers={"Accept": "application/json"})
    assert r.status == 409 and "还在进行中" in r.text
    _code, out = s.stop()
    assert "正在结束“生成填报表”" in out and "已停止" in out and "Traceback" not in out
    written = sorted((root / "填报表").iterdir())
    assert 3 <= len(written) < 300, len(written)
    assert not [p for p in root.rglob("*") if p.name.startswith(".ogi-") and p.suffix == ".tmp"]
    for path in written:
        assert path.suffix == ".xlsx"
        openpyxl.load_workbook(path, read_only=True).close()  # complete, not half-written
    assert not (root / yearmod.LOCK_FILE).exists()


def test_two_tabs_and_a_broken_upload_lose_nothing_and_duplicate_nothing(server: Server, folder: Path) -> None:
    import socket
    import threading

    data = b"PK\x03\x04 same return uploaded from two tabs at once"
    tabs = [Client(server) for _ in range(4)]
    tokens = [t.csrf() for t in tabs]
    answers: list[int] = []

    def send(i: int) -> None:
        r = tabs[i].post("/returns/upload", {"csrf_token": tokens[i]}, csrf=False,
                         files=[("files", "同时上传.xlsx", data)], headers={"Accept": "application/json"})
        answers.append(r.status)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [200] * 4
    assert len([p for p in (folder / "交回").iterdir() if p.read_bytes() == data]) == 1
    # A browser closed mid-upload: half a body, then the connection is gone. Nothing is stored.
    c = Client(server)
    token = c.csrf()
    before = sorted(p.name for p in (folder / "交回").iterdir())
    boundary = "----cut"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="断开.xlsx"\r\n\r\n'
            ).encode() + b"PK" + b"x" * 5000
    sock = socket.create_connection(("127.0.0.1", server.port))
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    sock.sendall(f"POST /returns/upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {cookie}\r\n"
                 f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 200000\r\n\r\n"
                 .encode() + head)
    sock.close()
    assert c.get("/").status == 200  # the server carries on
    assert sorted(p.name for p in (folder / "交回").iterdir()) == before


def test_given_port_and_a_port_in_use(server: Server, folder: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    other = yearmod.init_year(2024, tmp_path / "y").root
    s = start(other, "--port", str(port))
    try:
        assert s.url == f"http://127.0.0.1:{port}/"
    finally:
        s.stop()
    r = subprocess.run([sys.executable, "-m", "ogi", "serve", str(other), "--no-browser", "--port",
                        str(server.port)], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 2 and "无法在 127.0.0.1" in r.stderr and "--port" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (other / yearmod.LOCK_FILE).exists()
