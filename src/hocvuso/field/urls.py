from django.urls import path

from hocvuso.field import offline, views

app_name = "field"
urlpatterns = [
    path("sw.js", offline.service_worker, name="service_worker"),
    path("ung-dung/", offline.app, name="app"),
    path("ung-dung/manifest.webmanifest", offline.manifest, name="manifest"),
    path("dai-su/", views.mentees, name="mentees"),
    path("kem-cap/<int:pk>/ket-thuc/", views.mentorship_end, name="mentorship_end"),
    path("thon/<str:code>/to/", views.team, name="team"),
    path("thon/<str:code>/to/cap-nhat/", views.team_edit, name="team_edit"),
    path("thon/<str:code>/tham-ho/", views.visit_new, name="visit_new"),
    path("thon/<str:code>/kem-cap/", views.mentorship_assign, name="mentorship_assign"),
    path("thon/<str:code>/cong-nhan/", views.recognitions, name="recognitions"),
    path("xa/<str:code>/mot-cua/", views.desk_visit_new, name="desk_visit_new"),
    path("xa/<str:code>/tieu-chi-cong-nhan/", views.recognition_rules, name="recognition_rules"),
    path("<str:code>/diem-hoc/", views.sites, name="sites"),
    path("<str:code>/diem-hoc/them/", views.site_new, name="site_new"),
    path("diem-hoc/<int:pk>/mo-lop/", views.class_new, name="class_new"),
    path("lop/<int:pk>/", views.class_detail, name="class_detail"),
    path("<str:code>/su-kien/", views.events, name="events"),
    path("<str:code>/su-kien/them/", views.event_new, name="event_new"),
]
