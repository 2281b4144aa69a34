"""Every page an HR admin and customer success reach (tests/helpers/every_page.py), in a real
headless Chromium: on a phone (375 px) nothing sticks out of the screen, on a laptop
(1366 px) names and dates in tables and the menu stay on one line, and axe-core finds no serious or
critical accessibility violation in Dutch, French or English (every filter of every list
in English, each route's page in Dutch and French). Screenshots of both widths
go to tests/artifacts/responsive/<width>/, the pages checked and what was found to
tests/artifacts/every-page.txt."""

from __future__ import annotations

import re
import time

import pytest

from helpers.every_page import CUSTOMER_SUCCESS, LANGUAGES, every_page, one_of_each
from helpers.page_checks import Problem, axe_violations, menu_wraps, report, sticking_out, too_tight, with_axe
from helpers.paths import ARTIFACTS

PHONE = {"width": 375, "height": 800}
LAPTOP = {"width": 1366, "height": 800}
SHOTS = ARTIFACTS / "responsive"


def log_in(page, live_server: str, email: str) -> None:
    page.goto(live_server + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def read_in(page, live_server: str, language: str, support_page: str | None) -> None:
    """The reader's own language, and the one customer success read a company's pages in."""
    page.set_viewport_size(LAPTOP)
    page.goto(live_server + "/account")
    page.locator(f'.language-switch button[value="{language}"]').click()
    page.wait_for_selector(f'html[lang="{language}"]')
    if support_page:
        page.goto(f"{live_server}{support_page}?lang={language}")


def shot(page, width: int, name: str) -> None:
    (SHOTS / str(width)).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / str(width) / f"{name}.png"), full_page=True)


def menu_sticks_out(page, path: str) -> list[Problem]:
    """The folded menu, opened by keyboard, fits the phone too."""
    page.locator(".menu > summary").focus()
    page.keyboard.press("Enter")
    problems = sticking_out(page, f"{path} (menu open)")
    page.keyboard.press("Enter")
    return problems


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_fits_a_phone_and_a_laptop_and_passes_axe_in_every_language(synced_demo, live_server, browser):
    """Defends against a page cut off or scrolling sideways on a phone, names and dates
    broken over two lines on a laptop, and pages a screen reader or keyboard user cannot use."""
    problems: list[Problem] = []
    checked = {"at 375 px": 0, "at 1366 px": 0} | {f"by axe in {language}": 0 for language in LANGUAGES}
    started = time.monotonic()
    for email, visits in every_page(synced_demo).items():
        # Every filter of every list in English; the route's page itself in Dutch and French.
        walks = {language: one_of_each(visits, filters=language == "en") for language in LANGUAGES}
        reader = "cs" if email == CUSTOMER_SUCCESS else "hr"
        support_page = next((v.path for v in walks["en"] if v.endpoint.startswith("support.") and "?" not in v.path), None)
        context = browser.new_context(locale="en-GB", viewport=LAPTOP)
        with_axe(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, email)
        menu_seen = False
        for language in LANGUAGES:
            read_in(page, live_server, language, support_page)
            problems += menu_wraps(page, "/account", language)
            # English is seen on a phone and on a laptop, and axe checks it on the phone (the
            # menu folded); Dutch and French on a laptop, without the colour contrast rule:
            # the colours are the same in every language.
            english = language == "en"
            page.set_viewport_size(PHONE if english else LAPTOP)
            for visit in walks[language]:
                response = page.goto(live_server + visit.path)
                if response is None or not response.url.endswith(visit.path):
                    continue  # sent elsewhere: that page is walked on its own
                problems += axe_violations(page, visit.path, language, contrast=english)
                checked[f"by axe in {language}"] += 1
                if not english:
                    continue
                name = reader + "-" + (re.sub(r"[^\w.]+", "-", visit.path).strip("-") or "welcome")
                problems += sticking_out(page, visit.path)
                if not menu_seen:
                    problems += menu_sticks_out(page, visit.path)
                    menu_seen = True
                shot(page, 375, name)
                page.set_viewport_size(LAPTOP)
                problems += too_tight(page, visit.path)
                shot(page, 1366, name)
                page.set_viewport_size(PHONE)
                checked["at 375 px"] += 1
                checked["at 1366 px"] += 1
        context.close()
    summary = ", ".join(f"{count} pages checked {what}" for what, count in checked.items())
    summary += f" (an HR admin's and customer success's) in {time.monotonic() - started:.0f} s"
    (ARTIFACTS / "every-page.txt").write_text(report(problems, summary) + "\n")
    print(summary)
    assert checked["by axe in en"] > 80 and checked["by axe in nl"] > 50, summary
    assert not problems, report(problems, summary)
