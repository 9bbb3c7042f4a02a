from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "onewindow.calendar"
    label = "calendar"
    verbose_name = "工作日历"
