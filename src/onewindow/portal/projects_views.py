"""The public progress of a project (工程建设项目进度), for the builder and anyone they give the code to:
the project's number and query code (a wrong code reads like an unknown number), its stages in order
with their dates and lights, the commitment and the days used, the SVG timeline. No names of staff, no
case numbers beyond the items."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onewindow.core.errors import NotFound
from onewindow.core.throttle import throttle
from onewindow.projects import selectors
from onewindow.projects.timeline import timeline_svg

NOT_FOUND = _("没有找到该项目，请核对项目编号和查询码。")


class ProjectTrackForm(forms.Form):
    code = forms.CharField(label=_("项目编号"), max_length=40,
                           widget=forms.TextInput(attrs={"placeholder": "XM-2026-001", "autocomplete": "off"}))
    query_code = forms.CharField(label=_("查询码"), max_length=12, widget=forms.TextInput(attrs={"autocomplete": "off"}))


@throttle("progress", params=("code",))
@require_GET
def progress(request):
    form = ProjectTrackForm(request.GET or None)
    context: dict = {"form": form}
    if form.is_bound and form.is_valid():
        try:
            project = selectors.get_by_query(form.cleaned_data["code"], form.cleaned_data["query_code"])
        except NotFound:
            context["not_found"] = str(NOT_FOUND)
        else:
            view = selectors.view(project, today=timezone.localdate())
            context.update({"project": project, "view": view, "timeline": timeline_svg(view)})
    return render(request, "portal/projects/progress.html", context, status=404 if "not_found" in context else 200)
