"""Recompute the stored search fields: they now hold the result's pinyin as well as the name's."""

from django.db import migrations


def recompute(apps, schema_editor):
    from onewindow.catalog.text import item_search_fields

    Item = apps.get_model("catalog", "Item")
    for item in Item.objects.only("id", "name", "result_name").iterator():
        pinyin, initials = item_search_fields(item.name, item.result_name)
        Item.objects.filter(pk=item.pk).update(search_pinyin=pinyin, search_initials=initials)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_item_consistency_constraints")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
