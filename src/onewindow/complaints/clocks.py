"""The work order's second clock, sign-off (签收), mapped onto its own columns for the engine
(workflow.clock): the same start/stop/light/light_q/counts as the reply clock (`clock_*`)."""

from onewindow.workflow.clock import ClockFields

SIGN_CLOCK = ClockFields(
    started_on="sign_started_on", limit="sign_limit", unit="sign_unit", extension="sign_extension",
    paused_since="sign_paused_since", paused_days="sign_paused_days", due_on="sign_due_on",
    warn_on="sign_warn_on", late_on="sign_late_on", stopped_on="sign_stopped_on")
