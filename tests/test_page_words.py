"""Every page of a synced demo, in Dutch, French and English, speaks the admin's words:
no raw code of an enum ("white_collar", "reconnect_needed"), no "None", and in Dutch and
French no English sentence of the catalogue left untranslated.

The pages come from the code (the app's GET routes, ids filled from the database), the
codes from the enum classes of `portal`, the sentences from the translation catalogues:
a page, an enum or a sentence added tomorrow is checked without anyone listing it.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

import portal
from helpers.pages import csrf_token_from
from helpers.route_matrix import UnfilledRoute, fill, rules
from helpers.sync_runs import finished_run, start_sync
from portal.extensions import db
from portal.i18n import READING_SESSION_KEY
from portal.sync.state import SyncMode
from portal.texts.shortening import shortened
from sandbox.testing import advance, dataset_summary, set_faults

LANGUAGES = ("nl", "fr", "en")
# Pages that are not the admin's to read, or not pages: files, probes, the OAuth callback
# (it answers MyLiantis, and exchanging a code it never got is not a page).
NOT_PAGES = {"static", "dashboard.favicon", "health.healthz", "health.readyz", "health.metrics", "activation.liantis_callback"}
# Query strings the pages themselves link to: each filter of a list is a page of its own.
EXTRA_QUERIES = {
    "employees.index": "filter",
    "syncs.run": "action",
    "syncs.history": "status",
    "support.employees": "filter",
    "support.run": "action",
}


# --- What a page says ---------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes, and the attributes that are shown
    (tooltips, labels for screen readers, placeholders, values of text inputs)."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
    # Not shown, or shown as literal input on purpose (the column names of a CSV file).
    NOT_WORDS = ("script", "style", "template", "code", "kbd", "samp")
    TEXT_INPUTS = {"text", "email", "tel", "search", "number", "date", "url", None}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # Text nodes alone: what is printed on the page, not kept in a tooltip.
        self.printed: list[str] = []
        self.hidden_depth = 0
        # The language switch shows the codes ("NL FR EN") by design, each named in its tooltip:
        # the tag it is (a form of buttons, or the support view's links), until it closes.
        self.in_language_switch: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "language-switch" in (attributes.get("class") or "").split():
            self.in_language_switch = tag
        if tag in self.NOT_WORDS:
            self.hidden_depth += 1
        if self.in_language_switch:
            return
        for name in self.SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in self.TEXT_INPUTS and attributes.get("value"):
            self.parts.append(attributes["value"])
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == self.in_language_switch:
            self.in_language_switch = None
        if tag in self.NOT_WORDS and self.hidden_depth:
            self.hidden_depth -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden_depth and not self.in_language_switch:
            self.parts.append(data)
            self.printed.append(data)


def visible_text(page: str) -> tuple[str, str]:
    """(everything a reader sees or hears, what is printed on the page)."""
    parser = VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split()), " ".join(" ".join(parser.printed).split())


# More than any name a page should print in full.
LONG_PRINTED = 200
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"https?://\S+")


# --- What a page must not say --------------------------------------------------------------


def portal_enums() -> list[type[enum.Enum]]:
    """Every enum class defined in a module of `portal`."""
    found = []
    for module_info in pkgutil.walk_packages(portal.__path__, "portal."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                found.append(value)
    return found


def catalogue(directory: Path, language: str):
    with (directory / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def words(text: str) -> set[str]:
    return {word.casefold() for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)}


@dataclass(frozen=True)
class Vocabulary:
    """The words each language's pages use on purpose: a raw code that is also one of them
    ("active" in English, "de" in Dutch) cannot be told from the word, and is left alone."""

    by_language: dict[str, set[str]]

    @classmethod
    def of_catalogues(cls, directory: Path) -> Vocabulary:
        by_language: dict[str, set[str]] = {"en": set()}
        for language in ("nl", "fr"):
            by_language[language] = set()
            for message in catalogue(directory, language):
                if not message.id:
                    continue
                for text in message.id if isinstance(message.id, tuple) else (message.id,):
                    by_language["en"] |= words(text)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    by_language[language] |= words(text or "")
        return cls(by_language)

    def has(self, language: str, word: str) -> bool:
        return word.casefold() in self.by_language[language]


def raw_codes() -> dict[str, str]:
    """Code -> where it comes from: every string value of every enum of `portal`, and the
    language codes an employee may have."""
    codes = {}
    for cls in portal_enums():
        for member in cls:
            if isinstance(member.value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", member.value):
                codes.setdefault(member.value, f"{cls.__module__}.{cls.__name__}.{member.name}")
    for language in ("nl", "fr", "en", "de"):
        codes.setdefault(language, "a language code")
    return codes


@dataclass(frozen=True)
class Sentence:
    """A catalogue message as its English source, found in a page where it was not translated."""

    msgid: str
    pattern: re.Pattern


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
# Placeholders that stand for a number ("%(num)s employees"): only a number may fill them,
# so "your employees" is not taken for that message.
NUMBER_PLACEHOLDERS = re.compile(
    r"num|count|total|fetched|created|updated|unchanged|skipped|failed|deactivated|seconds|rate|year|page"
)


def message_pattern(msgid: str) -> re.Pattern:
    """The message as it reads on a page: spaces as any white space, placeholders as what
    may fill them, the rest as written, never starting or ending inside a word."""
    pieces = []
    for token in re.finditer(r"(%\((\w+)\)[sd]|%[sd])|(\s+)|([^%\s]+|%)", msgid):
        placeholder, name, space, text = token.groups()
        if placeholder:
            pieces.append(r"\d[\d.,\s\u202f]*" if name and NUMBER_PLACEHOLDERS.search(name) else r"\S.{0,120}?")
        elif space:
            pieces.append(r"\s+")
        else:
            pieces.append(re.escape(text))
    return re.compile(r"(?<!\w)" + "".join(pieces) + r"(?!\w)")


def untranslated_sentences(directory: Path, language: str, vocabulary: Vocabulary) -> list[Sentence]:
    """The catalogue's English messages whose translation differs, as patterns on page text.

    Only messages that cannot be mistaken for the language's own words: at least two
    English words outside their placeholders, or one word the language never uses."""
    sentences = []
    for message in catalogue(directory, language):
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not any(strings) or msgid in strings:
                continue
            english = re.findall(r"[^\W\d_]+", PLACEHOLDER.sub(" ", msgid))
            if not english or (len(english) == 1 and vocabulary.has(language, english[0])):
                continue
            sentences.append(Sentence(msgid, message_pattern(msgid)))
    return sentences


@dataclass(frozen=True)
class Finding:
    language: str
    path: str
    kind: str
    what: str
    context: str

    def __str__(self) -> str:
        return f"[{self.language}] {self.path}: {self.kind} {self.what!r} in …{self.context}…"


def around(text: str, start: int, end: int) -> str:
    return text[max(0, start - 60) : end + 60]


class Checker:
    def __init__(self, catalogues: Path, known_words: list[str], entity_ids: set[str], long_values: list[str]) -> None:
        self.vocabulary = Vocabulary.of_catalogues(catalogues)
        # The providers' own IDs of their entities: a page names an entity, never its ID.
        self.entity_ids = entity_ids
        # Values too long to print whole (a name of 10,000 characters): a page prints the start.
        self.long_values = [value[:LONG_PRINTED] for value in long_values]
        self.codes = raw_codes()
        self.sentences = {language: untranslated_sentences(catalogues, language, self.vocabulary) for language in ("nl", "fr")}
        # Longest first, so "Van de Velde" goes before "Velde".
        self.known_words = sorted({w for w in known_words if w and len(w) > 1}, key=len, reverse=True)

    def without_data(self, text: str) -> str:
        """The page's own words: people's and companies' names, e-mails and links are data."""
        text = URL.sub(" ", EMAIL.sub(" ", text))
        for word in self.known_words:
            text = text.replace(word, " ")
        return text

    def findings(self, language: str, path: str, page: str) -> Iterator[Finding]:
        everything, printed = visible_text(page)
        for value in self.long_values:
            if (at := printed.find(value)) >= 0:
                yield Finding(language, path, "printed whole", value[:30] + "…", around(printed, at, at + 30))
        for match in re.finditer(r"(?<![\w-])[A-Z]\d{3}-V\d+(?![\w-])", everything):
            if match.group() in self.entity_ids:
                yield Finding(language, path, "an entity's ID", match.group(), around(everything, match.start(), match.end()))
        text = self.without_data(everything)
        for match in re.finditer(r"\bNone\b", text):
            yield Finding(language, path, "the word", "None", around(text, match.start(), match.end()))
        for match in re.finditer(r"(?<![\w./-])(?:NL|FR|EN|DE)(?![\w/-])", text):
            yield Finding(language, path, "a language code", match.group(), around(text, match.start(), match.end()))
        for match in re.finditer(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?![\w/-])", text):
            code = match.group()
            if code not in self.codes:
                continue
            # Codes with an underscore are never words; single words only where the
            # language has no such word of its own.
            if "_" not in code and self.vocabulary.has(language, code):
                continue
            yield Finding(language, path, f"raw code ({self.codes[code]})", code, around(text, match.start(), match.end()))
        for sentence in self.sentences.get(language, ()):
            if match := sentence.pattern.search(text):
                yield Finding(language, path, "untranslated", sentence.msgid, around(text, match.start(), match.end()))


# --- A synced demo -------------------------------------------------------------------------


@pytest.fixture
def synced_demo(sync_setup, sandboxes, activate, make_available, worker):
    """Demo NV with Securex (C001), the generic HR system (C002) and Connexie (C003, in
    selective mode) synced against the sandboxes, twice: employees, runs with every kind of
    line (created, updated, deactivated, failed with a reason and an unreadable value,
    skipped), an e-mail change held back, notifications. Liantis is available, not set up."""
    app = sync_setup
    companies = {c["id"]: c for c in dataset_summary(sandboxes["securex"])["companies"]}
    faults = {"text_salary": 1, "long_names": 1, "missing_email": 1, "html_names": 1}
    set_faults(sandboxes["securex"], **faults)
    set_faults(sandboxes["hris"], bad_phone=1, text_salary=1, unknown_wage_type=1)
    integrations = {
        "securex": activate("securex"),
        "hris": activate("hris", company_id="C002", credentials={"api_token": companies["C002"]["api_key"]}),
        "connexie": activate(
            "connexie", company_id="C003", mode=SyncMode.SELECTIVE, credentials={"api_token": companies["C003"]["api_token"]}
        ),
    }
    make_available("liantis")
    for integration_id in integrations.values():
        run = finished_run(app, start_sync(app, integration_id))
        assert run.error_code is None, run.error_detail
    for provider in ("securex", "hris"):
        advance(sandboxes[provider])
        run = finished_run(app, start_sync(app, integrations[provider]))
        assert run.error_code is None, run.error_detail
    return app


def ids_to_visit(app) -> dict[str, list[int]]:
    """For each id a route takes, the rows worth a look: every run and notification, and
    employees of every kind (created, failed, held e-mail change, added by hand…)."""
    from portal.models import (
        Discrepancy,
        Employee,
        HoursExport,
        Integration,
        Notification,
        SyncRun,
        SyncRunEmployee,
        Tenant,
        User,
        WorkedShift,
    )

    with app.app_context():
        demo = db.session.execute(select(Tenant).where(Tenant.name == "Demo NV")).scalar_one()
        employee_ids = set()
        for action in ("create", "update", "fail", "deactivate", "skip"):
            employee_ids |= set(
                db.session.execute(
                    select(SyncRunEmployee.employee_id)
                    .where(SyncRunEmployee.action == action, SyncRunEmployee.employee_id.is_not(None))
                    .limit(2)
                ).scalars()
            )
        employee_ids |= set(db.session.execute(select(Discrepancy.employee_id)).scalars())
        employee_ids |= set(db.session.execute(select(Employee.id).where(Employee.integration_id.is_(None)).limit(2)).scalars())
        employee_ids |= set(db.session.execute(select(Employee.id).where(Employee.phone.is_not(None)).limit(1)).scalars())
        first = db.session.execute(select(Employee).where(Employee.id.in_(employee_ids)).limit(1)).scalar_one()
        integration_id = db.session.execute(select(Integration.id).where(Integration.provider == "connexie")).scalar_one()
        shift = WorkedShift(
            tenant_id=demo.id,
            employee_id=first.id,
            day=date.today().replace(day=1),
            starts_at=time_of(9),
            ends_at=time_of(17),
            approved=True,
        )
        export = HoursExport(
            tenant_id=demo.id,
            integration_id=integration_id,
            period_start=date.today().replace(day=1),
            period_end=date.today().replace(day=1),
            export_key="flexsync-page-words",
        )
        db.session.add_all([shift, export])
        db.session.commit()
        return {
            "employee_id": sorted(employee_ids),
            "run_id": list(db.session.execute(select(SyncRun.id)).scalars()),
            "notification_id": list(db.session.execute(select(Notification.id)).scalars()),
            "tenant_id": [demo.id],
            "shift_id": [shift.id],
            "export_id": [export.id],
            "discrepancy_id": list(db.session.execute(select(Discrepancy.id)).scalars())[:1],
            "user_id": list(db.session.execute(select(User.id).where(User.tenant_id == demo.id)).scalars())[:1],
        }


def time_of(hour: int):
    from datetime import time as clock

    return clock(hour)


def data_words(app, sandboxes) -> list[str]:
    """Names the pages show as they are: people, users, companies, entities, codes at the providers."""
    from portal.models import Employee, Entity, Integration, SelectionEntry, SyncRunEmployee, Tenant, User

    found: list[str] = []
    with app.app_context():
        for columns in (
            (Employee.first_name, Employee.last_name),
            (SyncRunEmployee.display_name,),
            (SelectionEntry.display_name,),
            (User.name,),
            (Tenant.name,),
            (Entity.name,),
            (Integration.provider_company_name,),
        ):
            for row in db.session.execute(select(*columns)).all():
                found += [value for value in row if value]
                if len(row) > 1:
                    found.append(" ".join(value for value in row if value))
    for base_url in sandboxes.values():
        for company in dataset_summary(base_url)["companies"]:
            found += [company["name"], *(entity["name"] for entity in company.get("entities", []))]
    found += [*WAGE_CODE_NAMES, *HOUR_CODE_NAMES]
    # Long names are shown cut short.
    return found + [shortened(name) for name in found]


def entity_ids(sandboxes) -> set[str]:
    return {entity["id"] for company in dataset_summary(sandboxes["securex"])["companies"] for entity in company["entities"]}


def long_name() -> str:
    """The first name the `long_names` fault gives: 10,240 characters."""
    from sandbox.faults import LONG_NAME_BYTES

    return ("Anaïs-Maëlle " * LONG_NAME_BYTES)[:LONG_NAME_BYTES]


def code_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from sandbox.dataset import HOUR_CODES, WAGE_CODES

    return tuple(c["label"] for c in WAGE_CODES), tuple(c["label"] for c in HOUR_CODES)


WAGE_CODE_NAMES, HOUR_CODE_NAMES = code_names()


def pages(app, ids: dict[str, list[int]], user_endpoints) -> Iterator[tuple[str, str]]:
    """(endpoint, path) of every GET page, every id worth a look, every filter."""
    from portal.models import RunState
    from portal.providers.base import Provider

    filters = {
        "filter": [f.value for f in importlib.import_module("portal.employees.directory").ListFilter],
        "action": [a.value for a in importlib.import_module("portal.sync.plan").Action],
        "status": [s.value for s in RunState],
    }
    for rule in rules(app):
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES or not user_endpoints(rule.endpoint):
            continue
        choices: list[dict[str, object]] = [{}]
        for argument in rule.arguments:
            values = [p.value for p in Provider] if argument == "provider" else ids.get(argument)
            if argument == "token":
                # A secret sent to one person (an invitation, a password link): a wrong one is a page too.
                values = ["no-such-token"]
            if not values:
                raise UnfilledRoute(f"{rule.rule} takes <{argument}>: teach tests/test_page_words.py which ids to visit")
            choices = [dict(choice, **{argument: value}) for choice in choices for value in values]
        for choice in choices:
            path = fill(rule, {k: v for k, v in choice.items() if isinstance(v, int)}, {k: str(v) for k, v in choice.items()})
            yield rule.endpoint, path
            if rule.endpoint in EXTRA_QUERIES:
                name = EXTRA_QUERIES[rule.endpoint]
                for value in filters[name]:
                    yield rule.endpoint, f"{path}?{name}={value}"


def log_in(client, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": email, "password": "demo", "csrf_token": token})
    assert answer.status_code == 302


def read_pages(client, language: str, visits: list[tuple[str, str]]) -> Iterator[tuple[str, int, str]]:
    with client.session_transaction() as session:
        session["language"] = language
        # Customer success read a company's support pages in a language of their own choosing.
        session[READING_SESSION_KEY] = language
    for endpoint, path in visits:
        headers = {"HX-Request": "true"} if endpoint.endswith("progress") else {}
        response = client.get(path, headers=headers)
        if response.status_code in (301, 302, 303):
            continue
        yield path, response.status_code, response.get_data(as_text=True)


@pytest.mark.slow
def test_every_page_speaks_the_admins_words_in_every_language(synced_demo, sandboxes, client):
    """Defends against codes, "None" and untranslated English on any page an admin (or
    customer success) reads after a sync, in each of the three languages."""
    app = synced_demo
    ids = ids_to_visit(app)
    # The catalogues the app translates with.
    checker = Checker(
        Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]), data_words(app, sandboxes), entity_ids(sandboxes), [long_name()]
    )
    console = ("cs.", "support.", "fleet.")
    hr_pages = list(pages(app, ids, lambda endpoint: not endpoint.startswith(console)))
    cs_pages = list(pages(app, ids, lambda endpoint: endpoint.startswith(console) or endpoint == "dashboard.index"))
    assert len(hr_pages) > 40 and {"syncs.run", "employees.show", "notifications.show"} <= {e for e, _ in hr_pages}
    hr_pages.append(("errors", "/no-such-page"))

    findings: list[Finding] = []
    read = 0
    started = time.monotonic()
    for email, visits in (("hr@demo.test", hr_pages), ("cs@flexsync.test", cs_pages)):
        log_in(client, email)
        for language in LANGUAGES:
            for path, status, page in read_pages(client, language, visits):
                read += 1
                if status >= 500:
                    findings.append(Finding(language, path, "server error", str(status), ""))
                    continue
                findings += checker.findings(language, path, page)
        with client.session_transaction() as session:
            session.clear()
    assert read > 100, f"only {read} pages read in {time.monotonic() - started:.0f} s"
    assert not findings, report(findings, read)


def report(findings: list[Finding], read: int) -> str:
    """One line per word and language, with how many pages say it and one example."""
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        grouped.setdefault((finding.kind, finding.what, finding.language), []).append(finding)
    lines = [f"{len(grouped)} kinds of findings ({len(findings)} in all) on {read} pages:"]
    for (kind, what, language), found in sorted(grouped.items()):
        lines.append(
            f"[{language}] {kind} {what!r} on {len({f.path for f in found})} pages, e.g. {found[0].path}: …{found[0].context}…"
        )
    return "\n".join(lines)
