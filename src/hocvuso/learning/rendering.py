"""Lesson text from Markdown to HTML that is safe to show: no script, no event handlers, no javascript: links."""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# What a lesson may use: text structure, links, pictures and tables; nothing that runs or embeds.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1024)
def _render(text: str) -> str:
    # The lesson title is the page's h1, so the text's own headings start one level below.
    html = markdown.markdown(
        text,
        extensions=["sane_lists", "tables", "toc"],
        extension_configs={"toc": {"baselevel": 2}},
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"}},
    )


def render_markdown(text: str) -> SafeString:
    """Markdown as sanitised HTML, ready for a template; the same text renders once per process."""
    # Safe because nh3 has already removed everything outside the allowed tags and schemes.
    return mark_safe(_render(text or ""))
