"""Ratings in the administration: records to read (a rating is never changed; rectifications act through
the workbench's pages and the action registry), and the yearly surveys with their questions."""

from __future__ import annotations

from django.contrib import admin

from .models import Rating, Rectification, Survey, SurveyProblem, SurveyQuestion


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["subject_label", "subject_kind", "level", "department", "window", "source", "rated_at", "counted"]
    list_filter = ["subject_kind", "level", "source", "counted", "mode"]
    list_select_related = ["department", "window__centre"]
    search_fields = ["subject_label"]
    date_hierarchy = "rated_on"


@admin.register(Rectification)
class RectificationAdmin(ReadOnly):
    list_display = ["rating", "department", "centre", "state", "clock_due_on", "clock_stopped_on"]
    list_filter = ["state"]
    list_select_related = ["rating", "department", "centre"]


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "starts_on", "ends_on"]
    inlines = [SurveyQuestionInline]
    filter_horizontal = ["departments"]
    readonly_fields = ["code", "created_by", "created_at"]


@admin.register(SurveyProblem)
class SurveyProblemAdmin(ReadOnly):
    list_display = ["description", "department", "owner", "state", "clock_due_on"]
    list_filter = ["state", "survey"]
