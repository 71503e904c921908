"""Users of a shared server: who they are, their role and areas, how they prove it (a password
hashed with Argon2id for the browser, API tokens for scripts, or the municipality's single
sign-on, `sso.py`) and their signed-in sessions.

Roles: `editor` (the data, local targets and plans of the areas given), `curator` (the
catalog: classification, sets, links) and `admin` (everything, users, sources, rollbacks).
Anyone else is a reader. Tokens and session ids are random (256 bits); only their SHA-256
digests are stored, so a copy of the database gives no way in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from localsdg.db.schema import (
    ApiToken,
    SignInFailure,
    SignInSession,
    UserAccount,
    UserArea,
)
from localsdg.errors import BadRequest, NotFound, TooMany, UserError

ROLES = ("editor", "curator", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12
SESSION_DAYS = 7
THROTTLE = (5, timedelta(minutes=15))  # failed sign-ins per name in this window, then a pause
TOKEN_PREFIX = "lsdg_"
HASHER = PasswordHasher()  # Argon2id with the library's current defaults (RFC 9106 low-memory)
_DUMMY = HASHER.hash("a password nobody has")  # verified against when the name is unknown


@dataclass(frozen=True)
class User:
    name: str
    role: str
    areas: frozenset[str]  # area codes an editor edits


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user(account: UserAccount) -> User:
    return User(account.name, account.role, frozenset(a.area_code for a in account.areas))


def _account(session: Session, name: str) -> UserAccount:
    account = session.scalar(select(UserAccount).where(UserAccount.name == name)
                             .options(selectinload(UserAccount.areas)))
    if account is None:
        raise NotFound(f"no user '{name}'; 'localsdg users list' shows them")
    return account


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")


def add_user(session: Session, name: str, role: str, areas: list[tuple[str, str]], *,
             by: str, password: str | None = None) -> User:
    """A new user; `areas` are (level, code) pairs already checked against the register. An
    editor needs at least one area; other roles take none."""
    if not NAME.fullmatch(name):
        raise BadRequest(f"user name '{name[:80]}': use 1–64 lower-case letters, digits and "
                         ". _ @ -, starting with a letter or digit")
    if role not in ROLES:
        raise BadRequest(f"role '{role}': use {', '.join(ROLES)} (readers need no account)")
    if (role == "editor") != bool(areas):
        raise BadRequest("an editor needs one or more areas (--area CODE); other roles take "
                         "none")
    if session.scalar(select(UserAccount.id).where(UserAccount.name == name)) is not None:
        raise UserError(f"there is a user '{name}' already")
    if password is not None:
        check_password(password)
    account = UserAccount(name=name, role=role, created_by=by,
                          password_hash=HASHER.hash(password) if password else None,
                          areas=[UserArea(area_level=lv, area_code=c) for lv, c in areas])
    session.add(account)
    session.flush()
    return _user(account)


def set_password(session: Session, name: str, password: str) -> None:
    check_password(password)
    account = _account(session, name)
    account.password_hash = HASHER.hash(password)
    session.execute(delete(SignInSession).where(SignInSession.user_id == account.id))


def remove_user(session: Session, name: str) -> None:
    session.delete(_account(session, name))


def list_users(session: Session) -> list[dict]:
    tokens = {uid: n for uid, n in session.execute(
        select(ApiToken.user_id, func.count()).group_by(ApiToken.user_id))}
    q = select(UserAccount).order_by(UserAccount.name).options(selectinload(UserAccount.areas))
    return [{"name": a.name, "role": a.role, "areas": sorted(x.area_code for x in a.areas),
             "password": a.password_hash is not None, "tokens": tokens.get(a.id, 0),
             "created_at": a.created_at.isoformat(), "created_by": a.created_by}
            for a in session.scalars(q)]


def new_token(session: Session, name: str) -> str:
    """A new API token for the user, shown once: only its digest is kept."""
    account = _account(session, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=account.id, digest=_digest(token)))
    session.flush()
    return token


def by_token(session: Session, token: str) -> User | None:
    found = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    return None if found is None else _user(session.get(UserAccount, found.user_id))


def sign_in(session: Session, name: str, password: str) -> str:
    """A new session id for the user when the password is right. Wrong names and passwords
    get the same answer and take the same time; after THROTTLE failures for a name within
    the window, sign-in for that name pauses."""
    count, window = THROTTLE
    since = _now() - window
    failures = session.scalar(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.name == name[:64], SignInFailure.at >= since))
    if failures >= count:
        raise TooMany(f"too many failed sign-ins for this name; try again in "
                      f"{int(window.total_seconds() // 60)} minutes")
    account = session.scalar(select(UserAccount).where(UserAccount.name == name))
    if not _verified(account.password_hash if account else None, password):
        session.add(SignInFailure(name=name[:64]))
        raise UserError("wrong name or password")
    if HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = HASHER.hash(password)
    session.execute(delete(SignInFailure).where(SignInFailure.name == name))
    return _new_session(session, account)


def sign_in_as(session: Session, name: str) -> str:
    """A new session id for the user a trusted sign-in service vouches for (single sign-on).
    The account must exist: its role and areas are the ones given here, never the service's."""
    return _new_session(session, _account(session, name))


def _new_session(session: Session, account: UserAccount) -> str:
    sid = secrets.token_urlsafe(32)
    session.add(SignInSession(digest=_digest(sid), user_id=account.id,
                              expires_at=_now() + timedelta(days=SESSION_DAYS)))
    return sid


def _verified(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def by_session(session: Session, sid: str) -> User | None:
    found = session.get(SignInSession, _digest(sid))
    if found is None or _aware(found.expires_at) < _now():
        return None
    return _user(session.get(UserAccount, found.user_id))


def _aware(at: datetime) -> datetime:
    """SQLite gives back naive datetimes for timezone-aware columns: they are UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def sign_out(session: Session, sid: str) -> None:
    session.execute(delete(SignInSession).where(SignInSession.digest == _digest(sid)))
