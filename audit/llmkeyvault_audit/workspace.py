"""Reads a live workspace through the official databricks-sdk, with every answer cached.

Each scope's secrets and ACLs, each group's members, each Unity Catalog securable's
grants and owner are fetched once, however many keys need them: the number of API
calls grows with keys plus groups, never keys times groups. No secret value is ever
read: neither `secrets.get_secret` nor `include_value` is called anywhere.

Unity Catalog grants are read with the SDK's own client (`api_client.do`, same
authentication, retries and errors) rather than `grants.get`: databricks-sdk 0.167.0
drops privileges its `Privilege` enum does not know ("unknown enum values are not
included", `_repeated_enum`), and that enum lacks READ_SECRET, WRITE_SECRET and
REFERENCE_SECRET, the very privileges of a UC secret.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound
from databricks.sdk.service.catalog import ListModelProviderServicesRequestView

from llmkeyvault_audit.model import Reference

#: `{{secrets/<scope>/<key>}}`, the secret reference of Spark conf, env vars and Model Serving
SECRET_REF = re.compile(r"\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}")
#: principals that stand for every user of the workspace or of the account
EVERYONE = ("users", "account users")
ADMINS = "admins"


@dataclass(frozen=True)
class Member:
    """A principal reached through group membership, with the memberships that lead to it."""

    name: str
    kind: str  # user, service_principal or group
    chain: tuple[str, ...]


#: (scope, key) -> the workloads whose configuration references that secret
SecretRefs = dict[tuple[str, str], list[Reference]]


@dataclass(frozen=True)
class ProviderService:
    """An AI Gateway model provider service: its owner and the UC secrets it references."""

    full_name: str
    owner: str
    creator: str
    #: (lower-case secret full name, field where the configuration names it)
    secrets: tuple[tuple[str, str], ...]


class Workspace:
    """The cached, read-only view of one workspace."""

    def __init__(self, client: WorkspaceClient) -> None:
        self.client = client
        self.calls = 0
        api = client.api_client
        original: Callable[..., Any] = api.do

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        api.do = counted  # type: ignore[method-assign]
        self._secrets: dict[str, list[tuple[str, int | None]] | None] = {}
        self._acls: dict[str, list[tuple[str, str]]] = {}
        self._groups_by_name: dict[str, str] | None = None
        self._users_by_id: dict[str, str] | None = None
        self._sps_by_id: dict[str, str] | None = None
        self._sp_names: set[str] | None = None
        self._user_names: set[str] | None = None
        self._group_members: dict[str, list[tuple[str, str, str]]] = {}
        self._expanded: dict[str, list[Member]] = {}
        self._grants: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self._owners: dict[tuple[str, str], str | None] = {}
        self._uc_secrets: dict[str, Any] = {}
        self._secret_refs: SecretRefs | None = None
        self._services: dict[str, list[ProviderService]] = {}
        self._metastore: list[tuple[str, str] | None] = []  # empty until read
        self._me: str | None = None

    # Identity.

    def me(self) -> str:
        if self._me is None:
            user = self.client.current_user.me()
            self._me = user.user_name or user.display_name or ""
        return self._me

    # Secret scopes.

    def scope_names(self) -> list[str]:
        return sorted(s.name for s in self.client.secrets.list_scopes() if s.name)

    def secrets(self, scope: str) -> list[tuple[str, int | None]] | None:
        """(key, last updated ms) of each secret in scope; None if the scope does not exist."""
        if scope not in self._secrets:
            try:
                self._secrets[scope] = sorted(
                    (m.key, m.last_updated_timestamp) for m in self.client.secrets.list_secrets(scope) if m.key
                )
            except NotFound:
                self._secrets[scope] = None
        return self._secrets[scope]

    def acls(self, scope: str) -> list[tuple[str, str]]:
        if scope not in self._acls:
            try:
                self._acls[scope] = sorted(
                    (a.principal, a.permission.value if a.permission else "")
                    for a in self.client.secrets.list_acls(scope)
                    if a.principal
                )
            except NotFound:
                self._acls[scope] = []
        return self._acls[scope]

    # Principals.

    def _group_index(self) -> dict[str, str]:
        if self._groups_by_name is None:
            self._groups_by_name = {
                g.display_name: g.id
                for g in self.client.groups.list(attributes="id,displayName")
                if g.display_name and g.id
            }
        return self._groups_by_name

    def _user_index(self) -> dict[str, str]:
        if self._users_by_id is None:
            users = self.client.users.list(attributes="id,userName", count=1000)
            self._users_by_id = {u.id: u.user_name for u in users if u.id and u.user_name}
        return self._users_by_id

    def _sp_index(self) -> dict[str, str]:
        if self._sps_by_id is None:
            sps = self.client.service_principals.list(attributes="id,applicationId", count=1000)
            self._sps_by_id = {sp.id: sp.application_id for sp in sps if sp.id and sp.application_id}
        return self._sps_by_id

    def kind_of(self, principal: str) -> str:
        """group, service_principal, user, or unknown (no such principal in the workspace)."""
        low = principal.lower()
        if low in EVERYONE or principal in self._group_index():
            return "group"
        if self._sp_names is None:
            self._sp_names = {a.lower() for a in self._sp_index().values()}
        if low in self._sp_names:
            return "service_principal"
        if self._user_names is None:
            self._user_names = {u.lower() for u in self._user_index().values()}
        return "user" if low in self._user_names else "unknown"

    def _members(self, group_id: str) -> list[tuple[str, str, str]]:
        """(kind, id, display) of each direct member; one API call per group, ever."""
        if group_id not in self._group_members:
            group = self.client.groups.get(group_id)
            members = []
            for m in group.members or []:
                ref = m.ref or ""
                kind = ref.split("/", 1)[0] if "/" in ref else ""
                members.append((kind, m.value or "", m.display or ""))
            self._group_members[group_id] = members
        return self._group_members[group_id]

    def expand(self, group: str) -> list[Member]:
        """Every principal in group, transitively (nested groups listed too), each once with the
        shortest chain of memberships; cycles end where they close."""
        if group in self._expanded:
            return self._expanded[group]
        index = self._group_index()
        names_by_id = {v: k for k, v in index.items()}
        out: list[Member] = []
        seen: set[tuple[str, str]] = {("group", group)}
        start = index.get(group)
        queue: list[tuple[str, str, tuple[str, ...]]] = [(start, group, ())] if start else []
        visited = {start} if start else set()
        while queue:
            gid, gname, chain = queue.pop(0)
            for kind, mid, display in self._members(gid):
                if kind == "Groups":
                    name = names_by_id.get(mid, display)
                    step = (*chain, f"{gname} has member group {name}")
                    if ("group", name) not in seen:
                        seen.add(("group", name))
                        out.append(Member(name, "group", step))
                    if mid not in visited:
                        visited.add(mid)
                        queue.append((mid, name, step))
                elif kind == "ServicePrincipals":
                    name = self._sp_index().get(mid, display)
                    if ("service_principal", name) not in seen:
                        seen.add(("service_principal", name))
                        out.append(Member(name, "service_principal", (*chain, f"{gname} has member {name}")))
                else:
                    name = self._user_index().get(mid, display)
                    if ("user", name) not in seen:
                        seen.add(("user", name))
                        out.append(Member(name, "user", (*chain, f"{gname} has member {name}")))
        self._expanded[group] = out
        return out

    def admins(self) -> list[Member]:
        return [m for m in self.expand(ADMINS) if m.kind != "group"]

    # Unity Catalog.

    def uc_secret(self, full_name: str) -> Any:
        """The secret's metadata (never its value), or None if it does not exist."""
        if full_name not in self._uc_secrets:
            try:
                self._uc_secrets[full_name] = self.client.secrets_uc.get_secret(full_name)
            except NotFound:
                self._uc_secrets[full_name] = None
        return self._uc_secrets[full_name]

    def grants(self, securable: str, full_name: str) -> list[tuple[str, list[str]]]:
        """(principal, privileges) of each direct grant on a securable, every page."""
        key = (securable, full_name.lower())
        if key not in self._grants:
            found: list[tuple[str, list[str]]] = []
            path = f"/api/2.1/unity-catalog/permissions/{securable}/{quote(full_name, safe='')}"
            query: dict[str, Any] = {"max_results": 0}
            try:
                while True:
                    page = self.client.api_client.do("GET", path, query=query, headers={"Accept": "application/json"})
                    assert isinstance(page, dict)
                    for a in page.get("privilege_assignments") or []:
                        found.append((str(a.get("principal", "")), [str(p) for p in a.get("privileges") or []]))
                    token = page.get("next_page_token")
                    if not token:
                        break
                    query["page_token"] = token
            except NotFound:
                pass
            self._grants[key] = found
        return self._grants[key]

    def owner(self, securable: str, full_name: str) -> str | None:
        key = (securable, full_name.lower())
        if key not in self._owners:
            try:
                if securable == "catalog":
                    self._owners[key] = self.client.catalogs.get(full_name).owner
                elif securable == "schema":
                    self._owners[key] = self.client.schemas.get(full_name).owner
                else:
                    secret = self.uc_secret(full_name)
                    self._owners[key] = secret.owner if secret else None
            except NotFound:
                self._owners[key] = None
        return self._owners[key]

    def metastore(self) -> tuple[str, str] | None:
        """(name, owner) of the metastore assigned to the workspace; None if there is none.
        Its owner is the metastore admin, who can manage every securable in it."""
        if not self._metastore:
            try:
                summary = self.client.metastores.summary()
                self._metastore.append((summary.name or summary.metastore_id or "", summary.owner or ""))
            except NotFound:
                self._metastore.append(None)
        return self._metastore[0]

    def provider_services(self, schema: str) -> list[ProviderService]:
        """The AI Gateway model provider services of a schema (`catalog.schema`) and the UC
        secrets each references by `secret_reference`; one paged listing per schema, ever."""
        key = schema.lower()
        if key not in self._services:
            found: list[ProviderService] = []
            try:
                services = self.client.ai_gateway.list_model_provider_services(
                    parent=f"schemas/{key}", view=ListModelProviderServicesRequestView.FULL
                )
                for svc in services:
                    full = (svc.name or "").removeprefix("model-provider-services/").lower()
                    config = svc.config.as_dict() if svc.config else {}
                    refs = tuple(
                        (name.removeprefix("secrets/").lower(), field)
                        for field, name in _secret_references(config, "config")
                    )
                    found.append(ProviderService(full, svc.effective_owner or "", svc.created_by or "", refs))
            except NotFound:
                pass
            self._services[key] = found
        return self._services[key]

    # Workloads.

    def secret_refs(self) -> SecretRefs:
        """Every `{{secrets/<scope>/<key>}}` in a serving endpoint's configuration, and in the
        Spark conf and environment variables of a job's clusters (job clusters, tasks' new
        clusters) and of the clusters: one read per endpoint, one paged listing of jobs (their
        tasks expanded) and one of clusters."""
        if self._secret_refs is None:
            refs: SecretRefs = {}

            def add(kind: str, name: str, wid: str, creator: str, strings: Iterator[tuple[str, str]]) -> None:
                for field, text in strings:
                    for m in SECRET_REF.finditer(text):
                        refs.setdefault((m.group(1), m.group(2)), []).append(Reference(kind, name, creator, field, wid))

            for summary in self.client.serving_endpoints.list():
                if summary.name:
                    detail = self.client.serving_endpoints.get(summary.name)
                    config = detail.config.as_dict() if detail.config else {}
                    add(
                        "serving_endpoint",
                        summary.name,
                        detail.id or "",
                        detail.creator or "",
                        _strings(config, "config"),
                    )
            for job in self.client.jobs.list(expand_tasks=True, limit=100):
                settings = job.settings.as_dict() if job.settings else {}
                jid = str(job.job_id or "")
                for where, spec in _job_cluster_specs(settings):
                    spark = _spark_strings(spec, where)
                    add("job", settings.get("name") or jid, jid, job.creator_user_name or "", spark)
            for cluster in self.client.clusters.list(page_size=100):
                cid = cluster.cluster_id or ""
                spark = _spark_strings(cluster.as_dict(), "")
                add("cluster", cluster.cluster_name or cid, cid, cluster.creator_user_name or "", spark)
            self._secret_refs = refs
        return self._secret_refs


def _job_cluster_specs(settings: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field, cluster spec) of each cluster a job defines: its job clusters, its tasks' new
    clusters, and the new cluster of the task inside a for-each task."""
    for i, item in enumerate(settings.get("job_clusters") or []):
        if item.get("new_cluster"):
            yield f"settings.job_clusters[{i}].new_cluster", item["new_cluster"]
    for i, task in enumerate(settings.get("tasks") or []):
        if task.get("new_cluster"):
            yield f"settings.tasks[{i}].new_cluster", task["new_cluster"]
        inner = (task.get("for_each_task") or {}).get("task") or {}
        if inner.get("new_cluster"):
            yield f"settings.tasks[{i}].for_each_task.task.new_cluster", inner["new_cluster"]


def _spark_strings(spec: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    """The values of a cluster spec's spark_conf and spark_env_vars, where Databricks resolves
    secret references ("Use a secret in a Spark configuration property or environment variable")."""
    for name in ("spark_conf", "spark_env_vars"):
        values = spec.get(name) or {}
        for k, v in values.items():
            if isinstance(v, str):
                yield f"{path}.{name}.{k}".lstrip("."), v


def _secret_references(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field, name) of each `secret_reference` {name: secrets/<catalog>.<schema>.<secret>}."""
    if isinstance(value, dict):
        ref = value.get("secret_reference")
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            yield f"{path}.secret_reference", ref["name"]
        for k, v in value.items():
            if k != "secret_reference":
                yield from _secret_references(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _secret_references(v, f"{path}[{i}]")


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")
