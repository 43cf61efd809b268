from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/code/", views.login_code, name="login_code"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("account/security/", views.account_security, name="account_security"),
    path(
        "account/security/disable/",
        views.account_security_disable,
        name="account_security_disable",
    ),
    # Single sign-on (named as mozilla-django-oidc reverses them).
    path("sso/start/", oidc.SsoStart.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", oidc.SsoCallback.as_view(), name="oidc_authentication_callback"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
