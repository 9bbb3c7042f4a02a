"""The work order's transition table (GB/T 33358-2016 in spirit: register → dispatch → sign-off or
return → handle → reply → rating or follow-up call → archive; an unsatisfied complainant reopens it
once). The services ask it through `ORDER_MACHINE.target` / `require`; the registry (actions.py) builds
every page's buttons from it."""

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import Machine, transition

from .models import OrderState as S

ORDER_MACHINE = Machine("work_order", states=S, transitions={
    "dispatch": transition([S.REGISTERED, S.RETURNED], S.DISPATCHED, _("派单"), "dispatched"),
    "sign": transition([S.DISPATCHED], S.HANDLING, _("签收"), "signed"),
    "return": transition([S.DISPATCHED], S.RETURNED, _("退单"), "returned"),
    "reply": transition([S.HANDLING], S.REPLIED, _("答复"), "replied"),
    # The rating leads to closed, or back to handling for the one second handling: the service decides.
    "rate": transition([S.REPLIED], None, _("评价答复"), "rated"),
    "follow_up": transition([S.REPLIED], None, _("登记回访结果"), "rated"),
    "close": transition([S.REGISTERED, S.REPLIED], S.CLOSED, _("办结归档"), "closed"),
})

OPEN_STATES = (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.HANDLING, S.REPLIED)
# While the unit holds the order (its reply clock runs): the states the unit's queue lists.
UNIT_STATES = (S.DISPATCHED, S.HANDLING)
