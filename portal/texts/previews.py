"""What each part of a preview means for the admin, under its heading (`Category` labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.sync.preview import Category

CATEGORY_HINTS = {
    Category.FAILED: _l(
        "The sync cannot bring these people in. The reason and what to do are next to each: fix them at the provider, "
        "before the sync or after it."
    ),
    Category.PROBABLE_DUPLICATE: _l(
        "Created as new users, though someone in Flexsync has the same name and the same start date or employee number "
        "under another e-mail address. If they are the same person, merge them on the employee page after the sync."
    ),
    Category.MATCHED_BY_EMAIL: _l(
        "Already in Flexsync with the same e-mail address: the sync links each account to the provider and brings it "
        "up to date. From then on the provider ID is the key."
    ),
    Category.MATCHED_BY_PROVIDER_ID: _l("Synced before: the sync brings them up to date."),
    Category.CREATED: _l("Nobody in Flexsync has their e-mail address: the sync creates a user for each."),
    Category.OFFERED: _l(
        "Selective sync: nobody is added yet. After the first sync you tick whom to sync in the selection window."
    ),
    Category.LEFT_OUT: _l("Skipped on purpose: the reason is next to each."),
    Category.DEACTIVATED: _l("No access any more, budget frozen, data kept."),
    Category.EXTERNAL: _l(
        "In Flexsync, but the provider does not list them: after the first sync they are shown as external users, "
        "and you keep or remove them."
    ),
}
