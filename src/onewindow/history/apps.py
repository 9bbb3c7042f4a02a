from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "onewindow.history"
    label = "history"
    verbose_name = "样例办件"
