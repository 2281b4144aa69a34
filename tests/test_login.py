"""An HR admin logs in, sees their company, and logs out."""


def test_the_dashboard_asks_for_a_login_first(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_demo_admin_logs_in_and_sees_their_company(client, auth):
    response = auth.login()
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Demo NV" in page
    assert "BE0123456749" in page


def test_a_wrong_password_says_what_to_do(client, auth):
    response = auth.login(password="not-the-password")
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logging_out_ends_the_session(client, auth):
    auth.login()
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_does_not_redirect_to_another_site(client):
    from helpers.pages import csrf_token_from

    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "hr@demo.test", "password": "demo", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_the_session_cookie_is_httponly_and_samesite_lax(client, auth):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_carry_security_headers(client):
    headers = client.get("/login").headers
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
