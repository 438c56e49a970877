"""{% listening_languages lesson language as pairs %}: the (code, name) pairs "Nghe bài" offers."""

from django import template

from hocvuso.learning.models import CONTENT_LANGUAGES
from hocvuso.learning.services.audio import listening_languages as _listening_languages

register = template.Library()
_NAMES = dict(CONTENT_LANGUAGES)


@register.simple_tag
def listening_languages(lesson, language) -> list[tuple[str, str]]:
    return [(code, _NAMES[code]) for code in _listening_languages(lesson, language or "")]
