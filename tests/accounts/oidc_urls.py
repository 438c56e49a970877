"""The site's URLs with the OpenID Connect routes mounted, as config/urls.py does when enabled."""

from django.urls import include, path

from hocvuso.config.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
