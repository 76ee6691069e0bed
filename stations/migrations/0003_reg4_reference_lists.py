"""The standard amenities and service kinds every union picks from (the managed lists start from these).

Rows are matched by code, so running this on a database that already has some of them changes nothing
there; names already in use by another code are left alone rather than clash with the unique name.
The names are marked for translation (gettext_noop: stored in Chinese, shown in the page's language by
the models' __str__); a name an official adds or renames is shown as typed.
"""

from django.db import migrations
from django.utils.translation import gettext_noop

AMENITIES = [
    ("drinking_water", gettext_noop("饮用水")),
    ("microwave", gettext_noop("微波炉")),
    ("charging", gettext_noop("手机充电")),
    ("restroom", gettext_noop("卫生间")),
    ("seats", gettext_noop("休息座椅")),
    ("first_aid", gettext_noop("急救药箱")),
    ("wifi", gettext_noop("无线网络")),
    ("screen_film", gettext_noop("手机贴膜")),
    ("books", gettext_noop("图书")),
    ("aed", "AED"),  # the same in every language
    ("shower", gettext_noop("淋浴")),
    ("air_conditioning", gettext_noop("空调")),
    ("hot_water", gettext_noop("热水")),
]

SERVICE_KINDS = [
    ("screen_film", gettext_noop("手机贴膜")),
    ("free_clinic", gettext_noop("义诊")),
    ("cooling_kit", gettext_noop("防暑降温包")),
    ("legal_advice", gettext_noop("法律咨询")),
    ("social_insurance_advice", gettext_noop("社保咨询")),
    ("vaccination", gettext_noop("疫苗接种")),
    ("anti_fraud", gettext_noop("反诈宣传")),
    ("haircut", gettext_noop("理发")),
]


def _seed(model, rows):
    for order, (code, name) in enumerate(rows, 1):
        if model.objects.filter(code=code).exists() or model.objects.filter(name=name).exists():
            continue
        model.objects.create(code=code, name=name, order=order * 10, active=True)


def seed(apps, schema_editor):
    _seed(apps.get_model("stations", "Amenity"), AMENITIES)
    _seed(apps.get_model("stations", "ServiceKind"), SERVICE_KINDS)


def unseed(apps, schema_editor):
    # Only rows nothing refers to: a station's amenity or a recorded service keeps its row.
    Amenity = apps.get_model("stations", "Amenity")
    ServiceKind = apps.get_model("stations", "ServiceKind")
    Amenity.objects.filter(code__in=[c for c, _n in AMENITIES], stations__isnull=True).delete()
    ServiceKind.objects.filter(code__in=[c for c, _n in SERVICE_KINDS], records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_registry_standard_visits_coverage")]

    operations = [migrations.RunPython(seed, unseed)]
