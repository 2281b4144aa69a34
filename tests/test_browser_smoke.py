"""The first thing a newcomer does, in a real headless Chromium."""

from helpers.pages import screenshot


def test_log_in_switch_to_french_and_log_out(live_server, page):
    page.goto(live_server + "/")
    page.get_by_label("E-mail").fill("hr@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Welcome, Demo NV").wait_for()
    screenshot(page, "smoke-1-dashboard-en")

    page.get_by_role("button", name="FR").click()
    page.get_by_role("heading", name="Bienvenue, Demo NV").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Entreprise", exact=True).is_visible()
    screenshot(page, "smoke-2-dashboard-fr")

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Se connecter à Flexsync").wait_for()
    screenshot(page, "smoke-3-logged-out")
    page.goto(live_server + "/")
    assert "/login" in page.url
