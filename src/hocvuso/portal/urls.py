from django.urls import path

from hocvuso.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("xa/<str:code>/", views.commune, name="commune"),
    path("xa/<str:code>/tin/moi/", views.article_create, name="article_create"),
    path("xa/<str:code>/tin/<int:pk>/", views.article, name="article"),
    path("xa/<str:code>/tin/<int:pk>/sua/", views.article_edit, name="article_edit"),
]
