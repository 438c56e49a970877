from django.urls import path

from hocvuso.places import views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.area_detail, name="area_detail"),
    path("<str:code>/thon/", views.villages, name="villages"),
]
