"""The content editor's pages, under /hoc/bien-tap/."""

from django.urls import path

from hocvuso.learning.views import editor

urlpatterns = [
    path("", editor.editor_home, name="editor_home"),
    path("don-vi/them/", editor.publisher_create, name="publisher_create"),
    path("khoa-hoc/them/", editor.course_create, name="course_create"),
    path("nhap-goi/", editor.course_import, name="course_import"),
    path("dung-chung/", editor.adoptions, name="adoptions"),
    path("dung-chung/<slug:slug>/", editor.course_adopt, name="course_adopt"),
    path("khoa-hoc/<slug:slug>/", editor.course_edit, name="course_edit"),
    path("khoa-hoc/<slug:slug>/them-bai/", editor.lesson_create, name="lesson_create"),
    path("khoa-hoc/<slug:slug>/xem-truoc/", editor.editor_preview, name="editor_preview"),
    path("khoa-hoc/<slug:slug>/xuat-ban/", editor.course_publish, name="course_publish"),
    path("khoa-hoc/<slug:slug>/luu-tru/", editor.course_archive, name="course_archive"),
    path("khoa-hoc/<slug:slug>/phien-ban/", editor.course_versions, name="course_versions"),
    path(
        "khoa-hoc/<slug:slug>/phien-ban/<int:number>/khoi-phuc/",
        editor.course_version_restore,
        name="course_version_restore",
    ),
    path("khoa-hoc/<slug:slug>/tai-goi/", editor.course_export, name="course_export"),
    path("bai/<int:lesson_id>/", editor.lesson_edit, name="lesson_edit"),
    path("bai/<int:lesson_id>/xoa/", editor.lesson_delete, name="lesson_delete"),
    path("bai/<int:lesson_id>/di-chuyen/", editor.lesson_move, name="lesson_move"),
    path("bai/<int:lesson_id>/ban-dich/", editor.lesson_translation, name="lesson_translation"),
    path("bai/<int:lesson_id>/ghi-am/", editor.lesson_audio_upload, name="lesson_audio_upload"),
    path(
        "bai/<int:lesson_id>/xem-truoc/", editor.editor_preview_lesson, name="editor_preview_lesson"
    ),
    path("bai/<int:lesson_id>/them-buoc/", editor.step_create, name="step_create"),
    path("bai/<int:lesson_id>/them-cau-hoi/", editor.question_create, name="question_create"),
    path("buoc/<int:step_id>/", editor.step_edit, name="step_edit"),
    path("buoc/<int:step_id>/xoa/", editor.step_delete, name="step_delete"),
    path("buoc/<int:step_id>/di-chuyen/", editor.step_move, name="step_move"),
    path("cau-hoi/<int:question_id>/", editor.question_edit, name="question_edit"),
    path("cau-hoi/<int:question_id>/xoa/", editor.question_delete, name="question_delete"),
    path("cau-hoi/<int:question_id>/di-chuyen/", editor.question_move, name="question_move"),
]
