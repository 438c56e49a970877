from django.urls import path

from hocvuso.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("cong-khai/", views.public_board, name="public"),
    path("cong-khai/<str:code>/", views.public_board, name="public_area"),
    path("bao-cao/<int:pk>/", views.report_status, name="report_status"),
    path("bao-cao/<int:pk>/tai/<str:fmt>/", views.report_download, name="report_download"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/to/", views.team_dashboard, name="team"),
    path("<str:code>/xep-hang/", views.ranking, name="ranking"),
    path("<str:code>/chi-tieu/", views.targets, name="targets"),
    path("<str:code>/chi-so-bao-cao/", views.custom_reports, name="custom_reports"),
    path("<str:code>/chat-luong/", views.quality, name="quality"),
    path("<str:code>/bao-cao/", views.reports, name="reports"),
    path("<str:code>/khen-thuong/", views.commendations, name="commendations"),
]
