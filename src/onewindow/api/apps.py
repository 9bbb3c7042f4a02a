from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "onewindow.api"
    label = "api"
    verbose_name = "API"
