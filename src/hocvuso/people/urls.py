from django.urls import path

from hocvuso.people import views

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
]
