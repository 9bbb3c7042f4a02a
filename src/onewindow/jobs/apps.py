from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "onewindow.jobs"
    label = "jobs"
    verbose_name = "日常检查与报表"
