"""Help pages under /tro-giup/."""

from django.urls import path

from hocvuso.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.assistant, name="ask"),
    path("tim-kiem/", views.search_page, name="search"),
    path("kiem-tra-tin-nhan/", views.check_message_page, name="check_message"),
    path("hoi-dap/", views.faq, name="faq"),
    path("canh-bao-lua-dao/", views.scams, name="scams"),
    path("can-nguoi-huong-dan/", views.help_request_new, name="help_request_new"),
    path("yeu-cau/<str:code>/", views.help_requests, name="help_requests"),
    path("yeu-cau-ho-tro/<int:pk>/", views.help_request_detail, name="help_request_detail"),
    path("bien-tap/", views.staff, name="staff"),
    path("bien-tap/hoi-dap/them/", views.faq_create, name="faq_create"),
    path("bien-tap/hoi-dap/<int:pk>/", views.faq_edit, name="faq_edit"),
    path("bien-tap/canh-bao/them/", views.scam_create, name="scam_create"),
    path("bien-tap/canh-bao/<int:pk>/", views.scam_edit, name="scam_edit"),
]
