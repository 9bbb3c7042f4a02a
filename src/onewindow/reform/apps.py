from django.apps import AppConfig


class ReformConfig(AppConfig):
    name = "onewindow.reform"
    label = "reform"
    verbose_name = "改革成效"
