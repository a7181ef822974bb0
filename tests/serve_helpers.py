"""Start `ogi serve` as a real subprocess and talk HTTP to it (shared by the serve tests)."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the serve extra is not installed (pip install '.[serve]')")
pytest.importorskip("waitress", reason="the serve extra is not installed")
pytest.importorskip("flask_wtf", reason="the serve extra is not installed")


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80

    def stop(self) -> tuple[int, str]:
        """Ctrl+C, as a person stops it; the exit code and everything it printed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.proc.stderr.read() if self.proc.stderr else ""
        return self.proc.returncode, "\n".join(self.lines) + err


def start(folder: Path, *args: str) -> Server:
    proc = subprocess.Popen([sys.executable, "-m", "ogi", "serve", str(folder), "--no-browser", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout is not None
    first: list[str] = []

    def read_first() -> None:
        first.append(proc.stdout.readline())  # type: ignore[union-attr]

    t = threading.Thread(target=read_first, daemon=True)
    t.start()
    t.join(30)
    url = first[0].strip() if first else ""
    if not url.startswith("http://"):
        proc.kill()
        raise AssertionError(f"ogi serve did not print its URL first: {url!r} {proc.stderr.read()}")  # type: ignore[union-attr]
    server = Server(proc, url, [url])

    def drain() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            server.lines.append(line.rstrip("\n"))

    threading.Thread(target=drain, daemon=True).start()
    return server


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """A tiny HTTP client keeping cookies, with full control of the Host header."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                host: str | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        h = {"Host": host if host is not None else f"127.0.0.1:{self.server.port}"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body:
            conn.send(body)
        r = conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        conn.close()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)

    def get(self, path: str, **kw: object) -> Response:
        return self.request("GET", path, **kw)  # type: ignore[arg-type]

    def csrf(self, path: str = "/") -> str:
        page = self.get(path).text
        m = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert m, page[:500]
        return m.group(1)

    def post(self, path: str, fields: dict[str, str] | None = None,
             files: list[tuple[str, str, bytes]] | None = None, csrf: bool = True,
             headers: dict[str, str] | None = None) -> Response:
        fields = dict(fields or {})
        if csrf:
            fields["csrf_token"] = self.csrf()
        boundary = "----ogitest7d2f"
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                         .encode())
        for field_name, filename, data in files or []:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                         f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                         .encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        h = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        h.update(headers or {})
        return self.request("POST", path, body, h)


def assert_chinese_error(r: Response) -> None:
    assert "Traceback" not in r.text and "File \"" not in r.text
    assert re.search(r"[\u4e00-\u9fff]", r.text), r.text[:300]
