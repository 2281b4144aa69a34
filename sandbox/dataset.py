"""The people the sandboxes serve: deterministic, fast, and loadable from JSON.

One `Dataset` holds several companies, each with its entities (venues for Connexie),
its users at the provider, its employees with wage contracts, and the hours posted
back to it. Employees are plain dicts so 50,000 of them fit in memory cheaply and a
page is a slice, never a re-generation. Provider apps translate these neutral dicts
into their own JSON shape.

`scheduled_changes` describe what happens at the provider *between two sync runs*;
`Dataset.advance()` applies the next run's changes (see docs/sandbox.md). Every change
the sandbox makes to a person stamps the new dict's `updated_at`, which the "updated
since" listings filter on.
"""

from __future__ import annotations

import calendar
import copy
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from stdnum.be import vat as be_vat

# The Flexsync demo tenant: every VAT-based sandbox (Securex, Liantis) knows it.
DEMO_COMPANY_VAT = "BE0123456749"
DEMO_COMPANY_NAME = "Flexsync Demo BV"
# The `updated_at` of a person the sandbox has not changed since it loaded its dataset:
# long before any test or demo, so only the sandbox's own changes are "recent".
UNCHANGED_SINCE = "2000-01-01T00:00:00.000000Z"
# The personal fields `POST /_admin/companies/<id>/employees/<id>` may change.
EDITABLE_FIELDS = ("first_name", "last_name", "email", "phone", "language", "employee_number", "start_date", "entity_id")

FIRST_NAMES = {
    "nl": (
        "Wouter",
        "Dries",
        "Jens",
        "Pieter",
        "Lotte",
        "Ine",
        "Femke",
        "Sanne",
        "Joris",
        "Bram",
        "Ruben",
        "Elke",
        "Liesbeth",
        "Maarten",
        "Stijn",
        "Griet",
        "Annelies",
        "Koen",
        "Sien",
        "Jolien",
        "Lieselot",
        "Marijke",
        "Arne",
        "Seppe",
        "Lars",
        "Noor",
        "Zoë",
        "Anouk",
        "Bart",
        "Hanne",
        "Brecht",
        "Floor",
        "Jef",
        "Tuur",
        "Saskia",
    ),
    "fr": (
        "Sébastien",
        "Anaïs",
        "Maëlle",
        "Élodie",
        "François",
        "Hélène",
        "Céline",
        "Jérôme",
        "Benoît",
        "Chloé",
        "Léa",
        "Théo",
        "Noémie",
        "Gaëlle",
        "Loïc",
        "Amélie",
        "Mathéo",
        "Zoé",
        "André",
        "Cédric",
        "Renée",
        "Inès",
        "Aurélie",
        "Raphaël",
        "Thibault",
        "Margaux",
    ),
    "en": ("Emma", "Oliver", "Sophie", "James", "Grace", "Liam", "Olivia", "Noah"),
    "de": ("Jürgen", "Lukas", "Mia", "Jonas", "Anna", "Günther", "Katrin", "Matthias"),
}
LAST_NAMES = (
    "Van den Broeck",
    "Dubois",
    "De Smet",
    "Peeters",
    "Lefèvre",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Vos",
    "Lambert",
    "Dupont",
    "Leclercq",
    "Lemaire",
    "Van Damme",
    "Vermeulen",
    "D'Hondt",
    "Van de Velde",
    "Declercq",
    "Hermans",
    "De Backer",
    "Michiels",
    "Renard",
    "Gérard",
    "Lejeune",
    "Bogaert",
    "Verstraeten",
    "Smets",
    "Van Acker",
    "de Jong",
    "Bakker",
    "Visser",
    "van der Berg",
    "Dijkstra",
    "Schmitz",
    "Bröcker",
    "El Amrani",
    "Öztürk",
    "Çelik",
    "Noël",
    "Desmedt",
    "Geeraerts",
    "Ménard",
    "Thiérry",
    "Coppens",
    "Lenaerts",
)
# Belgian payroll is mostly Dutch- and French-speaking; English and German are rarer.
LANGUAGE_WEIGHTS = (("nl", 0.55), ("fr", 0.35), ("en", 0.07), ("de", 0.03))
COMPANY_NAMES = (
    "Brasserie Dubois & Fils",
    "Bakkerij Peeters",
    "Lefèvre Logistique SA",
    "Van den Broeck Bouw NV",
    "Café De Smet",
    "Maes Retail BV",
    "Hôtel Lambert",
    "Janssens Zorg vzw",
    "Atelier Mertens",
    "Claes & Goossens CommV",
)
CITIES = ("Antwerpen", "Gent", "Brussel", "Liège", "Namur", "Leuven", "Brugge", "Eupen")

WAGE_CODES = (
    {"code": "1000", "label": "Monthly salary", "active": True},
    {"code": "1010", "label": "Hourly wage", "active": True},
    {"code": "1020", "label": "Flexi-job wage", "active": True},
    {"code": "3200", "label": "Meal allowance", "active": True},
    {"code": "3300", "label": "Travel allowance", "active": True},
    {"code": "3900", "label": "End-of-year bonus", "active": False},
)
HOUR_CODES = (
    {"code": "H100", "label": "Worked hours", "kind": "worked_hours", "active": True},
    {"code": "H110", "label": "Night hours", "kind": "worked_hours", "active": True},
    {"code": "M200", "label": "Meal", "kind": "meal", "active": True},
    {"code": "A300", "label": "Allowance", "kind": "allowance", "active": True},
    {"code": "A310", "label": "Clothing allowance", "kind": "allowance", "active": False},
)
# A full-time week in Belgian joint committees is usually 38 hours.
FULL_TIME_WEEKLY_HOURS = 38
WORK_REGIMES = (100, 100, 100, 80, 50, 60, 90)


def ascii_slug(text: str) -> str:
    """Lowercase ASCII letters and digits only: the local part of an e-mail."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


def be_vat_from_base(base: int) -> str:
    """A Belgian VAT number (BE + 10 digits) whose last two digits are the mod-97 check."""
    number = f"{base:08d}"
    check = 97 - int(number) % 97
    vat = f"BE{number}{check:02d}"
    if not be_vat.is_valid(vat):
        raise ValueError(f"generated an invalid VAT number {vat}")
    return vat


@dataclass
class Dataset:
    companies: list[dict]
    wage_codes: list[dict] = field(default_factory=lambda: copy.deepcopy(list(WAGE_CODES)))
    hour_codes: list[dict] = field(default_factory=lambda: copy.deepcopy(list(HOUR_CODES)))
    scheduled_changes: list[dict] = field(default_factory=list)
    # How many runs of scheduled changes have been applied.
    run: int = 0

    def company(self, company_id: str) -> dict | None:
        return next((c for c in self.companies if c["id"] == company_id), None)

    def company_by_vat(self, vat: str) -> dict | None:
        wanted = be_vat.compact(vat)
        return next((c for c in self.companies if be_vat.compact(c["vat"]) == wanted), None)

    def company_by_secret(self, key: str, secret: str) -> dict | None:
        return next((c for c in self.companies if secret and c.get(key) == secret), None)

    def advance(self, now: str | None = None) -> list[dict]:
        """Apply the changes scheduled for the next run, stamped `now`; returns what was applied."""
        self.run += 1
        now = now or stamp(datetime.now(UTC))
        due = [change for change in self.scheduled_changes if change["run"] == self.run]
        for change in due:
            apply_change(self.company(change["company_id"]), change, now)
        return due

    def raise_salaries(
        self, company_id: str, percent: float | None = None, *, count: int | None = None, now: str | None = None
    ) -> int:
        """Give `percent` % (or `count`) of the people under contract a 5 % raise; returns how many.

        For load tests ("10 % of the payroll changed"): the raised people are spread
        evenly over the list, and each call raises the same people again.
        """
        company = self.company(company_id)
        if company is None:
            raise KeyError(f"no company {company_id}")
        employees = company["employees"]
        working = [i for i, e in enumerate(employees) if current_contract(e)["end_date"] is None]
        count = min(len(working), count if count is not None else round(len(working) * (percent or 0) / 100))
        now = now or stamp(datetime.now(UTC))
        if count:
            for position in working[:: max(1, len(working) // count)][:count]:
                employees[position] = raised(employees[position], now)
        return count

    def edit_employee(self, company_id: str, employee_id: str, fields: dict, now: str | None = None) -> dict:
        """What an HR admin's edit at the provider does: new values, a new `updated_at`."""
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"only {', '.join(EDITABLE_FIELDS)} can be edited, not {', '.join(sorted(unknown))}")
        company = self.company(company_id)
        if company is None:
            raise KeyError(f"no company {company_id}")
        index = employee_index(company, employee_id)
        edited = {**copy.deepcopy(company["employees"][index]), **fields, "updated_at": now or stamp(datetime.now(UTC))}
        company["employees"][index] = edited
        return edited

    def fresh_copy(self) -> Dataset:
        """A copy whose lists can change freely while employee dicts stay shared.

        Copying 50,000 references is instant where regenerating or deep-copying
        takes a second; it works because employee dicts are never edited in place.
        """
        return Dataset(
            companies=[
                {
                    **company,
                    "employees": list(company["employees"]),
                    "hours_imports": copy.deepcopy(company.get("hours_imports", [])),
                }
                for company in self.companies
            ],
            wage_codes=copy.deepcopy(self.wage_codes),
            hour_codes=copy.deepcopy(self.hour_codes),
            scheduled_changes=self.scheduled_changes,
            run=self.run,
        )

    def to_json(self) -> dict:
        return {
            "companies": self.companies,
            "wage_codes": self.wage_codes,
            "hour_codes": self.hour_codes,
            "scheduled_changes": self.scheduled_changes,
        }


def stamp(moment: datetime) -> str:
    """A moment as the sandboxes write `updated_at` and `as_of`: UTC to the microsecond,
    always the same width, so that comparing two stamps as text compares the moments."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def updated_at(employee: dict) -> str:
    return employee.get("updated_at") or UNCHANGED_SINCE


def employee_index(company: dict, employee_id: str) -> int:
    for index, employee in enumerate(company["employees"]):
        if employee["id"] == employee_id:
            return index
    raise KeyError(f"no employee {employee_id} in company {company['id']}")


def current_contract(employee: dict) -> dict:
    # The latest contract is the one a salary change or an end of contract applies to.
    return max(employee["contracts"], key=lambda c: c["start_date"])


def apply_change(company: dict, change: dict, now: str) -> None:
    """Apply one scheduled change at `now`; employee dicts are replaced, never edited in place."""
    employees = company["employees"]
    if change["kind"] == "new_hire":
        employees.append({**copy.deepcopy(change["employee"]), "updated_at": now})
        return
    index = employee_index(company, change["employee_id"])
    employee = employees[index]
    if change["kind"] == "removal":
        del employees[index]
    elif change["kind"] == "entity_move":
        del employees[index]
        employees.append({**moved_employee(employee, change), "updated_at": now})
    else:
        employees[index] = changed_employee(employee, change, now)


def changed_employee(employee: dict, change: dict, now: str) -> dict:
    changed = copy.deepcopy(employee)
    changed["updated_at"] = now
    kind = change["kind"]
    if kind == "salary_change":
        current_contract(changed)["gross_amount"] = change["gross_amount"]
    elif kind == "email_change":
        changed["email"] = change["email"]
    elif kind == "phone_change":
        changed["phone"] = change["phone"]
    elif kind == "contract_end":
        current_contract(changed)["end_date"] = change["end_date"]
    elif kind == "correction":
        # What an HR admin corrects at the provider: the person's fields, the latest contract's.
        changed.update(copy.deepcopy(change.get("fields", {})))
        current_contract(changed).update(copy.deepcopy(change.get("contract", {})))
    else:
        raise ValueError(f"unknown scheduled change {kind!r}")
    return changed


def raised(employee: dict, now: str) -> dict:
    """The same person with 5 % more on the latest contract (a new dict, as always)."""
    amount = f"{float(current_contract(employee)['gross_amount']) * 1.05:.2f}"
    return changed_employee(employee, {"kind": "salary_change", "gross_amount": amount}, now)


def moved_employee(employee: dict, change: dict) -> dict:
    """The record a provider creates when someone moves entity: new ID, same e-mail."""
    moved = copy.deepcopy(employee)
    moved["id"] = change["new_employee_id"]
    moved["entity_id"] = change["entity_id"]
    for number, contract in enumerate(moved["contracts"], start=1):
        contract["id"] = f"{moved['id']}-K{number}"
        contract["entity_id"] = change["entity_id"]
    return moved


class EmployeeFactory:
    """Draws employees for one company from one seeded random stream."""

    def __init__(self, rng: random.Random, company: dict) -> None:
        self.rng = rng
        self.company = company
        self.email_counts: dict[str, int] = {}
        self.slugs = {name: ascii_slug(name) for names in FIRST_NAMES.values() for name in names}
        self.slugs.update({name: ascii_slug(name) for name in LAST_NAMES})

    def language(self) -> str:
        draw = self.rng.random()
        for language, weight in LANGUAGE_WEIGHTS:
            if draw < weight:
                return language
            draw -= weight
        return "nl"

    def email(self, first_name: str, last_name: str) -> str:
        local = f"{self.slugs[first_name]}.{self.slugs[last_name]}"
        seen = self.email_counts.get(local, 0) + 1
        self.email_counts[local] = seen
        suffix = "" if seen == 1 else str(seen)
        return f"{local}{suffix}@{self.company['email_domain']}"

    def phone(self) -> str:
        if self.rng.random() < 0.85:
            return f"+324{self.rng.randint(60, 99)}{self.rng.randint(0, 999999):06d}"
        # Dutch mobiles are 06-1… to 06-5…; the draw is folded into that range rather than
        # drawn from it, so the random stream (and every later person) stays as it was.
        digits = str(self.rng.randint(10000000, 99999999))
        return f"+316{1 + (int(digits[0]) - 1) % 5}{digits[1:]}"

    def employee(self, number: int) -> dict:
        rng = self.rng
        language = self.language()
        first_names = FIRST_NAMES[language]
        first_name = first_names[int(rng.random() * len(first_names))]
        last_name = LAST_NAMES[int(rng.random() * len(LAST_NAMES))]
        entities = self.company["entities"]
        entity_id = entities[int(rng.random() * len(entities))]["id"]
        employee_id = f"{self.company['id']}-{number:06d}"
        contracts = self.contracts(employee_id, entity_id)
        return {
            "id": employee_id,
            "employee_number": f"{number:06d}",
            "first_name": first_name,
            "last_name": last_name,
            "email": self.email(first_name, last_name),
            "language": language,
            "phone": self.phone(),
            "start_date": contracts[0]["start_date"],
            "entity_id": entity_id,
            # Generic HR exclusions: the customer asked not to sync these people.
            # Every 25th, so even a small dataset has some.
            "excluded": number % 25 == 0,
            "contracts": contracts,
        }

    def contracts(self, employee_id: str, entity_id: str) -> list[dict]:
        draw = self.rng.random()
        if draw < 0.05:
            # Former staff: only ended contracts, so Connexie must not import them.
            return [self.contract(employee_id, 1, entity_id, 2014, 2019, ended=True)]
        if draw < 0.25:
            return [
                self.contract(employee_id, 1, entity_id, 2012, 2017, ended=True),
                self.contract(employee_id, 2, entity_id, 2020, 2024, ended=False),
            ]
        return [self.contract(employee_id, 1, entity_id, 2012, 2025, ended=False)]

    def contract(
        self,
        employee_id: str,
        number: int,
        entity_id: str,
        first_year: int,
        last_year: int,
        *,
        ended: bool,
    ) -> dict:
        rng = self.rng
        start = f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-01"
        end = f"{int(start[:4]) + rng.randint(1, 3)}-{rng.randint(1, 12):02d}-28" if ended else None
        if not ended and rng.random() < 0.08:
            end = f"{rng.randint(2027, 2030)}-12-31"  # fixed-term contract, still running
        blue_collar = rng.random() < 0.35
        flex = blue_collar and rng.random() < 0.6
        regime = WORK_REGIMES[int(rng.random() * len(WORK_REGIMES))]
        return {
            "id": f"{employee_id}-K{number}",
            "wage_type": "hourly" if blue_collar else "monthly",
            "gross_amount": self.gross_amount(blue_collar, flex),
            "start_date": start,
            "end_date": end,
            "worker_class": "blue_collar" if blue_collar else "white_collar",
            "work_regime_pct": str(regime),
            "weekly_hours": f"{FULL_TIME_WEEKLY_HOURS * regime / 100:.2f}",
            # Employer social security is a few points higher on blue-collar wages.
            "employer_social_security_pct": "27.00" if blue_collar else "25.00",
            "contract_type": "flex" if flex else "fixed_hours",
            "entity_id": entity_id,
            "wage_code": "1020" if flex else ("1010" if blue_collar else "1000"),
        }

    def gross_amount(self, hourly: bool, flex: bool) -> str:
        if hourly:
            low = 13.5 if flex else 15.0
            return f"{low + self.rng.random() * 9:.2f}"
        return f"{2100 + self.rng.random() * 4400:.2f}"


def generate_companies(rng: random.Random, count: int) -> list[dict]:
    companies = []
    for index in range(count):
        demo = index == 0
        name = DEMO_COMPANY_NAME if demo else COMPANY_NAMES[(index - 1) % len(COMPANY_NAMES)]
        company_id = f"C{index + 1:03d}"
        companies.append(
            {
                "id": company_id,
                "name": name,
                "vat": DEMO_COMPANY_VAT if demo else be_vat_from_base(rng.randint(2_000_000, 19_999_999)),
                # With three or more companies, the last one shows "integration not available".
                "integration_available": not (count >= 3 and index == count - 1),
                "email_domain": "flexsync-demo.be" if demo else f"{ascii_slug(name)}.be",
                "api_token": f"cnx_{company_id.lower()}_{rng.getrandbits(64):016x}",
                "api_key": f"hris_{company_id.lower()}_{rng.getrandbits(64):016x}",
                "users": company_users(company_id, name),
                "entities": company_entities(rng, company_id, name),
                "employees": [],
                "hours_imports": [],
            }
        )
    return companies


def company_users(company_id: str, company_name: str) -> list[dict]:
    # Liantis: only the main user may consent; the colleague shows the refusal.
    login_base = company_id.lower()
    return [
        {"login": f"main.{login_base}", "name": f"Hoofdgebruiker {company_name}", "main_user": True},
        {"login": f"colleague.{login_base}", "name": "Collègue RH", "main_user": False},
    ]


def company_entities(rng: random.Random, company_id: str, company_name: str) -> list[dict]:
    count = rng.randint(2, 3)
    cities = rng.sample(CITIES, count)
    return [{"id": f"{company_id}-V{number}", "name": f"{company_name} – {city}"} for number, city in enumerate(cities, start=1)]


def scheduled_changes(rng: random.Random, company: dict, factory: EmployeeFactory) -> list[dict]:
    """One change of every kind for run 1, on distinct employees of the company."""
    # Only people still under contract, so "end of contract" and "salary change" mean something.
    employees = [e for e in company["employees"] if current_contract(e)["end_date"] is None]
    if len(employees) < 6:
        return []
    chosen = rng.sample(employees, 6)
    other_entity = next(e["id"] for e in company["entities"] if e["id"] != chosen[5]["entity_id"])
    hire = factory.employee(len(company["employees"]) + 1)
    # A new hire starts now, whatever history the generator gave them.
    contract = factory.contract(hire["id"], 1, hire["entity_id"], 2025, 2025, ended=False)
    hire = {**hire, "contracts": [contract], "start_date": contract["start_date"]}
    base = {"run": 1, "company_id": company["id"]}
    return [
        {**base, "kind": "new_hire", "employee": hire},
        {**base, "kind": "removal", "employee_id": chosen[0]["id"]},
        {
            **base,
            "kind": "salary_change",
            "employee_id": chosen[1]["id"],
            "gross_amount": f"{float(current_contract(chosen[1])['gross_amount']) * 1.05:.2f}",
        },
        {**base, "kind": "email_change", "employee_id": chosen[2]["id"], "email": f"new.{chosen[2]['email']}"},
        {**base, "kind": "phone_change", "employee_id": chosen[3]["id"], "phone": factory.phone()},
        {**base, "kind": "contract_end", "employee_id": chosen[4]["id"], "end_date": "2026-01-31"},
        {
            **base,
            "kind": "entity_move",
            "employee_id": chosen[5]["id"],
            "new_employee_id": f"{chosen[5]['id']}-M",
            "entity_id": other_entity,
        },
    ]


def generate_dataset(seed: int = 1, size: int = 200, companies: int = 3) -> Dataset:
    """`size` employees for each of `companies` companies; the first is the demo tenant."""
    if not 1 <= size <= 50_000:
        raise ValueError("size must be between 1 and 50,000 employees per company")
    rng = random.Random(seed)
    generated = generate_companies(rng, max(companies, 1))
    changes = []
    for company in generated:
        factory = EmployeeFactory(rng, company)
        company["employees"] = [factory.employee(number) for number in range(1, size + 1)]
        changes.extend(scheduled_changes(rng, company, factory))
    return Dataset(companies=generated, scheduled_changes=changes)


# A date relative to the day the file is loaded, so that a dataset never goes stale:
# "today", "today-1d" (yesterday), "today+2w", "today+1m" (a month on), "today-3y".
RELATIVE_DATE = re.compile(r"^today(?:\s*([+-])\s*(\d+)\s*([dwmy]))?$")
DATE_FIELDS = ("start_date", "end_date", "date")


def resolve_date(value: str, today: date) -> str:
    """A relative date as an ISO date; any other value as it is (a fault such as 2021-02-31 too)."""
    match = RELATIVE_DATE.match(value.strip())
    if match is None:
        return value
    sign, amount, unit = match.groups()
    if sign is None:
        return today.isoformat()
    count = int(amount) * (1 if sign == "+" else -1)
    if unit in "dw":
        return (today + timedelta(days=count * (7 if unit == "w" else 1))).isoformat()
    months = today.month - 1 + count * (12 if unit == "y" else 1)
    year, month = today.year + months // 12, months % 12 + 1
    # The 31st a month on is that month's last day.
    return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1])).isoformat()


def resolve_dates(data, today: date):
    """Every start_date, end_date and date in the data, relative ones resolved."""
    if isinstance(data, list):
        return [resolve_dates(item, today) for item in data]
    if isinstance(data, dict):
        return {
            key: resolve_date(value, today) if key in DATE_FIELDS and isinstance(value, str) else resolve_dates(value, today)
            for key, value in data.items()
        }
    return data


def completed_contract(contract: dict, employee: dict, number: int) -> dict:
    """A dataset's contract with what it may leave out filled in, as the generator would have it."""
    hourly = contract["wage_type"] == "hourly"
    blue_collar = contract.get("worker_class", "blue_collar" if hourly else "white_collar") == "blue_collar"
    regime = str(contract.get("work_regime_pct", "100"))
    flex = contract.get("contract_type") == "flex"
    return {
        "id": f"{employee['id']}-K{number}",
        "end_date": None,
        "worker_class": "blue_collar" if blue_collar else "white_collar",
        "work_regime_pct": regime,
        "weekly_hours": f"{FULL_TIME_WEEKLY_HOURS * float(regime) / 100:.2f}",
        "employer_social_security_pct": "27.00" if blue_collar else "25.00",
        "contract_type": "fixed_hours",
        "entity_id": employee.get("entity_id"),
        "wage_code": "1020" if flex else ("1010" if hourly else "1000"),
        **contract,
    }


def completed_employee(employee: dict, company: dict) -> dict:
    with_entity = {"entity_id": company["entities"][0]["id"], **employee}
    contracts = [completed_contract(c, with_entity, number) for number, c in enumerate(employee.get("contracts", []), start=1)]
    return {
        "employee_number": None,
        "language": "nl",
        "phone": None,
        "start_date": min((c["start_date"] for c in contracts), default=None),
        "excluded": False,
        **with_entity,
        "contracts": contracts,
    }


def completed_company(company: dict) -> dict:
    lower = company["id"].lower()
    completed = {
        "integration_available": True,
        "api_token": f"cnx_{lower}",
        "api_key": f"hris_{lower}",
        "users": company_users(company["id"], company["name"]),
        "entities": [{"id": f"{company['id']}-V1", "name": company["name"]}],
        "hours_imports": [],
        # Flexsync's own people of this company before its first sync: `make run`'s seed
        # creates them (demo/seed.py); the sandbox serves none of them.
        "local_users": [],
        **company,
    }
    completed["employees"] = [completed_employee(e, completed) for e in company.get("employees", [])]
    return completed


def completed_change(change: dict, companies: list[dict]) -> dict:
    if change["kind"] != "new_hire":
        return change
    company = next(c for c in companies if c["id"] == change["company_id"])
    return {**change, "employee": completed_employee(change["employee"], company)}


def load_dataset(path: str | Path, today: date | None = None) -> Dataset:
    """A dataset file, its relative dates resolved against `today` and what it may leave out
    filled in (docs/sandbox.md, "Writing a dataset")."""
    data = resolve_dates(json.loads(Path(path).read_text(encoding="utf-8")), today or date.today())
    companies = [completed_company(company) for company in data["companies"]]
    dataset = Dataset(
        companies=companies,
        scheduled_changes=[completed_change(change, companies) for change in data.get("scheduled_changes", [])],
    )
    dataset.wage_codes = data.get("wage_codes", dataset.wage_codes)
    dataset.hour_codes = data.get("hour_codes", dataset.hour_codes)
    return dataset
