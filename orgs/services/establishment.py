"""Establishing a union: preparation → election → approval, each step recorded, with its documents.

The union is in the tree from the start, as "preparing"; approval makes it active and makes it the
covering union of every employer it was set up for, in the same transaction, so coverage counts it at once.
"""

import datetime
import os
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import EARLIEST_DAY, past_day_problem
from core.history import record_action
from core.logging import redact
from core.scoping import ADD, CHANGE, check_write

from ..choices import EstablishmentStage, UnionStatus
from ..models import Establishment, EstablishmentDocument, Union

Stage = EstablishmentStage
# stage -> the stage `advance` moves it to, and the date field it sets
NEXT = {Stage.PREPARATION: (Stage.ELECTION, "election_on"), Stage.ELECTION: (Stage.APPROVAL, None)}
# Each kind's first bytes: the content must be what the name says (it is served with the name's type).
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # OOXML and OFD are zips; Word and Excel 97 OLE files
DOCUMENT_TYPES = {
    ".pdf": (b"%PDF-",),
    ".ofd": (_ZIP,),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (_OLE,),
    ".docx": (_ZIP,),
    ".xls": (_OLE,),
    ".xlsx": (_ZIP,),
}
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def start(
    *,
    union: Union,
    by,
    employers=(),
    responsible=None,
    preparation_on: datetime.date,
    note: str = "",
) -> Establishment:
    """Put the new union in the tree as "preparing" and open its establishment."""
    problem = past_day_problem(preparation_on, EARLIEST_DAY)
    if problem:
        raise ValidationError(_("筹备开始日期：%(problem)s") % {"problem": problem})
    union.status = UnionStatus.PREPARING
    union.established_on = None
    union.full_clean()
    union.save()
    establishment = Establishment.objects.create(
        union=union, responsible=responsible, preparation_on=preparation_on, note=note
    )
    employers = list(employers)
    establishment.employers.set(employers)
    check_write(by, ADD, union)
    check_write(by, ADD, establishment)
    record_action(
        establishment,
        _("启动筹备"),
        data={"on": preparation_on, "employers": sorted(e.pk for e in employers)},
    )
    return establishment


def _locked(establishment: Establishment) -> Establishment:
    # Two officials clicking at once: the second sees the step already taken.
    return Establishment.objects.select_for_update().select_related("union").get(pk=establishment.pk)


@transaction.atomic
def advance(establishment: Establishment, on: datetime.date, by, note: str = "") -> Establishment:
    """Preparation → election (held on `on`), election → approval (submitted on `on`)."""
    establishment = _locked(establishment)
    if establishment.stage not in NEXT:
        raise ValidationError(
            _("当前阶段（%(stage)s）不能进入下一步") % {"stage": establishment.get_stage_display()}
        )
    last = establishment.election_on or establishment.preparation_on
    problem = past_day_problem(on, last or EARLIEST_DAY)
    if problem:
        raise ValidationError(problem)
    stage, field = NEXT[establishment.stage]
    establishment.stage = stage
    if field:
        setattr(establishment, field, on)
    establishment.save()
    check_write(by, CHANGE, establishment)
    verb = {Stage.ELECTION: _("召开选举大会"), Stage.APPROVAL: _("报请批复")}[stage]
    record_action(establishment, verb, note=note, data={"stage": stage, "on": on})
    return establishment


@transaction.atomic
def approve(
    establishment: Establishment, on: datetime.date, reference: str, by, note: str = ""
) -> Establishment:
    """The higher union's approval: the union becomes active and covers its employers from `on`."""
    establishment = _locked(establishment)
    if establishment.stage != Stage.APPROVAL:
        raise ValidationError(_("须先完成选举并报请批复，才能批复建会"))
    problem = past_day_problem(on, establishment.election_on or EARLIEST_DAY)
    if problem:
        raise ValidationError(_("批复日期：%(problem)s") % {"problem": problem})
    establishment.stage = Stage.ESTABLISHED
    establishment.approved_on = on
    establishment.approval_reference = reference
    establishment.save()
    union = establishment.union
    union.status = UnionStatus.ACTIVE
    union.established_on = on
    union.save()
    covered = list(establishment.employers.all())
    for employer in covered:
        employer.union = union
        employer.save(update_fields=["union", "updated_at"])
    check_write(by, CHANGE, establishment)
    record_action(
        establishment,
        _("批复建会"),
        note=note,
        data={"on": on, "reference": reference, "employers": sorted(e.pk for e in covered)},
    )
    return establishment


@transaction.atomic
def abandon(establishment: Establishment, on: datetime.date, reason: str, by) -> Establishment:
    """Stop a founding that will not happen; the preparing union leaves the active tree as dissolved."""
    establishment = _locked(establishment)
    if establishment.stage in (Stage.ESTABLISHED, Stage.ABANDONED):
        raise ValidationError(
            _("当前阶段（%(stage)s）不能终止") % {"stage": establishment.get_stage_display()}
        )
    if not reason.strip():
        raise ValidationError(_("请填写终止原因"))
    establishment.stage = Stage.ABANDONED
    establishment.save()
    union = establishment.union
    union.status = UnionStatus.DISSOLVED
    union.save()
    check_write(by, CHANGE, establishment)
    record_action(establishment, _("终止筹建"), note=reason, data={"on": on})
    return establishment


def document_error(upload) -> str | None:
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in DOCUMENT_TYPES:
        return _("仅支持 PDF、OFD、图片、Word 和 Excel 文件")
    if upload.size > DOCUMENT_MAX_BYTES:
        return _("文件不能超过 20 MB")
    if upload.size == 0:
        return _("文件是空的")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[extension]):
        return _("文件内容不是%(kind)s文件：请上传原始文件，不要只改扩展名") % {"kind": extension[1:].upper()}
    return None


@transaction.atomic
def add_document(establishment: Establishment, kind: str, title: str, upload, by) -> EstablishmentDocument:
    """Store an uploaded document under a random name (a file name may carry a person's name)."""
    error = document_error(upload)
    if error:
        raise ValidationError(error)
    upload.name = f"{uuid.uuid4().hex}{os.path.splitext(upload.name)[1].lower()}"
    # The title names the download: an ID number or a phone typed into it is masked, as in the logs.
    title = redact(title.strip())
    document = EstablishmentDocument(establishment=establishment, kind=kind, title=title, file=upload)
    document.full_clean()
    document.save()
    check_write(by, ADD, document)
    record_action(establishment, _("上传材料"), data={"document": document.pk, "kind": kind})
    return document
