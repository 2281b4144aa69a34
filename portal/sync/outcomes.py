"""How a sync run and each employee in it ended, in codes the web layer translates.

The seeds' products only say "Partial" and send the admin to support; Flexsync lists
every failed employee with the reason and what to do about it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields


def N_(text: str) -> str:
    """Marks a source text for translation; the web layer translates it when shown."""
    return text


class Reason(enum.StrEnum):
    # Failures: the employee was not synced this run.
    MISSING_EMAIL = "missing_email"
    BAD_DATE = "bad_date"
    CONTRACT_ENDS_BEFORE_START = "contract_ends_before_start"
    NEGATIVE_SALARY = "negative_salary"
    UNKNOWN_WAGE_TYPE = "unknown_wage_type"
    FIELD_TOO_LONG = "field_too_long"
    MALFORMED = "malformed"
    DUPLICATE_ID = "duplicate_id"
    UNREADABLE_VALUE = "unreadable_value"
    ENTITY_MOVE = "entity_move"
    EMAIL_IN_USE = "email_in_use"
    # Skips: deliberately left out, not an error.
    NO_ACTIVE_CONTRACT = "no_active_contract"
    EXCLUDED = "excluded"
    NOT_SELECTED = "not_selected"
    # Left out by the integration's own settings (skipped when new, deactivated when synced before).
    VENUE_INACTIVE = "venue_inactive"
    VENUE_NOT_MAPPED = "venue_not_mapped"
    ENTITY_NOT_SYNCED = "entity_not_synced"
    EXCLUDED_IN_SETTINGS = "excluded_in_settings"
    # The same person (same e-mail) listed by two of the company's integrations: the one
    # the admin chose as master syncs them (until chosen, the one that synced them first).
    SYNCED_BY_OTHER_INTEGRATION = "synced_by_other_integration"
    # An update: the master integration takes over someone another integration synced.
    TAKEN_OVER = "taken_over"
    # Deactivations.
    REMOVED_AT_PROVIDER = "removed_at_provider"
    CONTRACTS_ENDED = "contracts_ended"


class Fix(enum.StrEnum):
    """What to do about a reason: each reason has its own, said as precisely as it can be."""

    ADD_EMAIL_AT_PROVIDER = "add_email_at_provider"
    CORRECT_DATE_AT_PROVIDER = "correct_date_at_provider"
    CORRECT_CONTRACT_DATES_AT_PROVIDER = "correct_contract_dates_at_provider"
    CORRECT_SALARY_AT_PROVIDER = "correct_salary_at_provider"
    SET_WAGE_TYPE_AT_PROVIDER = "set_wage_type_at_provider"
    SHORTEN_AT_PROVIDER = "shorten_at_provider"
    CORRECT_VALUE_AT_PROVIDER = "correct_value_at_provider"
    CONTACT_SUPPORT = "contact_support"
    UNIQUE_ID_AT_PROVIDER = "unique_id_at_provider"
    MOVE_ACCOUNT_WITH_SUPPORT = "move_account_with_support"
    USE_UNIQUE_EMAIL = "use_unique_email"
    WAIT_FOR_CONTRACT = "wait_for_contract"
    REMOVE_EXCLUSION_AT_PROVIDER = "remove_exclusion_at_provider"
    SELECT_EMPLOYEE = "select_employee"
    MAP_INACTIVE_VENUE = "map_inactive_venue"
    MAP_VENUE = "map_venue"
    TICK_ENTITY = "tick_entity"
    REMOVE_EXCLUSION = "remove_exclusion"
    CHOOSE_MASTER = "choose_master"
    NOTHING_TO_DO = "nothing_to_do"
    LISTED_AGAIN_REACTIVATES = "listed_again_reactivates"
    NEW_CONTRACT_REACTIVATES = "new_contract_reactivates"


FIX_FOR: dict[Reason, Fix] = {
    Reason.MISSING_EMAIL: Fix.ADD_EMAIL_AT_PROVIDER,
    Reason.BAD_DATE: Fix.CORRECT_DATE_AT_PROVIDER,
    Reason.CONTRACT_ENDS_BEFORE_START: Fix.CORRECT_CONTRACT_DATES_AT_PROVIDER,
    Reason.NEGATIVE_SALARY: Fix.CORRECT_SALARY_AT_PROVIDER,
    Reason.FIELD_TOO_LONG: Fix.SHORTEN_AT_PROVIDER,
    # Securex sends "per_shift" for a wage type set wrong there: the admin sets it right.
    Reason.UNKNOWN_WAGE_TYPE: Fix.SET_WAGE_TYPE_AT_PROVIDER,
    Reason.MALFORMED: Fix.CONTACT_SUPPORT,
    Reason.DUPLICATE_ID: Fix.UNIQUE_ID_AT_PROVIDER,
    Reason.UNREADABLE_VALUE: Fix.CORRECT_VALUE_AT_PROVIDER,
    Reason.ENTITY_MOVE: Fix.MOVE_ACCOUNT_WITH_SUPPORT,
    Reason.EMAIL_IN_USE: Fix.USE_UNIQUE_EMAIL,
    Reason.NO_ACTIVE_CONTRACT: Fix.WAIT_FOR_CONTRACT,
    Reason.EXCLUDED: Fix.REMOVE_EXCLUSION_AT_PROVIDER,
    Reason.NOT_SELECTED: Fix.SELECT_EMPLOYEE,
    Reason.VENUE_INACTIVE: Fix.MAP_INACTIVE_VENUE,
    Reason.VENUE_NOT_MAPPED: Fix.MAP_VENUE,
    Reason.ENTITY_NOT_SYNCED: Fix.TICK_ENTITY,
    Reason.EXCLUDED_IN_SETTINGS: Fix.REMOVE_EXCLUSION,
    Reason.SYNCED_BY_OTHER_INTEGRATION: Fix.CHOOSE_MASTER,
    Reason.TAKEN_OVER: Fix.NOTHING_TO_DO,
    Reason.REMOVED_AT_PROVIDER: Fix.LISTED_AGAIN_REACTIVATES,
    Reason.CONTRACTS_ENDED: Fix.NEW_CONTRACT_REACTIVATES,
}

# English source texts; the web layer wraps them in gettext.
REASON_TEXT: dict[Reason, str] = {
    Reason.MISSING_EMAIL: N_("The provider has no e-mail address for this employee."),
    Reason.BAD_DATE: N_("A date at the provider is missing or is a day that does not exist (such as 31 February)."),
    Reason.CONTRACT_ENDS_BEFORE_START: N_("A contract at the provider ends before it starts."),
    Reason.NEGATIVE_SALARY: N_("The provider sends a negative gross salary."),
    Reason.UNKNOWN_WAGE_TYPE: N_("The provider sends a wage type Flexsync does not know: it syncs hourly and monthly wages."),
    Reason.FIELD_TOO_LONG: N_("A field at the provider is longer than Flexsync can store."),
    Reason.MALFORMED: N_("The provider sent this employee in a form Flexsync cannot read."),
    Reason.DUPLICATE_ID: N_("The provider sent two employees with the same ID."),
    # The run line names the field and quotes the value (`ProblemDetail`).
    Reason.UNREADABLE_VALUE: N_("A value at the provider is not in a form Flexsync can read."),
    Reason.ENTITY_MOVE: N_(
        "An account already exists for this e-mail, under another provider ID (often a move to another entity)."
    ),
    Reason.EMAIL_IN_USE: N_(
        "Another account in Flexsync already has this e-mail address: the provider gives it to someone else too."
    ),
    Reason.NO_ACTIVE_CONTRACT: N_("No active contract at the provider today."),
    Reason.EXCLUDED: N_("Excluded from the sync at the provider."),
    Reason.NOT_SELECTED: N_("Not selected for the sync."),
    Reason.VENUE_INACTIVE: N_("The employee's venue is set to Inactive in the Connexie settings."),
    Reason.VENUE_NOT_MAPPED: N_("The employee's venue is not mapped to one of your entities in the Connexie settings."),
    Reason.ENTITY_NOT_SYNCED: N_("The employee's entity is not ticked under Entities to sync in the settings."),
    Reason.EXCLUDED_IN_SETTINGS: N_("Listed under Excluded employees in the settings of the integration."),
    Reason.SYNCED_BY_OTHER_INTEGRATION: N_(
        "Another of your integrations lists the same person (same e-mail address) and syncs them: one integration is "
        "master of the people both list."
    ),
    Reason.TAKEN_OVER: N_(
        "Another of your integrations listed the same person. This integration is master of the people both list, "
        "so it syncs them from now on."
    ),
    Reason.REMOVED_AT_PROVIDER: N_("Removed at the provider."),
    Reason.CONTRACTS_ENDED: N_("All contracts at the provider have ended."),
}

FIX_TEXT: dict[Fix, str] = {
    Fix.ADD_EMAIL_AT_PROVIDER: N_("Add the e-mail address at the provider, then sync again."),
    Fix.CORRECT_DATE_AT_PROVIDER: N_("Correct the date at the provider (a day that exists, as 2025-01-31), then sync again."),
    Fix.CORRECT_CONTRACT_DATES_AT_PROVIDER: N_(
        "Correct the contract's start or end date at the provider so that it ends after it starts, then sync again."
    ),
    Fix.CORRECT_SALARY_AT_PROVIDER: N_("Correct the gross salary at the provider to a positive amount, then sync again."),
    Fix.SET_WAGE_TYPE_AT_PROVIDER: N_("Set the wage type to hourly or monthly at the provider, then sync again."),
    Fix.SHORTEN_AT_PROVIDER: N_("Shorten the field at the provider, then sync again."),
    Fix.CORRECT_VALUE_AT_PROVIDER: N_(
        "Correct this value at the provider (an amount as 3500.00, a date as 2025-01-31, a phone number as "
        "+32 470 12 34 56), then sync again."
    ),
    Fix.CONTACT_SUPPORT: N_("Contact support: the provider's data needs a closer look."),
    Fix.UNIQUE_ID_AT_PROVIDER: N_(
        "The first employee with this ID was synced. Ask the provider to give each employee their own ID, then sync again."
    ),
    # The seeds send entity moves to support: the sync never moves an account itself.
    Fix.MOVE_ACCOUNT_WITH_SUPPORT: N_(
        "An account already exists for this e-mail. A move between entities is not synced: contact support to move the account."
    ),
    Fix.USE_UNIQUE_EMAIL: N_("Correct the e-mail address at the provider so that each person has their own, then sync again."),
    Fix.WAIT_FOR_CONTRACT: N_("Nothing to do: the sync brings them in once a contract of theirs runs at the provider."),
    Fix.REMOVE_EXCLUSION_AT_PROVIDER: N_(
        "Nothing to do if the exclusion is on purpose. To sync them, remove the exclusion at the provider."
    ),
    Fix.SELECT_EMPLOYEE: N_("Select the employee in the selection window to sync them."),
    Fix.MAP_INACTIVE_VENUE: N_(
        "Nothing to do if the venue is Inactive on purpose. To sync its people, map it to one of your entities in the "
        "Connexie settings."
    ),
    Fix.MAP_VENUE: N_(
        "Nothing to do if the venue is not used. To sync its people, map it to one of your entities in the Connexie settings."
    ),
    Fix.TICK_ENTITY: N_(
        "Nothing to do if the entity is left out on purpose. To sync its people, tick it under Entities to sync in the settings."
    ),
    Fix.REMOVE_EXCLUSION: N_(
        "Nothing to do if the exclusion is on purpose. To sync them again, remove them from Excluded employees in the settings."
    ),
    Fix.CHOOSE_MASTER: N_(
        "Nothing to do if the other integration should keep them. To sync them from this one, choose it as master of "
        "the people both integrations list, on the Integrations page."
    ),
    Fix.NOTHING_TO_DO: N_("Nothing to do."),
    Fix.LISTED_AGAIN_REACTIVATES: N_(
        "Nothing to do: access is revoked and the budget frozen. If the provider lists them again, the next sync "
        "activates them again."
    ),
    Fix.NEW_CONTRACT_REACTIVATES: N_(
        "Nothing to do: access is revoked and the budget frozen. A new contract at the provider activates them "
        "again at the next sync."
    ),
}


class RunStatus(enum.StrEnum):
    SUCCESS = "success"
    PARTIAL = "partial"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class RunCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    deactivated: int = 0
    # People seen for the first time in selective mode, waiting in the selection window.
    new_to_review: int = 0

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def synced(self) -> int:
        return self.created + self.updated + self.unchanged + self.deactivated


def run_status(counts: RunCounts, provider_failed: bool = False, changes_only: bool = False) -> RunStatus:
    """Success: all synced; Partial: some failed; Error: none synced or the provider failed.

    A run of the changes only lists a few people: when all of those fail, the others
    are still in step with the provider, so it is Partial, not Error.
    """
    if provider_failed:
        return RunStatus.ERROR
    if counts.failed == 0:
        return RunStatus.SUCCESS
    return RunStatus.PARTIAL if counts.synced or changes_only else RunStatus.ERROR


@dataclass(frozen=True, slots=True)
class ProblemDetail:
    """The provider's value behind a failure, for the run line: which field (by the
    engine's name, e.g. "wage_contract.provider_gross_amount"), and the value as sent."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class EmployeeOutcome:
    """One line of the run's drill-down: who, and for failures why and what to do."""

    display_name: str
    provider_id: str | None
    local_id: int | None
    reason: Reason

    @property
    def fix(self) -> Fix:
        return FIX_FOR[self.reason]
