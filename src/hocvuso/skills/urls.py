from django.urls import path

from hocvuso.skills import views

app_name = "skills"

urlpatterns = [
    path("khung/", views.frameworks, name="frameworks"),
    path("khung/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("ho-so/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("danh-gia/", views.assessment_home, name="assessment_home"),
    path("danh-gia/bat-dau/", views.assessment_start, name="assessment_start"),
    path("danh-gia/<int:pk>/", views.assessment, name="assessment"),
    path("danh-gia/<int:pk>/ket-qua/", views.assessment_result, name="assessment_result"),
    path("ket-qua/", views.my_results, name="my_results"),
    path("ho-tro/<int:resident_id>/", views.assist, name="assist"),
    path(
        "chung-nhan/<str:code>/<str:kind>/",
        views.certificate_download,
        name="certificate_download",
    ),
    path("xac-minh/", views.verify, name="verify"),
    path("xac-minh/<str:code>/", views.verify_code_page, name="verify_code"),
    path("bien-tap/do-phu/", views.coverage, name="coverage"),
    path("bien-tap/gan-noi-dung/", views.mapping, name="mapping"),
    path("bien-tap/gan-noi-dung/<int:pk>/xoa/", views.mapping_delete, name="mapping_delete"),
    path("quan-tri/chung-nhan/", views.certificates_admin, name="certificates_admin"),
]
