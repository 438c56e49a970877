from django.urls import path

from hocvuso.people import views, views_rights

app_name = "people"
urlpatterns = [
    path("thon/<str:code>/", views.village, name="village"),
    path("thon/<str:code>/them-ho/", views.household_create, name="household_create"),
    path("thon/<str:code>/them-nguoi/", views.resident_create, name="resident_create"),
    path("ho/<int:pk>/", views.household, name="household"),
    path("nguoi/<int:pk>/", views.resident, name="resident"),
    path("nguoi/<int:pk>/sua/", views.resident_edit, name="resident_edit"),
    path("nguoi/<int:pk>/dong-y/", views.consent_record, name="consent_record"),
    path("nguoi/<int:pk>/moc/", views.milestone_record, name="milestone_record"),
    path("dong-y/<int:pk>/rut/", views.consent_withdraw, name="consent_withdraw"),
    path("nhap/<str:code>/", views.import_page, name="import"),
    path("nhap/<str:code>/mau.xlsx", views.import_template, name="import_template"),
    path("nhat-ky/<str:code>/", views_rights.access_log_page, name="access_log"),
    path("nguoi/<int:pk>/quyen/", views_rights.resident_rights, name="resident_rights"),
    path(
        "nguoi/<int:pk>/xuat.json",
        views_rights.resident_export,
        {"fmt": "json"},
        name="resident_export_json",
    ),
    path(
        "nguoi/<int:pk>/xuat.xlsx",
        views_rights.resident_export,
        {"fmt": "xlsx"},
        name="resident_export_xlsx",
    ),
    path("nguoi/<int:pk>/xoa/", views_rights.resident_erase, name="resident_erase"),
    path("du-lieu-cua-toi/", views_rights.my_data, name="my_data"),
    path(
        "du-lieu-cua-toi/xuat.json",
        views_rights.my_data_export,
        {"fmt": "json"},
        name="my_data_json",
    ),
    path(
        "du-lieu-cua-toi/xuat.xlsx",
        views_rights.my_data_export,
        {"fmt": "xlsx"},
        name="my_data_xlsx",
    ),
    path(
        "du-lieu-cua-toi/dong-y/<int:pk>/rut/",
        views_rights.my_consent_withdraw,
        name="my_consent_withdraw",
    ),
]
