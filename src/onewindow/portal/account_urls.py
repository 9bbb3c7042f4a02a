"""The applicant's account: sign-in, sign-out, registration (portal/account_views.py)."""

from django.urls import path

from . import account_views as views

app_name = "portal_account"
urlpatterns = [
    path("login/", views.ApplicantLoginView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.confirm, name="confirm"),
    path("register/resend/", views.resend, name="resend"),
]
