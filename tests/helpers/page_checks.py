"""What a browser sees wrong on a page: elements sticking out of a narrow screen; on a wide
one, short table cells (names, dates) wrapped or tables scrolling; and axe-core's
accessibility violations."""

from __future__ import annotations

from dataclasses import dataclass

# Outermost elements whose right edge passes the viewport's, unless a container scrolls or
# clips them on purpose (a table wrapper with overflow-x: auto, a progress bar).
STICKING_OUT = """() => {
  const width = window.innerWidth;
  const contained = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(parent).overflowX)) return true;
    }
    return false;
  };
  const sticksOut = (element) => {
    const box = element.getBoundingClientRect();
    return (box.width > 0 || box.height > 0) && box.right > width + 1 && element.checkVisibility() && !contained(element);
  };
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (!sticksOut(element) || (element.parentElement !== document.body && sticksOut(element.parentElement))) continue;
    const classes = [...element.classList].map((name) => '.' + name).join('');
    const text = (element.innerText || element.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    const right = Math.round(element.getBoundingClientRect().right);
    found.push(`<${element.tagName.toLowerCase()}${classes}> "${text}" to ${right} px`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, found};
}"""

# Short texts in table cells (a name, a date, a state, an entity) broken over two lines or
# more: each text of a cell on its own, so a label may go under a name without counting.
WRAPPED_CELLS = """(longest) => {
  const found = [];
  for (const cell of document.querySelectorAll('main td')) {
    // A sentence may wrap, and the link in it with it.
    if (cell.innerText.trim().length > longest * 1.5) continue;
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      const words = text.data.trim();
      if (!words || words.length > longest) continue;
      const range = document.createRange();
      range.selectNodeContents(text);
      const lines = new Set([...range.getClientRects()].filter((box) => box.width > 0).map((box) => Math.round(box.bottom)));
      if (lines.size > 1) found.push(words);
    }
  }
  return found;
}"""
ONE_LINE_AT_MOST = 40


@dataclass(frozen=True)
class Problem:
    path: str
    what: str
    detail: str


def sticking_out(page, path: str) -> list[Problem]:
    seen = page.evaluate(STICKING_OUT)
    if seen["scrollWidth"] <= seen["width"] and not seen["found"]:
        return []
    detail = f"{seen['scrollWidth']} px wide in {seen['width']} px: " + "; ".join(seen["found"][:5])
    return [Problem(path, "sticks out at 375 px", detail)]


# Tables wider than their card: they scroll on a phone, never on a laptop.
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-scroll')]
  .filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth + 1)
  .map((wrapper) => {
    const head = wrapper.querySelector('tr').innerText.replace(/\\s+/g, ' ').slice(0, 60);
    return `${head} (${wrapper.scrollWidth} px in ${wrapper.clientWidth})`;
  })"""


def too_tight(page, path: str) -> list[Problem]:
    """On a laptop: names and dates broken over two lines, tables that need scrolling."""
    found = [Problem(path, "wraps at 1366 px", text) for text in page.evaluate(WRAPPED_CELLS, ONE_LINE_AT_MOST)]
    return found + [Problem(path, "scrolls at 1366 px", table) for table in page.evaluate(SCROLLING_TABLES)]


# The lines the menu's links take: on a laptop the whole menu is one line in every language.
MENU_LINES = """() => new Set([...document.querySelectorAll('.mainnav a')]
  .map((link) => Math.round(link.getBoundingClientRect().top))).size"""


def menu_wraps(page, path: str, language: str) -> list[Problem]:
    lines = page.evaluate(MENU_LINES)
    return [] if lines <= 1 else [Problem(path, f"[{language}] menu on {lines} lines at 1366 px", "")]


def with_axe(context) -> None:
    """axe-core (the copy axe-playwright-python ships) in every page of a browser context."""
    from axe_playwright_python.base import AXE_SCRIPT

    context.add_init_script(AXE_SCRIPT)


def axe_violations(page, path: str, language: str, contrast: bool = True) -> list[Problem]:
    """axe-core's serious and critical violations (the moderate and minor ones are advice).
    `contrast=False` leaves out the colour contrast rule, the slowest, where a page was
    already checked with the same colours in another language."""
    options = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": contrast}}}
    violations = page.evaluate("options => axe.run(document, options).then(results => results.violations)", options)
    return [
        Problem(
            path,
            f"[{language}] axe {violation['id']} ({violation['impact']})",
            f"{violation['help']}: " + " | ".join(node["html"][:120] for node in violation["nodes"][:3]),
        )
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


def report(problems: list[Problem], checked: str) -> str:
    """One line per kind of problem, with the pages it is on."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        grouped.setdefault((problem.what, problem.detail), []).append(problem.path)
    lines = [f"{len(problems)} problems on {checked}:"]
    for (what, detail), paths in sorted(grouped.items()):
        pages = sorted(set(paths))
        lines.append(f"{what} on {len(pages)} pages ({', '.join(pages[:10])}{'…' if len(pages) > 10 else ''}): {detail}")
    return "\n".join(lines)
