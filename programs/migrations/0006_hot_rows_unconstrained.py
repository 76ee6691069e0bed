"""A program sign-up's commit checks no foreign key on the rows every sign-up shares: the program (its
session's is kept) and, for the outbox, the registration just written (see the models)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0005_waitlist_counter'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pendingnotice',
            name='registration',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programs.registration'),
        ),
        migrations.AlterField(
            model_name='registration',
            name='program',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='registrations', to='programs.program', verbose_name='活动'),
        ),
    ]
