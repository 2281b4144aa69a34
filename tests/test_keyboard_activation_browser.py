"""An HR admin activates Securex with the keyboard alone (Tab, Shift+Tab, Enter, Space; no
mouse), from the integrations page to the start of the first sync, and always sees where
the keyboard is."""

from __future__ import annotations

from helpers.activation import open_wizard, stored_integration
from helpers.logins import log_in
from helpers.pages import screenshot
from portal.models import IntegrationState

# Far more Tabs than any page of the wizard has stops: past it, the control cannot be reached.
MOST_TABS = 60
# The focused element, how it is named, and whether a focus ring shows it.
FOCUSED = """() => {
  const element = document.activeElement;
  // The page itself: a step swapped in by htmx took the focused button with it.
  if (element === document.body) return {name: '', label: '', ring: true};
  const style = getComputedStyle(element);
  return {
    name: (element.innerText || element.value || element.getAttribute('aria-label') || '').trim(),
    label: element.labels && element.labels[0] ? element.labels[0].innerText.trim() : '',
    ring: element.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
  };
}"""


def tab_to(page, name: str, within: str = "body") -> None:
    """Press Tab until the control named `name` (inside `within`) has the focus, checking the
    focus ring at each stop on the way."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus on {focused['name'] or focused['label']!r}"
        inside = page.evaluate("selector => document.querySelector(selector).contains(document.activeElement)", within)
        if inside and name in (focused["name"], focused["label"]):
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def test_activate_securex_with_the_keyboard_alone(app, live_server, page, make_available, providers_at_sandboxes):
    """Defends against a wizard step that needs a mouse, and a focus nobody can see."""
    make_available("securex")
    log_in(page, live_server)
    page.goto(live_server + "/integrations")

    tab_to(page, "Activate", within="#card-securex")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Activate Securex").wait_for()

    tab_to(page, "Connect to Securex")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Choose how employees are synced").wait_for()
    # The new step has the focus: the next Tab goes into it, not back to the top of the page.
    page.wait_for_function("document.querySelector('#step-mode').contains(document.activeElement)")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#step-mode').contains(document.activeElement)")

    # A radio group is one Tab stop; the arrows move within it, Space chooses.
    tab_to(page, "Full (automatic)")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.get_by_label("Full (automatic)").is_checked()
    screenshot(page, "keyboard-1-mode")
    tab_to(page, "Preview the first sync")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Preview of the first sync").wait_for()
    screenshot(page, "keyboard-2-preview")

    tab_to(page, "Start the first sync")
    page.keyboard.press("Enter")
    page.get_by_text("Securex is active.").wait_for()
    screenshot(page, "keyboard-3-started")
    assert stored_integration(app, "securex").state is IntegrationState.ACTIVE


def test_a_wizard_step_has_the_focus_the_moment_it_appears(app, live_server, page, make_available, providers_at_sandboxes):
    """Defends against what is typed into a step just swapped in being lost: htmx showed the
    step, then wired it and moved the focus to it when it settled, 20 ms later; a browser test
    filling "Excluded employees" in between saw its value submitted unchanged."""
    make_available("securex")
    log_in(page, live_server)
    open_wizard(page, live_server, "Securex")
    # Called as soon as the step is in the page, before the browser does anything else.
    page.evaluate("""() => {
      window.firstSight = null;
      new MutationObserver(() => {
        const step = document.querySelector('#step-mode');
        if (step && window.firstSight === null) {
          window.firstSight = {focused: step.contains(document.activeElement), settled: !step.classList.contains('htmx-added')};
        }
      }).observe(document.getElementById('wizard'), {childList: true, subtree: true});
    }""")
    page.get_by_role("button", name="Connect to Securex").click()
    page.wait_for_function("() => window.firstSight !== null")
    assert page.evaluate("() => window.firstSight") == {"focused": True, "settled": True}
