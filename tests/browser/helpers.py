"""What several browser tests do: a worker signs in with a code; a QR code is read off the screen."""

import io
import re

import zxingcpp
from PIL import Image

from core.notify import MemorySmsBackend


def scan(locator) -> str:
    """The text of the QR code `locator` shows, read from a screenshot of it; "" when none is readable."""
    image = Image.open(io.BytesIO(locator.screenshot()))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else ""


def worker_sign_in(page, phone: str) -> None:
    """The worker's own OTP login: phone, the code from the SMS, consent."""
    from playwright.sync_api import expect

    page.goto("/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    texts = [text for to, text in MemorySmsBackend.outbox if phone in str(to) and "验证码" in text]
    code = re.search(r"验证码 (\d{6})", texts[-1]).group(1)
    page.get_by_label("验证码").fill(code)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/me/$"))
