"""目录草稿: the catalog manager's review queue. The drafts an import could not complete (a provincial
export has no condition for a conditional material, no reason for a visit, sometimes no limits or
kind), filtered by department and by what they lack, a page at a time; a draft opens on a form with
what is commonly missing, is saved as it goes (still a draft, its gaps recomputed) and published once
complete: catalog.services.publish_draft checks every rule and announces the item (新增) as any
published item is. Administrators only (they maintain the catalog); to anyone else the pages are 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onewindow.catalog import review
from onewindow.catalog import services as catalog_services
from onewindow.catalog.itemdata import CHANNELS, item_to_data
from onewindow.catalog.models import GapKind, ItemKind, LimitUnit, OnlineDepth
from onewindow.core.errors import DomainError, NotFound
from onewindow.orgs.models import Role

from .common import page, querystring, roles, staff_required

CHANNEL_LABELS = {"window": gettext_lazy("窗口办理"), "online": gettext_lazy("网上办理"),
                  "post": gettext_lazy("快递申请"), "self_service": gettext_lazy("自助办理")}
PUBLISH_REASON = gettext_lazy("经目录管理员审核补充，新增公布")


def _manager_only(request) -> None:
    if Role.ADMINISTRATOR not in roles(request.user):
        raise Http404


class DraftForm(forms.Form):
    """What a draft commonly lacks, with its materials' conditions and its stages' limits; the rest of
    the item is kept as it is (and edited in the catalog administration when needed)."""

    kind = forms.ChoiceField(label=gettext_lazy("事项类型"), required=False,
                             choices=[("", "—")] + list(ItemKind.choices))
    is_immediate = forms.TypedChoiceField(
        label=gettext_lazy("办件类型"), coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("承诺件")), ("1", gettext_lazy("即办件"))], widget=forms.RadioSelect)
    legal_limit_days = forms.IntegerField(label=gettext_lazy("法定办结时限"), required=False, min_value=0, max_value=3650)
    committed_limit_days = forms.IntegerField(label=gettext_lazy("承诺办结时限"), required=False, min_value=0,
                                              max_value=3650)
    limit_unit = forms.ChoiceField(label=gettext_lazy("时限单位"), choices=LimitUnit.choices, widget=forms.RadioSelect)
    max_visits = forms.IntegerField(label=gettext_lazy("到办事现场次数"), min_value=0, max_value=20)
    visit_reason = forms.CharField(label=gettext_lazy("需到现场的理由"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    channels = forms.MultipleChoiceField(label=gettext_lazy("办理渠道"), required=False,
                                         choices=list(CHANNEL_LABELS.items()), widget=forms.CheckboxSelectMultiple)
    offers_post_delivery = forms.BooleanField(label=gettext_lazy("结果可邮寄送达"), required=False)
    online_depth = forms.TypedChoiceField(label=gettext_lazy("网办深度"), coerce=int, choices=OnlineDepth.choices)
    legal_basis = forms.CharField(label=gettext_lazy("设定依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("发布理由（随公告公开）"), max_length=500, initial=PUBLISH_REASON)

    def __init__(self, *args, item, **kwargs):
        self.item = item
        self.data_before = item_to_data(item)
        initial = {name: self.data_before[name] for name in (
            "kind", "legal_limit_days", "committed_limit_days", "limit_unit", "max_visits", "visit_reason",
            "channels", "offers_post_delivery", "online_depth", "legal_basis")}
        initial["is_immediate"] = "1" if self.data_before["is_immediate"] else "0"
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.material_rows, self.stage_rows = [], []
        for i, material in enumerate(self.data_before["materials"]):
            required, condition = f"material_{i}_required", f"material_{i}_condition"
            self.fields[required] = forms.BooleanField(label=gettext_lazy("必要"), required=False,
                                                       initial=material["required"])
            self.fields[condition] = forms.CharField(label=gettext_lazy("适用情形"), required=False, max_length=300,
                                                     initial=material["condition"])
            self.material_rows.append((material["name"], self[required], self[condition]))
        for i, stage in enumerate(self.data_before["stages"]):
            limit = f"stage_{i}_limit"
            self.fields[limit] = forms.IntegerField(label=gettext_lazy("环节时限"), min_value=0, max_value=3650,
                                                    initial=stage["limit_days"])
            self.stage_rows.append((stage, self[limit]))

    def main_fields(self):
        skip = {name for name in self.fields if name.startswith(("material_", "stage_"))} | {"reason"}
        return [self[name] for name in self.fields if name not in skip]

    def item_data(self) -> dict:
        """The changes as catalog data (catalog.itemdata shape) for catalog.services."""
        data = {name: self.cleaned_data[name] for name in (
            "kind", "is_immediate", "legal_limit_days", "committed_limit_days", "limit_unit", "max_visits",
            "visit_reason", "channels", "offers_post_delivery", "online_depth", "legal_basis")}
        data["channels"] = [c for c in CHANNELS if c in data["channels"]]
        data["materials"] = [
            {**m, "required": self.cleaned_data[f"material_{i}_required"],
             "condition": "" if self.cleaned_data[f"material_{i}_required"]
             else self.cleaned_data[f"material_{i}_condition"].strip()}
            for i, m in enumerate(self.data_before["materials"])]
        data["stages"] = [{**s, "limit_days": self.cleaned_data[f"stage_{i}_limit"]}
                          for i, s in enumerate(self.data_before["stages"])]
        return data

    def show_problems(self, problems) -> None:
        """Each problem beside its field: `materials[2].condition` on material 2's condition."""
        for problem in problems:
            name = problem.field
            if name.startswith("materials["):
                index, _dot, rest = name[len("materials["):].partition("]")
                name = f"material_{index}_{rest.lstrip('.') or 'condition'}"
            elif name.startswith("stages["):
                name = f"stage_{name[len('stages['):].partition(']')[0]}_limit"
            self.add_error(name if name in self.fields else None, problem.message)


@staff_required
@require_http_methods(["GET"])
def drafts(request):
    _manager_only(request)
    department = request.GET.get("department", "").strip()[:32]
    gap = request.GET.get("gap", "").strip()
    gap = gap if gap in GapKind.values else ""
    query = request.GET.get("q", "").strip()[:100]
    page_obj = page(request, review.drafts(department_code=department, gap=gap, query=query))
    return render(request, "workbench/catalog_drafts.html", {
        "page_obj": page_obj, "gap_counts": review.gap_counts(), "departments": review.draft_departments(),
        "department": department, "gap": gap, "q": query,
        "querystring": querystring({"department": department, "gap": gap, "q": query}),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def draft_detail(request, code: str):
    _manager_only(request)
    try:
        item = review.get_draft(code)
    except NotFound:
        raise Http404 from None
    form = DraftForm(request.POST or None, item=item)
    status = 200
    if request.method == "POST":
        status = 400
        publish = "publish" in request.POST
        if form.is_valid():
            try:
                if publish:
                    catalog_services.publish_draft(item=item, data=form.item_data(), actor=request.user,
                                                   reason=form.cleaned_data["reason"])
                else:
                    item = catalog_services.update_item(item=item, data=form.item_data(), actor=request.user,
                                                        reason=form.cleaned_data["reason"])
            except catalog_services.ItemInvalid as exc:
                form.show_problems(exc.problems)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if publish:
                    messages.success(request, _("已发布“%(n)s”，并已公告（新增）") % {"n": item.name})
                    return redirect("workbench:catalog_drafts")
                messages.success(request, _("草稿已保存"))
                return redirect("workbench:catalog_draft", code=item.code)
    return render(request, "workbench/catalog_draft.html", {"item": item, "form": form}, status=status)
