"""Join links and the printable A4 join poster (扫码入会海报) of a union, an employer site or a station.

A link carries a signed token (`django.core.signing`, its own salt per kind), never a bare id, so
posters cannot be enumerated or made up for a union that did not print one.

The poster is a PDF drawn with reportlab in the standard Adobe-GB1 font STSong-Light (a CID font every
Chinese-capable PDF reader provides), so no font file is shipped or installed; the QR code is drawn
as vector squares from the `qrcode` matrix, sharp at any print size.
"""

import io

import qrcode
from django.core import signing
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

# u: a union's own poster; e: an employer or site; s: a service station.
KINDS = ("u", "e", "s")
# A station's check-in poster (扫码打卡): signed the same way under its own salt, so a join poster's
# token does not check in and a check-in token does not open the join form.
CHECKIN = "c"
FONT = "STSong-Light"


def _signer(kind: str) -> signing.Signer:
    assert kind in KINDS or kind == CHECKIN, kind
    return signing.Signer(salt=f"niangjia.members.join.{kind}")


def join_token(kind: str, pk: int) -> str:
    return _signer(kind).sign(str(pk))


def checkin_token(station_pk: int) -> str:
    return _signer(CHECKIN).sign(str(station_pk))


def read_checkin_token(token: str) -> int | None:
    """The station a check-in poster's token names, or None for anything not signed by us for it."""
    return _read(CHECKIN, token)


def read_join_token(kind: str, token: str) -> int | None:
    """The id a poster's token names, or None for anything not signed by us for this kind."""
    return _read(kind, token) if kind in KINDS else None


def _read(kind: str, token: str) -> int | None:
    if len(token or "") > 100:
        return None
    try:
        value = _signer(kind).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _centred(pdf, text: str, y: float, size: float) -> None:
    pdf.setFont(_font(), size)
    # Long names shrink to fit the page rather than run off it.
    width = pdfmetrics.stringWidth(text, FONT, size)
    limit = A4[0] - 30 * mm
    if width > limit:
        size = size * limit / width
        pdf.setFont(FONT, size)
    pdf.drawCentredString(A4[0] / 2, y, text)


# The words of each poster: heading, motto, how to use it, and the privacy line.
TEXTS = {
    "join": (
        gettext_lazy("扫码入会"),
        gettext_lazy("职工在哪里，工会就到哪里"),
        gettext_lazy("用手机微信或浏览器扫一扫，填写入会申请"),
        gettext_lazy("您的个人信息仅用于入会和会籍管理，不会告知用人单位"),
    ),
    "checkin": (
        gettext_lazy("扫码打卡"),
        gettext_lazy("职工在哪里，工会就到哪里"),
        gettext_lazy("用手机微信或浏览器扫一扫，无需登录，一键打卡"),
        gettext_lazy("不记录您的位置；就业形态只保存在您的手机上"),
    ),
}


def poster_pdf(union_name: str, place: str, url: str, purpose: str = "join") -> bytes:
    """One A4 page: the union's (or station's) name, where it hangs, a QR code of `url` and how to use it."""
    heading, motto, how, privacy = (str(text) for text in TEXTS[purpose])
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{heading} · {union_name}")
    pdf.setFillColorRGB(0.78, 0.09, 0.12)
    pdf.rect(0, A4[1] - 60 * mm, A4[0], 60 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    _centred(pdf, heading, A4[1] - 30 * mm, 40)
    _centred(pdf, motto, A4[1] - 47 * mm, 16)
    pdf.setFillColorRGB(0, 0, 0)
    _centred(pdf, union_name, A4[1] - 80 * mm, 26)
    if place and place != union_name:
        _centred(pdf, place, A4[1] - 92 * mm, 16)
    side = 110 * mm
    cell = side / len(matrix)
    left, top = (A4[0] - side) / 2, A4[1] - 105 * mm
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                pdf.rect(left + column * cell, top - (row + 1) * cell, cell, cell, stroke=0, fill=1)
    _centred(pdf, how, top - side - 14 * mm, 16)
    _centred(pdf, privacy, top - side - 24 * mm, 12)
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(A4[0] / 2, 12 * mm, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
