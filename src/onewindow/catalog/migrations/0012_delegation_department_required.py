# The department is set on every delegation (0011 filled the old ones): from now on it is required.
# A migration of its own: PostgreSQL cannot alter a table in the transaction that updated its rows.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0011_delegation_department_period'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delegation',
            name='department',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations', to='orgs.department', verbose_name='授权部门'),
        ),
    ]
