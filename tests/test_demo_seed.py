"""`make run`'s seed: the local users a dataset names exist in Flexsync before the first sync."""

from __future__ import annotations

from demo import seed
from demo.launcher import DATASETS_DIR
from helpers.logins import AuthActions


def test_the_local_users_of_the_datasets_are_seeded_once_into_the_company_with_their_vat(app, client):
    datasets = [str(DATASETS_DIR / "securex.json"), str(DATASETS_DIR / "hris.json")]
    with app.app_context():
        assert seed.seed_local_users(datasets) == 3
        assert seed.seed_local_users(datasets) == 0, "seeding again creates no one twice"
    AuthActions(client).login()
    page = client.get("/employees").get_data(as_text=True)
    assert "pieter.maes@telenet.be" in page and "Tom" in page and "Jacobs" in page
    AuthActions(client).logout()
    AuthActions(client).login("hr@other.test")
    assert "pieter.maes@telenet.be" not in client.get("/employees").get_data(as_text=True)
