"""Demo help content: the starter FAQ and scam feed, and one open help request in Thôn Sài Lương.

Runs after the catalogue is installed (the request points at the VNeID activation lesson). Loading
twice changes nothing: the starter entries are keyed, and the demo request is looked up first.
"""

from django.db import transaction

from hocvuso.accounts.models import User
from hocvuso.assistant.models import HelpRequest
from hocvuso.assistant.services import create_help_request, install_starter_help
from hocvuso.learning.models import Lesson

DEMO_LEARNER = "demo.hocvien"
DEMO_QUESTION = (
    "Tôi đã làm mức 2 ở công an xã, có tin nhắn mã kích hoạt rồi nhưng nhập vào VNeID báo sai. "
    "Nhờ tổ đến hướng dẫn giúp."
)


@transaction.atomic
def load_demo_assistant() -> None:
    """Install the starter help content and the demo learner's help request."""
    install_starter_help()
    learner = User.objects.filter(username=DEMO_LEARNER).select_related("home_area").first()
    if learner is None or HelpRequest.objects.filter(learner=learner).exists():
        return
    lesson = Lesson.objects.filter(
        course__slug="vneid-dinh-danh-dien-tu-muc-2", title__startswith="Kích hoạt"
    ).first()
    create_help_request(question=DEMO_QUESTION, learner=learner, lesson=lesson)
