from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    """The generic action engine (state machines and action registries); it has no models."""

    name = "onewindow.workflow"
    label = "workflow"
    verbose_name = "办理动作引擎"
