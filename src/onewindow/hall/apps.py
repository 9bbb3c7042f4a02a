from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "onewindow.hall"
    label = "hall"
    verbose_name = "大厅：预约与排队叫号"
