"""The learner's pages under /hoc/: catalogue, courses, lessons, checks, and "Nghe bài".

Courses live under khoa-hoc/ so that a course's slug never shadows bien-tap/ or tien-do/.
"""

from django.urls import path

from hocvuso.learning.views import audio, learner

LESSON = "khoa-hoc/<slug:slug>/bai/<int:lesson_id>/"
ATTEMPT = LESSON + "lan-lam/<int:number>/"

urlpatterns = [
    path("", learner.catalogue, name="catalogue"),
    path("cua-toi/", learner.my_courses, name="my_courses"),
    path("khoa-hoc/<slug:slug>/", learner.course, name="course"),
    path("khoa-hoc/<slug:slug>/dang-ky/", learner.enroll_course, name="enroll"),
    path("khoa-hoc/<slug:slug>/hoc-tiep/", learner.continue_course, name="continue"),
    path(LESSON, learner.lesson, name="lesson"),
    path(LESSON + "hoan-thanh/", learner.lesson_complete, name="lesson_complete"),
    path(LESSON + "buoc/", learner.lesson_step, name="lesson_step"),
    path(LESSON + "lam-bai/", learner.check_start, name="check_start"),
    path(ATTEMPT, learner.attempt, name="attempt"),
    path(ATTEMPT + "tra-loi/", learner.attempt_answer, name="attempt_answer"),
    path(ATTEMPT + "nop-bai/", learner.attempt_submit, name="attempt_submit"),
    path(ATTEMPT + "ket-qua/", learner.attempt_result, name="attempt_result"),
    path("bai/<int:lesson_id>/nghe/", audio.lesson_audio, name="lesson_audio"),
]
