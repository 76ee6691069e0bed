"""The message log's indexes: a person's messages by (user, time), which made the user's own index
a repeat; the phone's hash only where there is one (an in-site message has none) and without the
LIKE index no query used: each logged message wrote five index entries, now two or three."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_fewer_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='phone_hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='手机号摘要'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='接收用户'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('phone_hash', ''), _negated=True), fields=['phone_hash'], name='core_notification_phone'),
        ),
    ]
