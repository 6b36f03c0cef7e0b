from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("cas/", include("cas_server.urls", namespace="cas_server")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
]
