from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "onewindow.projects"
    label = "projects"
    verbose_name = "工程建设项目"
