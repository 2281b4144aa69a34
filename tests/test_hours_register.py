"""The hours table, editing a shift, and the CSV import of shifts."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from helpers.pages import csrf_token_from
from portal.extensions import db
from portal.models import WorkedShift

HEADER = "email;date;start;end;break_minutes;meals;allowance;approved\n"


def shift_count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(WorkedShift)).scalar_one()


def upload(client, text: str | bytes, **extra):
    token = csrf_token_from(client.get("/hours/import").get_data(as_text=True))
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        "/hours/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "hours.csv"), **extra},
        content_type="multipart/form-data",
    )


def test_a_file_with_errors_imports_nothing_and_says_line_column_and_what_is_wrong(app, client, auth, staff):
    auth.login()
    text = HEADER + (
        "an.janssens@demo.test;2025-05-12;09:00;15:30;30;1;4,50;ja\n"  # line 2: fine
        "nobody@demo.test;2025-05-12;09:00;15:30;30;0;0;yes\n"  # line 3: unknown person
        "bram.maes@demo.test;31/02/2025;9h;15:30;30;0;0;maybe\n"  # line 4: three problems
        "olga@other.test;2025-05-13;09:00;10:00;90;0;0;no\n"  # line 5: other company; break too long
    )
    response = upload(client, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert shift_count(app) == 0
    rows = re.findall(r"<tr><td>(\d+)</td><td>([a-z_]+)</td><td>([^<]+)</td></tr>", page)
    assert [(line, column) for line, column, _ in rows] == [
        ("3", "email"),
        ("4", "date"),
        ("4", "start"),
        ("4", "approved"),
        ("5", "email"),
        ("5", "break_minutes"),
    ]
    assert "No employee of your company has the e-mail address “nobody@demo.test”." in page
    assert "“31/02/2025” is not a date. Write it as 2025-05-31 or 31/05/2025." in page
    assert "Import the 1 correct line" in page


def test_the_admin_can_choose_to_import_only_the_valid_lines(app, client, auth, staff):
    auth.login()
    text = HEADER + "an.janssens@demo.test;2025-05-12;09:00;15:30;30;1;4,50;ja\nbram.maes@demo.test;2025-05-12;25:00;15:30;;;;\n"
    page = upload(client, text).get_data(as_text=True)
    content = re.search(r'name="content" value="([^"]*)"', page).group(1)
    import html

    response = client.post(
        "/hours/import", data={"csrf_token": csrf_token_from(page), "content": html.unescape(content), "valid_lines_only": "yes"}
    )
    assert response.status_code == 302
    with app.app_context():
        (shift,) = db.session.execute(select(WorkedShift)).scalars()
        assert (shift.employee_id, str(shift.allowance_amount), shift.meals, shift.approved) == (staff["An"], "4.50", 1, True)
    assert "1 line with errors was not imported." in client.get("/hours").get_data(as_text=True)


def test_importing_the_same_file_twice_updates_instead_of_doubling(app, client, auth, staff):
    auth.login()
    text = HEADER + "an.janssens@demo.test,2025-05-12,22:00,02:00,0,0,0,no\n".replace(",", ";")
    assert upload(client, text).status_code == 302
    assert upload(client, text.replace(";no", ";yes")).status_code == 302
    with app.app_context():
        (shift,) = db.session.execute(select(WorkedShift)).scalars()
        assert shift.approved


def test_a_comma_separated_file_names_the_empty_required_column(app, client, auth, staff):
    auth.login()
    page = upload(client, "email,date,start,end\nan.janssens@demo.test,2025-05-12,09:00,\n").get_data(as_text=True)
    assert "<tr><td>2</td><td>end</td><td>Empty: this column is required.</td></tr>" in page
    assert shift_count(app) == 0


def test_a_file_over_the_limits_is_refused_with_the_limit(app, client, auth, staff, monkeypatch):
    from portal.hours import csv_import

    auth.login()
    too_big = upload(client, HEADER + "x" * (csv_import.MAX_FILE_BYTES + 10))
    assert too_big.status_code == 400 and "larger than 400 kB" in too_big.get_data(as_text=True)
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    line = "an.janssens@demo.test;2025-05-{:02d};09:00;15:30;30;0;0;yes\n"
    too_many = upload(client, HEADER + "".join(line.format(d) for d in range(1, 6)))
    assert "more than 3 lines" in too_many.get_data(as_text=True)
    missing = upload(client, "name;day\nAn;2025-05-12\n")
    assert "missing: email, date, start, end" in missing.get_data(as_text=True)
    assert shift_count(app) == 0


def test_the_table_filters_by_month_and_employee_and_pages(app, client, auth, staff):
    auth.login()
    lines = "".join(f"an.janssens@demo.test;2025-05-{d:02d};09:00;17:00;60;0;0;yes\n" for d in range(1, 32))
    lines += "".join(f"bram.maes@demo.test;2025-05-{d:02d};09:00;17:00;60;0;0;yes\n" for d in range(1, 31))
    lines += "bram.maes@demo.test;2025-06-02;09:00;17:00;60;0;0;yes\n"
    assert upload(client, HEADER + lines).status_code == 302
    page = client.get("/hours?month=2025-05").get_data(as_text=True)
    assert "61 shifts" in page and "Page 1 of 2" in page and "<th>Exported</th>" in page
    rows = client.get(f"/hours?month=2025-05&employee={staff['Bram']}", headers={"HX-Request": "true", "HX-Target": "hour-rows"})
    fragment = rows.get_data(as_text=True)
    assert "<html" not in fragment and "30 shifts" in fragment and "An Janssens" not in fragment
    assert "1 shift" in client.get("/hours?month=2025-06").get_data(as_text=True)


def test_editing_an_exported_shift_warns_that_the_month_must_be_exported_again(app, client, auth, staff):
    from datetime import datetime

    auth.login()
    upload(client, HEADER + "an.janssens@demo.test;2025-05-12;09:00;15:30;30;0;0;yes\n")
    with app.app_context():
        shift = db.session.execute(select(WorkedShift)).scalar_one()
        shift.exported_at = datetime(2025, 6, 2, 10, 0)
        shift.updated_at = shift.exported_at
        db.session.commit()
        shift_id = shift.id
    form = client.get(f"/hours/{shift_id}/edit").get_data(as_text=True)
    assert "exported to Connexie on 2025-06-02 10:00" in form and "export 2025-05 again" in form
    response = client.post(
        f"/hours/{shift_id}/edit",
        data={
            "csrf_token": csrf_token_from(form),
            "starts_at": "09:00",
            "ends_at": "16:00",
            "break_minutes": "30",
            "meals": "0",
            "allowance_amount": "0",
            "approved": "y",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "export 2025-05 again" in page and "changed since" in page
