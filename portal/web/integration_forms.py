"""The forms the activation wizard and the settings tab share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l
from wtforms import Field, PasswordField, RadioField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length

from portal.company.entities import EntityRow
from portal.runs.sync_scope import INACTIVE
from portal.sync.state import SyncMode
from portal.texts.labels import label
from portal.web.forms import Form, entity_choices

# A Connexie venue that is not used on the platform must be said (INACTIVE), never left blank (seed).


class ProviderItem(Protocol):
    """A venue, code or entity as the connectors list them."""

    id: str
    name: str


class TokenForm(Form):
    api_token = PasswordField(_l("API token"), validators=[DataRequired(), Length(max=500)])


class ModeForm(Form):
    mode = RadioField(_l("Sync mode"), validators=[InputRequired(message=_l("Choose how employees are synced."))])


def mode_form(allowed: Iterable[SyncMode], current: SyncMode | None = None) -> ModeForm:
    allowed = tuple(allowed)
    form = ModeForm(data={"mode": (current or (allowed[0] if len(allowed) == 1 else None))})
    form.mode.choices = [(mode.value, label(mode)) for mode in allowed]
    return form


# What "Sync changes every" offers, in minutes; a value set otherwise is offered too.
DELTA_INTERVALS = (5, 15, 30, 60)
DELTA_OFF = "off"


class DeltaForm(Form):
    delta_every = SelectField(_l("Sync changes every"))


def delta_form(current: int | None) -> DeltaForm:
    form = DeltaForm(data={"delta_every": str(current) if current else DELTA_OFF})
    minutes = sorted({*DELTA_INTERVALS, *([current] if current else [])})
    # Every choice is several minutes: "minutes" is always the plural.
    form.delta_every.choices = [(str(m), _l("%(num)s minutes", num=m)) for m in minutes] + [
        (DELTA_OFF, _l("Off: only the nightly sync"))
    ]
    return form


def chosen_delta_interval(form: DeltaForm) -> int | None:
    return None if form.delta_every.data == DELTA_OFF else int(form.delta_every.data)


def venue_field_name(index: int) -> str:
    return f"venue_{index}"


def connexie_form(
    venues: list[ProviderItem], entities: list[EntityRow], codes: list[ProviderItem], saved: Mapping[str, Any]
) -> Form:
    """One drop-down per Connexie venue (an entity or Inactive), and the meal and allowance codes."""

    class ConnexieForm(Form):
        pass

    choices = [("", _l("— choose —")), *((str(id_), name) for id_, name in entity_choices(entities)), (INACTIVE, _l("Inactive"))]
    unmapped = _l("Map this venue to one of your entities, or mark it Inactive.")
    for index, venue in enumerate(venues):
        setattr(
            ConnexieForm,
            venue_field_name(index),
            SelectField(venue.name, choices=choices, validators=[InputRequired(message=unmapped)]),
        )
    code_choices = [("", _l("No code: not exported"))] + [(c.id, f"{c.id} – {c.name}") for c in codes]
    ConnexieForm.meal_code = SelectField(_l("Code for meals"), choices=code_choices)
    ConnexieForm.allowance_code = SelectField(_l("Code for allowances"), choices=code_choices)
    mapping = saved.get("venues", {})
    data = {venue_field_name(i): mapping.get(v.id) for i, v in enumerate(venues)}
    data |= {"meal_code": saved.get("meal_code") or "", "allowance_code": saved.get("allowance_code") or ""}
    return ConnexieForm(data=data)


def venue_fields(form: Form, venues: list[ProviderItem]) -> list[Field]:
    return [form[venue_field_name(index)] for index in range(len(venues))]


def connexie_settings(form: Form, venues: list[ProviderItem]) -> dict[str, Any]:
    return {
        "venues": {venue.id: form[venue_field_name(i)].data for i, venue in enumerate(venues)},
        "meal_code": form.meal_code.data or None,
        "allowance_code": form.allowance_code.data or None,
    }


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class HrisForm(Form):
    entities = CheckboxesField(_l("Entities to sync"), validators=[DataRequired(message=_l("Tick at least one entity to sync."))])
    exclusions = TextAreaField(_l("Excluded employees"), validators=[Length(max=20000)])


def hris_form(entities: list[ProviderItem], saved: Mapping[str, Any]) -> HrisForm:
    form = HrisForm(
        data={
            "entities": saved.get("entities", [e.id for e in entities]),
            "exclusions": "\n".join(saved.get("exclusions", [])),
        }
    )
    form.entities.choices = [(e.id, e.name) for e in entities]
    return form


def exclusion_list(text: str) -> list[str]:
    """Employee IDs or numbers, one per line or separated by commas."""
    return sorted({item for item in re.split(r"[\s,;]+", text or "") if item})


def hris_settings(form: HrisForm) -> dict[str, Any]:
    return {"entities": list(form.entities.data), "exclusions": exclusion_list(form.exclusions.data)}
