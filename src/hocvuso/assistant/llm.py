"""Optional phrasing of an answer by a language model server the operator runs (OpenAI-compatible).

Set ASSISTANT_LLM_URL (the base URL, e.g. http://127.0.0.1:8080/v1), ASSISTANT_LLM_MODEL and, where
the server wants one, ASSISTANT_LLM_API_KEY. Only the question and the passages found in our own
material are sent. A server that is down, slow (ASSISTANT_LLM_TIMEOUT seconds, 8 by default) or
answering nonsense is ignored: the quoted answer stands on its own.
"""

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 2000
SYSTEM_PROMPT = (
    "Bạn là trợ lý của nền tảng Bình dân học vụ số, giúp người dân dùng điện thoại và dịch vụ số. "
    "Chỉ trả lời dựa trên các đoạn tài liệu được cung cấp; nếu tài liệu không có câu trả lời, hãy "
    "nói là chưa có và khuyên hỏi Tổ công nghệ số cộng đồng. Trả lời bằng tiếng Việt có dấu, ngắn "
    "gọn (tối đa 5 câu), dễ hiểu với người lớn tuổi. Không bao giờ hỏi hay khuyên đưa mã OTP, mật "
    "khẩu cho bất kỳ ai."
)


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str
    api_key: str
    timeout: float


def configured() -> LlmConfig | None:
    """The server from the environment, or None when no model server is set up."""
    url = os.environ.get("ASSISTANT_LLM_URL", "").strip()
    model = os.environ.get("ASSISTANT_LLM_MODEL", "").strip()
    if not url or not model:
        return None
    try:
        timeout = float(os.environ.get("ASSISTANT_LLM_TIMEOUT", "8"))
    except ValueError:
        timeout = 8.0
    return LlmConfig(
        url=url.rstrip("/"),
        model=model,
        api_key=os.environ.get("ASSISTANT_LLM_API_KEY", "").strip(),
        timeout=timeout,
    )


def phrase_answer(question: str, passages: list[tuple[str, str]]) -> str | None:
    """The model's short answer from `passages` ((title, text) pairs), or None on any failure."""
    config = configured()
    if config is None or not passages:
        return None
    material = "\n\n".join(
        f"[{number}] {title}\n{text}" for number, (title, text) in enumerate(passages, 1)
    )
    body = {
        "model": config.model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Tài liệu:\n{material}\n\nCâu hỏi: {question}"},
        ],
        "temperature": 0.2,
        "max_tokens": 400,
        "stream": False,
    }
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(
        f"{config.url}/chat/completions",
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            reply = json.loads(response.read(200_000))
        content = reply["choices"][0]["message"]["content"]
    except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as error:
        # Down, slow or speaking another protocol: the quoted answer is shown on its own.
        logger.warning("assistant language model unavailable: %s", error)
        return None
    if not isinstance(content, str) or not content.strip():
        return None
    return content.strip()[:MAX_REPLY_CHARS]
