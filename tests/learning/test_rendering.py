"""Lesson Markdown renders to HTML that cannot run script."""

from hocvuso.learning.rendering import render_markdown


def test_markdown_keeps_structure_links_and_pictures():
    html = render_markdown(
        "## Chuẩn bị\n\n- **Điện thoại**\n- [Cổng dịch vụ công](https://dichvucong.gov.vn)\n\n"
        "![Màn hình đăng nhập](/media/a.png)"
    )
    assert "<h3>Chuẩn bị</h3>" in html
    assert "<strong>Điện thoại</strong>" in html
    assert 'href="https://dichvucong.gov.vn"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'alt="Màn hình đăng nhập"' in html
    assert 'loading="lazy"' in html


def test_markdown_cannot_inject_script_handlers_or_javascript_links():
    html = render_markdown(
        "<script>alert('x')</script>\n\n"
        "[bấm vào đây](javascript:alert(1))\n\n"
        '<img src="x.png" onerror="alert(1)">\n\n'
        '<a href="https://a.vn" onclick="steal()">a</a>\n\n'
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>\n\n'
        '[dữ liệu](data:text/html;base64,PHNjcmlwdD4=) <svg onload="alert(1)"></svg>'
    ).lower()
    for bad in ("<script", "alert('x')", "javascript:", "onerror", "onclick", "<iframe",
                "<style", "data:text", "onload", "<svg"):  # fmt: skip
        assert bad not in html, bad


def test_an_empty_body_renders_nothing():
    assert render_markdown("") == ""
