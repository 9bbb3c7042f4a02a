from .models import AuditEvent


def events_for(chain_key: str):
    """The events of one chain, oldest first."""
    return AuditEvent.objects.filter(chain__key=chain_key).select_related("actor").order_by("position")
