"""The company's entities: see them with their people, add one, rename one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal import tenancy
from portal.company import entities
from portal.models import Entity
from portal.models.entity import NAME_MAX_LENGTH
from portal.web.access import hr_admin_required
from portal.web.forms import Form

bp = Blueprint("entities", __name__, url_prefix="/company/entities")


class EntityForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the entity a name.")), Length(max=NAME_MAX_LENGTH)])


def name_taken(form: EntityForm) -> None:
    form.name.errors.append(_l("Another entity already has this name. Choose another one."))


def render_list(add_form: EntityForm | None = None, renamed: tuple[int, EntityForm] | None = None, status: int = 200):
    return render_template(
        "company/entities.html",
        rows=entities.entity_rows(),
        add_form=add_form or EntityForm(formdata=None),
        renamed=renamed,
    ), status


@bp.get("")
@hr_admin_required
def index():
    return render_list()


@bp.post("")
@hr_admin_required
def add():
    form = EntityForm()
    if not form.validate_on_submit():
        return render_list(add_form=form, status=400)
    try:
        entity = entities.add_entity(form.name.data)
    except entities.NameTaken:
        name_taken(form)
        return render_list(add_form=form, status=400)
    flash(_l("Entity %(name)s added. Map Connexie venues onto it in the Connexie settings.", name=entity.name), "success")
    return redirect(url_for("entities.index"))


@bp.post("/<int:entity_id>")
@hr_admin_required
def rename(entity_id: int):
    entity = tenancy.get_or_404(Entity, entity_id)
    form = EntityForm()
    if not form.validate_on_submit():
        return render_list(renamed=(entity.id, form), status=400)
    try:
        entities.rename_entity(entity, form.name.data)
    except entities.NameTaken:
        name_taken(form)
        return render_list(renamed=(entity.id, form), status=400)
    flash(_l("Entity renamed to %(name)s. Employees and sync runs show the new name.", name=entity.name), "success")
    return redirect(url_for("entities.index"))
