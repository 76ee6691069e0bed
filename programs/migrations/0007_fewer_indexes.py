"""Registrations and their outbox keep only the indexes something reads: every sign-up wrote eleven
index entries where six find what is asked of them (the session's and the person's own indexes
repeated the first column of the queue's and the person's; a ticket code's LIKE index served no
query; offers to expire, who signed someone up and who checked them in are few rows, so their
indexes are partial; the outbox is near empty)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0008_text_bounds"),
        ("programs", "0006_hot_rows_unconstrained"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registration",
            name="programs_reg_offers",
        ),
        migrations.AlterField(
            model_name="pendingnotice",
            name="registration",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programs.registration",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="checked_in_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="check_ins",
                to=settings.AUTH_USER_MODEL,
                verbose_name="签到人",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="registrations_made",
                to=settings.AUTH_USER_MODEL,
                verbose_name="代报名人",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="registrations",
                to="members.person",
                verbose_name="职工",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="session",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="registrations",
                to="programs.session",
                verbose_name="场次",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="ticket_code",
            field=models.CharField(blank=True, editable=False, max_length=12, null=True, verbose_name="票号"),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("status", "offered")),
                fields=["offer_expires_at"],
                name="programs_reg_offers",
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="programs_reg_made_by",
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                condition=models.Q(("checked_in_by__isnull", False)),
                fields=["checked_in_by"],
                name="programs_reg_checked_in_by",
            ),
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ticket_code__isnull", False)),
                fields=("ticket_code",),
                name="programs_reg_ticket_code",
            ),
        ),
    ]
