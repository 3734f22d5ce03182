"""Adding and removing admins: owners' actions, audited, mirrored in the in-memory admin set.

Every action is written to the audit log in the same transaction as its effect.
"""

from __future__ import annotations

from bot.context import Core


async def add_admin(core: Core, user_id: int, *, owner_id: int) -> bool:
    """Make a user an admin (owners only; the caller checks); audited."""
    async with core.db.transaction():
        added = await core.db.admin.add(user_id, added_by=owner_id, now=core.clock.now())
        await core.db.admin.audit(owner_id, "admin_add", str(user_id), now=core.clock.now())
    core.admins.add(user_id)
    return added


async def remove_admin(core: Core, user_id: int, *, owner_id: int) -> bool:
    """Take a user's admin rights (owners only; the caller checks); audited."""
    async with core.db.transaction():
        removed = await core.db.admin.remove(user_id)
        await core.db.admin.audit(owner_id, "admin_remove", str(user_id), now=core.clock.now())
    core.admins.remove(user_id)
    return removed
