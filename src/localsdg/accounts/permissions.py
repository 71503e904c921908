"""What a user may change: the one rule the web and the command line apply.

Actions: `catalog` (classification, sets, links: curators), `data` and `plan` (an area's data,
local targets and plans: its editors), `admin` (users, sources, rollbacks). Admins may do
everything; readers (no account) nothing.
"""

from __future__ import annotations

from localsdg.accounts.users import User

ACTIONS = ("catalog", "data", "plan", "admin")


def may(user: User | None, action: str, area: str | None = None) -> bool:
    """Whether the user may take the action (on the area, when it is about one)."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    if action == "catalog":
        return user.role == "curator"
    if action in ("data", "plan"):
        return user.role == "editor" and (area is None or area in user.areas)
    return False
