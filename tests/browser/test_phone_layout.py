"""A worker's pages on a 375 px phone, in Chinese and in English: nothing wider than the screen, every
form control large enough that the phone does not zoom into it (iOS does under 16 px), QR codes large
enough to scan, and English pages free of Chinese dates and punctuation between translated words."""

import re

import pytest
from django.conf import settings

from programs.services import registrations as engine
from rights.services import legal
from tests.programs import engine as make

from .helpers import worker_sign_in

pytestmark = [pytest.mark.browser]
playwright = pytest.importorskip("playwright.sync_api", reason="browser: playwright is not installed")

# A date written the Chinese way, or Chinese punctuation between translated words.
CHINESE_FORMS = re.compile(r".{0,30}(\d{1,2}月\d{1,2}日|[a-z]：|[a-z]、[A-Z]).{0,30}")
MEASURE = """() => {
  const seen = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const controls = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => seen(el) && !["checkbox", "radio", "hidden", "file"].includes(el.type))
    .map(el => [el.id || el.name, parseFloat(getComputedStyle(el).fontSize)])
    .filter(([, size]) => size < 16);
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => seen(el) && el.getBoundingClientRect().right > innerWidth + 0.5
                  && !el.closest(".map"))
    .map(el => el.tagName + (el.id ? "#" + el.id : "") + " " + (el.textContent || "").trim().slice(0, 30));
  const qr = [...document.querySelectorAll("figure.qr")].map(el => el.getBoundingClientRect().width);
  // Stored texts (site messages) stay in the language they were written in.
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll(".inbox").forEach(el => el.remove());
  return {scroll: document.documentElement.scrollWidth, controls, wide: wide.slice(0, 5), qr,
          text: copy.textContent};
}"""


@pytest.fixture
def worker_world(tree):
    person = make.worker(tree["site_a"], "王骑手", employment_form="courier")
    program = make.program(tree["district"], title="免费观影 · 职工专场", employment_forms=["courier"])
    session = make.session(program, capacity=5, title="周六晚场")
    registration = engine.sign_up(session, person)
    consultation = legal.submit(person, "penalty", "餐食坏了，公司要我赔，可以拒绝吗？")
    return {
        "phone": person.decrypted("phone"),
        "pages": [
            "/",
            "/programs/",
            f"/programs/{program.pk}/",
            "/me/",
            "/me/card/",
            "/me/programs/",
            f"/me/programs/{registration.pk}/",
            "/consult/",
            f"/me/consultations/{consultation.pk}/",
            "/aid/apply/",
            "/me/aid/",
            "/me/benefits/",
            "/me/mutual/",
            "/me/joins/",
            "/me/consultations/",
            "/stations/nearby/",
            "/knowledge/",
            "/privacy/",
        ],
    }


def test_worker_pages_fit_a_phone_in_both_languages(new_page, live_server, worker_world):
    problems = []
    for language in ("zh-hans", "en"):
        page = new_page("phone")
        worker_sign_in(page, worker_world["phone"])
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for path in worker_world["pages"]:
            page.goto(path)
            found = page.evaluate(MEASURE)
            where = f"{language} {path}"
            if found["scroll"] > 375 or found["wide"]:
                problems.append(f"{where}: wider than the phone ({found['scroll']} px): {found['wide']}")
            if found["controls"]:
                problems.append(f"{where}: controls under 16 px: {found['controls']}")
            if any(width < 200 for width in found["qr"]):
                problems.append(f"{where}: QR code only {found['qr']} px wide")
            chinese = CHINESE_FORMS.search(found["text"]) if language == "en" else None
            if chinese:
                problems.append(f"{where}: Chinese date or punctuation in English: {chinese.group(0)}")
    assert not problems, "\n".join(problems)


def test_the_staff_sign_in_page_fits_a_phone(new_page, live_server):
    # Keepers and check-in staff often open the console's sign-in first on a phone: the language
    # button was a 28 px target.
    page = new_page("phone")
    page.goto("/accounts/login/")
    found = page.evaluate(MEASURE)
    assert found["scroll"] <= 375 and not found["wide"], found["wide"]
    assert not found["controls"], found["controls"]
    button = page.locator(".topbar .lang button").first.bounding_box()
    assert button["height"] >= 40 and button["width"] >= 44, button
