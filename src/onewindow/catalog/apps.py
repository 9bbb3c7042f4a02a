from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    label = "catalog"
    verbose_name = "事项目录"

    def ready(self):
        # Connects the published-catalog version to every write of a row the public pages show, in every
        # process (a CLI import too), not only in those that happened to import the selectors.
        from . import selectors  # noqa: F401
