from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "onewindow.appraisal"
    label = "appraisal"
    verbose_name = "绩效考评"
