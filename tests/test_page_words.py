"""Every page of a synced demo, in Dutch, French and English, speaks the admin's words:
no raw code of an enum ("white_collar", "reconnect_needed"), no "None", and in Dutch and
French no English sentence of the catalogue left untranslated.

The pages come from the code (tests/helpers/every_page.py: the app's GET routes, ids filled
from a synced demo), the codes from the enum classes of `portal`, the sentences from the
translation catalogues: a page, an enum or a sentence added tomorrow is checked without
anyone listing it.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

import portal
from helpers.every_page import HR_ADMIN, LANGUAGES, Page, every_page
from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.i18n import READING_SESSION_KEY
from portal.texts.shortening import shortened
from sandbox.testing import dataset_summary

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


def log_in(client, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": email, "password": "demo", "csrf_token": token})
    assert answer.status_code == 302


def read_pages(client, language: str, visits: list[Page]) -> Iterator[tuple[str, int, str]]:
    with client.session_transaction() as session:
        session["language"] = language
        # Customer success read a company's support pages in a language of their own choosing.
        session[READING_SESSION_KEY] = language
    for visit in visits:
        response = client.get(visit.path, headers={"HX-Request": "true"} if visit.is_fragment else {})
        if response.status_code in (301, 302, 303):
            continue
        yield visit.path, response.status_code, response.get_data(as_text=True)


@pytest.mark.slow
def test_every_page_speaks_the_admins_words_in_every_language(synced_demo, sandboxes, client):
    """Defends against codes, "None" and untranslated English on any page an admin (or
    customer success) reads after a sync, in each of the three languages."""
    app = synced_demo
    # The catalogues the app translates with.
    checker = Checker(
        Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]), data_words(app, sandboxes), entity_ids(sandboxes), [long_name()]
    )
    readers = every_page(app)
    hr_endpoints = {visit.endpoint for visit in readers[HR_ADMIN]}
    assert len(readers[HR_ADMIN]) > 40 and {"syncs.run", "employees.show", "notifications.show"} <= hr_endpoints

    findings: list[Finding] = []
    read = 0
    started = time.monotonic()
    for email, visits in readers.items():
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
