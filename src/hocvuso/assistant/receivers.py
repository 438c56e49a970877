"""Keep the search index fresh: any change to the material, the FAQ or the scam feed marks it stale."""

from django.db.models.signals import post_delete, post_save

from hocvuso.assistant.index import bump_content_version
from hocvuso.assistant.models import Faq, ScamPattern
from hocvuso.learning.models import Course, Lesson, Step


def material_changed(sender, **kwargs) -> None:
    bump_content_version()


for _model in (Course, Lesson, Step, Faq, ScamPattern):
    post_save.connect(material_changed, sender=_model, dispatch_uid=f"assistant-{_model.__name__}")
    post_delete.connect(
        material_changed, sender=_model, dispatch_uid=f"assistant-del-{_model.__name__}"
    )
