"""Phrasing by a language model server: a real OpenAI-compatible server on the loopback, in the test."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.django_db
ASK = "/api/v1/assistant/ask"


class ChatServer:
    """Speaks POST /v1/chat/completions; remembers what it was sent; can be slow or broken."""

    def __init__(self, *, reply: str = "", delay: float = 0.0, status: int = 200):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                outer.requests.append(json.loads(self.rfile.read(length)))
                outer.headers.append(dict(self.headers))
                time.sleep(delay)
                body = json.dumps(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "model": outer.requests[-1]["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": reply},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                ).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def configure(monkeypatch, url: str, timeout: str = "8"):
    monkeypatch.setenv("ASSISTANT_LLM_URL", url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "qwen2.5-3b-instruct")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "khoa-thu")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", timeout)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(client, question: str) -> dict:
    response = client.post(ASK, {"question": question}, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_the_model_phrases_the_answer_from_our_passages_only(client, catalogue, monkeypatch):
    reply = "Bạn mở VNeID, chọn Kích hoạt tài khoản rồi nhập mã kích hoạt trong tin nhắn."
    with ChatServer(reply=reply) as server:
        configure(monkeypatch, server.url)
        body = ask(client, "nhap ma kich hoat vneid o dau")
    assert body["answer"] == reply
    assert body["phrased_by_model"] is True
    # The link to our material stays, whatever the model said.
    assert "?buoc=" in body["source"]["url"]
    sent = server.requests[0]
    assert sent["model"] == "qwen2.5-3b-instruct"
    assert server.headers[0]["Authorization"] == "Bearer khoa-thu"
    prompt = sent["messages"][-1]["content"]
    assert "nhap ma kich hoat vneid o dau" in prompt
    assert "Nhập mã kích hoạt" in prompt
    # Only the retrieved passages: not the whole catalogue.
    assert "Chụp ảnh sản phẩm" not in prompt


def test_the_page_shows_the_model_answer_escaped_beside_the_quote(client, catalogue, monkeypatch):
    with ChatServer(reply="<b>Làm theo bước 3</b>") as server:
        configure(monkeypatch, server.url)
        response = client.post("/tro-giup/", {"question": "nhap ma kich hoat vneid"})
    content = response.content.decode()
    assert "&lt;b&gt;Làm theo bước 3&lt;/b&gt;" in content
    assert "Nhập mã kích hoạt" in content


def test_a_server_that_is_down_leaves_the_quoted_answer(client, catalogue, monkeypatch):
    configure(monkeypatch, f"http://127.0.0.1:{closed_port()}/v1")
    body = ask(client, "nhap ma kich hoat vneid o dau")
    assert body["phrased_by_model"] is False
    assert body["source"]["title"] == "Nhập mã kích hoạt"
    assert "mã kích hoạt" in body["answer"]


def test_a_slow_server_is_given_up_on_after_the_timeout(client, catalogue, monkeypatch):
    with ChatServer(reply="quá muộn", delay=3) as server:
        configure(monkeypatch, server.url, timeout="0.5")
        started = time.monotonic()
        body = ask(client, "nhap ma kich hoat vneid o dau")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert body["phrased_by_model"] is False
    assert body["source"]["title"] == "Nhập mã kích hoạt"


def test_a_server_answering_an_error_leaves_the_quoted_answer(client, catalogue, monkeypatch):
    with ChatServer(reply="", status=500) as server:
        configure(monkeypatch, server.url)
        body = ask(client, "nhap ma kich hoat vneid o dau")
    assert server.requests
    assert body["phrased_by_model"] is False
