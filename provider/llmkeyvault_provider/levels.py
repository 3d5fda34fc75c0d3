"""What each input that lists principals grants, on a secret scope and on a Unity Catalog secret.

One table for every backend. Scope permissions are those of the Databricks Secrets
API's ACLs (READ, WRITE, MANAGE). Privileges are those of Databricks' "Secrets in
Unity Catalog" page (READ SECRET, WRITE SECRET, REFERENCE SECRET, MANAGE), written
as the Grants API takes them, with '_' for ' '.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: the permissions and privileges the planner names beyond the table: READ and READ_SECRET for a
#: provider's own readers (its key only), MANAGE for the deploying identity and for 'users'
#: (set at the scope's creation unless it is an ACL of its own)
READ: Final = "READ"
READ_SECRET: Final = "READ_SECRET"
MANAGE: Final = "MANAGE"

#: what a principal needs on the catalog and the schema to reach a secret in it
USE_CATALOG: Final = "USE_CATALOG"
USE_SCHEMA: Final = "USE_SCHEMA"


@dataclass(frozen=True)
class Level:
    """One input field that lists principals, with what it grants."""

    field: str
    #: the ACL permission on each secret scope; None where scopes have no such level
    permission: str | None
    #: the privilege on each Unity Catalog secret
    privilege: str


#: every field that lists principals, in the order they are listed and checked
LEVELS: Final[tuple[Level, ...]] = (
    Level("readers", READ, READ_SECRET),
    Level("writers", "WRITE", "WRITE_SECRET"),
    Level("managers", MANAGE, "MANAGE"),
    Level("referencers", None, "REFERENCE_SECRET"),
)
PRINCIPAL_FIELDS: Final = tuple(level.field for level in LEVELS)
