from django.urls import path

from hocvuso.places import views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.area_detail, name="area_detail"),
    path("<str:code>/thon/", views.villages, name="villages"),
    path("<str:code>/thon/them/", views.village_create, name="village_create"),
    path("<str:code>/thon/nhap/", views.village_import, name="village_import"),
    path("<str:code>/thon/mau-nhap.xlsx", views.village_template, name="village_template"),
    path("<str:code>/doi-ten/", views.village_rename, name="village_rename"),
    path("<str:code>/sap-nhap/", views.village_merge, name="village_merge"),
    path("<str:code>/chuyen-xa/", views.village_move, name="village_move"),
    path("<str:code>/lich-su/", views.village_history, name="village_history"),
]
