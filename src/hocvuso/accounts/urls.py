from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from hocvuso.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("dang-ky-ho/", views.register_assisted, name="register_assisted"),
    path("dang-ky-ho/<int:pk>/", views.register_assisted_done, name="register_assisted_done"),
]
