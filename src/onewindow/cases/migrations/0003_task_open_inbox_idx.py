"""A department's inbox: its open tasks (open or suspended), oldest due first. A partial index in
exactly the inbox's order (department, due_on, id) lets the first page be read in index order and stop
after one page, and the page count be an index-only count of the department's open tasks, whatever
the number of finished tasks in the table. (The older task_inbox_idx still serves the other tabs.)"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_certificate_counter_decided_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(state__in=["open", "suspended"]),
                fields=["department", "due_on", "id"],
                name="task_open_inbox_idx",
            ),
        ),
    ]
