"""core.notify: messages logged together (one insert at the block's end) are the rows logged one by one."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core import notify, pii
from core.models import Notification

FIELDS = ["channel", "user_id", "phone_hash", "phone_mask", "subject", "body", "status", "error", "read_at"]


def _send_both(user, kind: str, phone: str) -> None:
    notify.send_sms(phone, "您已报名「插花课」", kind=kind, user=user)
    notify.send_site_message(user, "报名成功", "您已报名「插花课」", kind=kind)


def _rows(kind: str) -> list:
    return list(Notification.objects.filter(kind=kind).order_by("channel").values_list(*FIELDS))


def test_messages_logged_together_are_the_rows_logged_one_by_one(db):
    user = get_user_model().objects.create_user("w-together", is_worker=True)
    phone = "13800138000"
    _send_both(user, "one.by.one", phone)
    with transaction.atomic(), notify.logged_together():
        _send_both(user, "together", phone)
        assert not Notification.objects.filter(kind="together").exists()  # written at the block's end
    assert _rows("together") == _rows("one.by.one")
    sms = Notification.objects.get(kind="together", channel="sms")
    assert (sms.status, sms.phone_mask) == ("sent", "138****8000")
    assert sms.phone_hash == pii.lookup_hash("phone", phone)
    assert sms.sent_at is not None and sms.user == user


def test_a_logged_message_is_named_by_its_local_time(db):
    import datetime
    from zoneinfo import ZoneInfo

    sent = datetime.datetime(2026, 12, 3, 8, 5, tzinfo=ZoneInfo("Asia/Shanghai"))  # 00:05 in UTC
    notify.send_sms("13800138000", "您已报名「插花课」", kind="local.time")
    Notification.objects.filter(kind="local.time").update(sent_at=sent)
    assert str(Notification.objects.get(kind="local.time")).endswith("local.time 2026-12-03 08:05")
