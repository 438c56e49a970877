"""Learning pages under /hoc/: the learner's catalogue and lessons, the editor, and progress."""

from django.urls import include, path

app_name = "learning"
urlpatterns = [
    path("", include("hocvuso.learning.urls_learner")),
    path("bien-tap/", include("hocvuso.learning.urls_editor")),
    path("tien-do/", include("hocvuso.learning.urls_progress")),
]
