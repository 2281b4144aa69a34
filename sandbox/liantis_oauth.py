"""The Liantis sandbox's OAuth2 authorization server ("MyLiantis"), built on Authlib.

Authorization code with PKCE S256 (required, even for a confidential client), access
tokens that expire, rotating refresh tokens, RFC 7009 revocation. Everything lives in
memory in one `OAuthStore` per app: the sandbox needs no database.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidRequestError,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask

SCOPE = "payroll.read"
# RFC 6749 §4.1.2 recommends at most ten minutes for an authorization code.
CODE_TTL_S = 600
TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class ProviderUser:
    """Someone who logs in at MyLiantis; only a main user may consent for the company."""

    login: str
    name: str
    main_user: bool
    company_id: str


@dataclass
class RegisteredClient(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        if not scope:
            return SCOPE
        return " ".join(s for s in scope.split() if s == SCOPE)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        return method in TOKEN_AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class IssuedCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: ProviderUser
    code_challenge: str
    code_challenge_method: str
    issued_at: float = field(default_factory=time.time)
    used: bool = False

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + CODE_TTL_S


@dataclass
class IssuedToken(TokenMixin):
    client_id: str
    user: ProviderUser
    scope: str
    access_token: str
    refresh_token: str | None
    expires_in: int
    refresh_expires_in: int
    # The code this grant came from, to revoke it if that code is ever replayed.
    code: str | None = None
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return time.time() >= self.issued_at + self.expires_in

    def is_refresh_expired(self) -> bool:
        return time.time() >= self.issued_at + self.refresh_expires_in

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        return self.user

    @property
    def company_id(self) -> str:
        return self.user.company_id


class OAuthStore:
    """Codes and tokens of one Liantis sandbox, guarded for request threads."""

    def __init__(self, client: RegisteredClient, token_ttl_s: int, refresh_ttl_s: int) -> None:
        self.client = client
        self.token_ttl_s = token_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self.codes: dict[str, IssuedCode] = {}
        self.tokens: list[IssuedToken] = []
        self.lock = threading.Lock()

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return self.client if client_id == self.client.client_id else None

    def by_access_token(self, value: str) -> IssuedToken | None:
        with self.lock:
            return next((t for t in self.tokens if t.access_token == value), None)

    def by_refresh_token(self, value: str) -> IssuedToken | None:
        with self.lock:
            return next((t for t in self.tokens if value and t.refresh_token == value), None)

    def revoke_from_code(self, code: str) -> None:
        with self.lock:
            for token in self.tokens:
                if token.code == code:
                    token.revoked = True

    def expire_access_tokens(self) -> int:
        """Every access token expires now; refresh tokens keep working."""
        with self.lock:
            live = [t for t in self.tokens if not t.revoked and not t.is_expired()]
            for token in live:
                token.expires_in = 0
            return len(live)

    def revoke_all(self) -> int:
        """Consent withdrawn at MyLiantis: every grant stops working."""
        with self.lock:
            live = [t for t in self.tokens if not t.revoked]
            for token in live:
                token.revoked = True
            return len(live)


class RequiredS256(CodeChallenge):
    """PKCE for every authorization request, and only the S256 method."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


def code_grant(store: OAuthStore) -> type[grants.AuthorizationCodeGrant]:
    class LiantisCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS

        def save_authorization_code(self, code, request):
            data = request.payload.data
            with store.lock:
                store.codes[code] = IssuedCode(
                    code=code,
                    client_id=request.client.client_id,
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.scope,
                    user=request.user,
                    code_challenge=data["code_challenge"],
                    code_challenge_method=data["code_challenge_method"],
                )

        def query_authorization_code(self, code, client):
            with store.lock:
                issued = store.codes.get(code)
            if issued is None or issued.client_id != client.client_id or issued.is_expired():
                return None
            if issued.used:
                # RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for.
                store.revoke_from_code(code)
                return None
            return issued

        def delete_authorization_code(self, authorization_code):
            authorization_code.used = True

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    return LiantisCodeGrant


def refresh_grant(store: OAuthStore) -> type[grants.RefreshTokenGrant]:
    class LiantisRefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
        # A new refresh token on every refresh; the old one stops working.
        INCLUDE_NEW_REFRESH_TOKEN = True

        def authenticate_refresh_token(self, refresh_token):
            token = store.by_refresh_token(refresh_token)
            if token is None or token.revoked or token.is_refresh_expired():
                return None
            return token

        def authenticate_user(self, refresh_token):
            return refresh_token.user

        def revoke_old_credential(self, refresh_token):
            refresh_token.revoked = True

    return LiantisRefreshGrant


def revocation_endpoint(store: OAuthStore) -> type[RevocationEndpoint]:
    class LiantisRevocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = TOKEN_AUTH_METHODS

        def query_token(self, token_string, token_type_hint):
            if token_type_hint == "refresh_token":
                return store.by_refresh_token(token_string)
            return store.by_access_token(token_string) or store.by_refresh_token(token_string)

        def revoke_token(self, token, request):
            # Access and refresh token belong to one grant: revoking either ends both.
            token.revoked = True

    return LiantisRevocation


def create_authorization_server(app: Flask, store: OAuthStore, token_ttl) -> AuthorizationServer:
    """`token_ttl()` is read at every issue so the expiry knob applies at run time."""

    def save_token(token: dict, request) -> None:
        ttl = token_ttl()
        # Authlib leaves out expires_in when it is 0; the client must still see it.
        token["expires_in"] = ttl
        issued = IssuedToken(
            client_id=request.client.client_id,
            user=request.user,
            scope=token.get("scope", SCOPE),
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            expires_in=ttl,
            refresh_expires_in=store.refresh_ttl_s,
            code=getattr(getattr(request, "authorization_code", None), "code", None),
        )
        with store.lock:
            store.tokens.append(issued)

    app.config["OAUTH2_SCOPES_SUPPORTED"] = [SCOPE]
    server = AuthorizationServer(app, query_client=store.query_client, save_token=save_token)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(
            access_token_generator=lambda **_: generate_token(42),
            refresh_token_generator=lambda **_: generate_token(48),
            expires_generator=lambda client, grant_type: token_ttl(),
        ),
    )
    server.register_grant(code_grant(store), [RequiredS256(required=True)])
    server.register_grant(refresh_grant(store))
    server.register_endpoint(revocation_endpoint(store))
    return server


def create_resource_protector(store: OAuthStore) -> ResourceProtector:
    class LiantisBearerValidator(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return store.by_access_token(token_string)

    protector = ResourceProtector()
    protector.register_token_validator(LiantisBearerValidator())
    return protector
