"""Single sign-on with a municipality's OpenID Connect provider (ID-porten, Entra ID, …), on
Authlib: the authorization-code flow with PKCE (S256), state and nonce.

`start` gives the provider's sign-in address and what the browser must keep until it comes
back; `finish` checks the answer (the state), exchanges the code, verifies the ID token
(signature against the provider's published keys, issuer, audience, expiry, nonce) and gives
the name its configured claim vouches for. The name only finds a local account
(`users.sign_in_as`); roles and areas are never taken from the provider.

Signing in is not a download of data, so these requests do not go through `sources/http.py`.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from authlib.common.security import generate_token, is_secure_transport
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from requests import RequestException

from localsdg.config import Oidc
from localsdg.errors import UserError

TIMEOUT = 10  # seconds for each request to the provider
LEEWAY = 120  # seconds of clock difference allowed on the token's times
# ID tokens signed with a public key only: never 'none', never a secret shared with the client
SIGNED_WITH = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
               "EdDSA")


# The error codes of OpenID Connect's and OAuth's authorization answers shown as they are
KNOWN_ERRORS = ("access_denied", "login_required", "consent_required", "interaction_required",
                "account_selection_required", "temporarily_unavailable", "server_error",
                "invalid_request", "unauthorized_client", "invalid_scope")


class SignInFailed(UserError):
    """The provider's answer signs nobody in (the message is for the server's log)."""


class Cancelled(SignInFailed):
    """The provider answered with an error (the user declined, the provider refused)."""

    def __init__(self, error: str) -> None:
        super().__init__(f"the sign-in service answered '{error}'")
        self.error = error[:100]


class Unmatched(SignInFailed):
    """The answer's state is not the one this browser was sent with."""


class Unreachable(SignInFailed):
    """The provider could not be reached or did not answer as OpenID Connect says."""


class Untrusted(SignInFailed):
    """The ID token (or the provider's description) does not pass verification."""


@dataclass(frozen=True)
class Pending:
    """What the browser keeps between `start` and `finish` (random, URL-safe letters)."""
    state: str
    nonce: str
    verifier: str  # the PKCE code verifier


def start(oidc: Oidc, redirect_uri: str) -> tuple[str, Pending]:
    """The provider's authorization URL to send the browser to, and what to keep."""
    pending = Pending(generate_token(32), generate_token(32), generate_token(64))
    with _client(oidc, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            _metadata(client, oidc)["authorization_endpoint"], state=pending.state,
            nonce=pending.nonce, code_verifier=pending.verifier)
    return url, pending


def finish(oidc: Oidc, redirect_uri: str, pending: Pending | None,
           answer: Mapping[str, str]) -> str:
    """The name the provider vouches for in its answer (the redirect's query parameters)."""
    if answer.get("error"):  # some providers leave the state out of an error; a known code
        # only, so that nobody can put words of their own on this site's page with a link
        raise Cancelled(answer["error"] if answer["error"] in KNOWN_ERRORS else "other")
    if pending is None or not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise Unmatched("the answer's state is not this browser's")
    with _client(oidc, redirect_uri) as client:
        metadata = _metadata(client, oidc)
        token = _exchange(client, metadata, answer.get("code", ""), pending.verifier)
        claims = _verified(client, oidc, metadata, token, pending.nonce)
    return _name(oidc, claims)


def _client(oidc: Oidc, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(oidc.client_id, oidc.client_secret, scope=oidc.scope,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic"
                         if oidc.client_secret else "none", default_timeout=TIMEOUT)


def _get(client: OAuth2Session, url: str) -> dict:
    try:
        response = client.get(url, withhold_token=True)
        response.raise_for_status()
        found = response.json()
    except (RequestException, ValueError) as exc:
        raise Unreachable(f"{url}: {exc}") from exc
    if not isinstance(found, dict):
        raise Unreachable(f"{url}: not a JSON object")
    return found


def _metadata(client: OAuth2Session, oidc: Oidc) -> dict:
    """The provider's description (OpenID Connect Discovery), which must name the issuer
    configured and be reached over HTTPS (or on this machine)."""
    if not is_secure_transport(oidc.issuer):
        raise Untrusted(f"issuer {oidc.issuer}: use https")
    found = _get(client, oidc.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if found.get("issuer") != oidc.issuer:
        raise Untrusted(f"the provider names itself '{found.get('issuer')}', not the "
                        f"issuer configured ('{oidc.issuer}')")
    if not all(isinstance(found.get(k), str) for k in
               ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise Unreachable("the provider's description lacks its endpoints")
    return found


def _exchange(client: OAuth2Session, metadata: dict, code: str, verifier: str) -> dict:
    try:
        token = client.fetch_token(metadata["token_endpoint"], code=code,
                                   code_verifier=verifier)
    except OAuthError as exc:
        raise Untrusted(f"the token endpoint refused the code: {exc.error}") from exc
    except (RequestException, ValueError) as exc:
        raise Unreachable(f"token endpoint: {exc}") from exc
    if not token.get("id_token"):
        raise Untrusted("the token endpoint gave no ID token")
    return token


def _verified(client: OAuth2Session, oidc: Oidc, metadata: dict, token: dict,
              nonce: str) -> CodeIDToken:
    """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
    published = _get(client, metadata["jwks_uri"])
    try:
        keys = KeySet.import_key_set(published)
        decoded = jwt.decode(token["id_token"], keys, algorithms=_algorithms(metadata))
        claims = CodeIDToken(decoded.claims, decoded.header, options={
            "iss": {"essential": True, "value": oidc.issuer},
            "aud": {"essential": True, "value": oidc.client_id}},
            params={"nonce": nonce, "client_id": oidc.client_id,
                    "access_token": token.get("access_token")})
        claims.validate(leeway=LEEWAY)
    except (JoseError, LookupError, ValueError, TypeError) as exc:
        raise Untrusted(f"ID token: {exc}") from exc
    return claims


def _algorithms(metadata: dict) -> list[str]:
    """The signature algorithms the provider uses that are public-key ones (RS256, which every
    provider must support, when it names none)."""
    named = metadata.get("id_token_signing_alg_values_supported")
    found = [a for a in named if a in SIGNED_WITH] if isinstance(named, list) else []
    return found or ["RS256"]


def _name(oidc: Oidc, claims: Mapping) -> str:
    """The local account's name: the configured claim, in lower case (as names are kept)."""
    value = claims.get(oidc.claim)
    if not isinstance(value, str) or not value.strip():
        raise Untrusted(f"the ID token has no claim '{oidc.claim}'")
    if oidc.claim == "email" and claims.get("email_verified") is False:
        raise Untrusted("the ID token's e-mail address is not verified")
    return value.strip().lower()
