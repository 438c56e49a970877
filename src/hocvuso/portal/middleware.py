"""Vietnamese first: the interface language comes from the visitor's own choice, never the browser's."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    """Activate the language picked with the switch (its cookie), else Vietnamese.

    Django's LocaleMiddleware would follow Accept-Language, and many phones in Vietnam are set up in
    English: their owners would land on the English interface without having asked for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response
