"""A stored score is never updated: a trigger refuses any UPDATE of appraisal_score, whoever runs it
(the model refuses too; this holds for raw SQL and queryset.update() as well). Deleting is left to
the PROTECT of the period's key and the model, so that test databases can still be flushed."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("""
            CREATE FUNCTION appraisal_score_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'appraisal scores of a closed period never change'; END $$;
            CREATE TRIGGER appraisal_score_frozen BEFORE UPDATE ON appraisal_score
                FOR EACH ROW EXECUTE FUNCTION appraisal_score_frozen();""")
    else:
        schema_editor.execute("""
            CREATE TRIGGER appraisal_score_frozen BEFORE UPDATE ON appraisal_score
            BEGIN SELECT RAISE(ABORT, 'appraisal scores of a closed period never change'); END;""")


def backwards(apps, schema_editor):
    schema_editor.execute("DROP TRIGGER IF EXISTS appraisal_score_frozen"
                          + (" ON appraisal_score" if schema_editor.connection.vendor == "postgresql" else ""))
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS appraisal_score_frozen()")


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0001_periods_weights_scores")]
    operations = [migrations.RunPython(forwards, backwards)]
