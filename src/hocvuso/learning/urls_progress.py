"""Progress of an area's learners, for the team, its ambassadors and the officers above it."""

from django.urls import path

from hocvuso.learning.views import progress

urlpatterns = [
    path("<str:code>/", progress.team_progress, name="team_progress"),
    path("<str:code>/bai/<int:lesson_id>/", progress.lesson_progress, name="lesson_progress"),
]
