"""The standard amenities and service kinds every union picks from (the managed lists start from these).

Rows are matched by code, so running this on a database that already has some of them changes nothing
there; names already in use by another code are left alone rather than clash with the unique name.
"""

from django.db import migrations

AMENITIES = [
    ("drinking_water", "饮用水"),
    ("microwave", "微波炉"),
    ("charging", "手机充电"),
    ("restroom", "卫生间"),
    ("seats", "休息座椅"),
    ("first_aid", "急救药箱"),
    ("wifi", "无线网络"),
    ("screen_film", "手机贴膜"),
    ("books", "图书"),
    ("aed", "AED"),
    ("shower", "淋浴"),
    ("air_conditioning", "空调"),
    ("hot_water", "热水"),
]

SERVICE_KINDS = [
    ("screen_film", "手机贴膜"),
    ("free_clinic", "义诊"),
    ("cooling_kit", "防暑降温包"),
    ("legal_advice", "法律咨询"),
    ("social_insurance_advice", "社保咨询"),
    ("vaccination", "疫苗接种"),
    ("anti_fraud", "反诈宣传"),
    ("haircut", "理发"),
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
