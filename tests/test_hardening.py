"""Adversarial inputs, each refused before anything exists, on both paths.

Every case runs twice: through the provider process over gRPC against the
stand-in engine (the path of every SDK and YAML program, where ``providers``
arrives as one secret list), and in process under Pulumi's mocks. Each asserts
the field paths named, that nothing was registered, and that no key value
appears in the error, the engine's logs or the provider's stderr, and that no
traceback reached the engine.
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass
from types import FrameType
from typing import Any

import grpc
import pulumi
import pytest
from conftest import FAKE_KEYS, assert_no_key_in
from llmkeyvault_provider import InvalidInput, LlmKeyVault
from llmkeyvault_provider.args import read_args
from llmkeyvault_provider.errors import Problems
from llmkeyvault_provider.outputs import final_names, render_outputs
from llmkeyvault_provider.plan import check_inputs, plan_vault
from llmkeyvault_provider.provider import WITHHELD, refuse_secret_names
from pulumi.runtime.proto import errors_pb2, status_pb2
from support.fake_keys import fake_keys
from support.mocks import Run, run_with_mocks
from support.permissions_api import permissions_api
from support.standin_engine import (
    SIG_KEY,
    UNKNOWN,
    ProviderProcess,
    StandinEngine,
    from_wire,
    is_secret,
    secret,
)

pytestmark = [pytest.mark.provider, pytest.mark.slow]

SUB = "00000000-1111-2222-3333-444444444444"
RID = f"/subscriptions/{SUB}/resourceGroups/rg-llm/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
KV = {"backend": "azure-keyvault", "keyVault": {"resourceId": RID}}

# Key-shaped test values: fake (made from a seeded RNG in the documented shapes), and
# each must never come back in an error.
SHAPED = fake_keys()
PASTED = {
    "openai-project": SHAPED["openai-project"],
    "anthropic": SHAPED["anthropic-api"],
    "aws": SHAPED["aws-access-key"],
    "github": SHAPED["github-pat"],
    "huggingface": SHAPED["huggingface-token"],
    "groq": SHAPED["groq"],
    "azure-openai": SHAPED["azure-openai"],
    "fireworks": SHAPED["fireworks"],
}
BIG_DATABRICKS = "sk-test-" + "x" * (128 * 1024 - 7)  # one byte past 128 KB
BIG_KEY_VAULT = "sk-test-" + "x" * (25 * 1024 - 7)  # one byte past 25 KB
NEVER_SHOWN = [*FAKE_KEYS.values(), *PASTED.values(), "x" * 64]


def assert_nothing_secret_in(text: str) -> None:
    assert_no_key_in(text)
    for value in NEVER_SHOWN:
        assert value not in text, "a key-shaped value was echoed"


#: the signature of an output value on the wire: how the engine sends each secret value of
#: a list or object apart (a secret provider name inside ``providers``, say)
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
SECRET_NAME = "team-private-7f3a"
MIB = 1024 * 1024


def secret_output(value: Any) -> dict[str, Any]:
    """``value`` as the engine sends a secret inside a list or object: an output value of its own."""
    return {SIG_KEY: OUTPUT_VALUE_SIG, "value": value, "secret": True}


def openai(**fields: Any) -> dict[str, Any]:
    return {"name": "openai", "apiKey": secret(FAKE_KEYS["openai"]), **fields}


def anthropic(**fields: Any) -> dict[str, Any]:
    return {"name": "anthropic", "apiKey": secret(FAKE_KEYS["anthropic"]), **fields}


@dataclass(frozen=True)
class Case:
    """Inputs as the engine sends them, and every field path the refusal must name."""

    inputs: dict[str, Any]
    paths: tuple[str, ...]
    preview: bool = False
    #: False where the inputs have no in-process equivalent (unknown values, secret names)
    in_process: bool = True


def in_vault(resource_id: str, **key_vault: str) -> dict[str, Any]:
    """An OpenAI key in the Key Vault ``resource_id`` (plus ``key_vault``'s other fields)."""
    return {"providers": [openai()], "backend": "azure-keyvault", "keyVault": {"resourceId": resource_id, **key_vault}}


def many(count: int) -> list[dict[str, Any]]:
    return [{"name": f"llm-{i}", "apiKey": secret(f"sk-test-{i:04d}-000000000000")} for i in range(count)]


CASES: dict[str, Case] = {
    # keys: present, a string, not blank, within the backend's limit
    "empty key": Case({"providers": [{"name": "openai", "apiKey": secret("")}]}, ("providers[0].apiKey",)),
    "blank key": Case({"providers": [{"name": "openai", "apiKey": secret("   ")}]}, ("providers[0].apiKey",)),
    "key is a number": Case({"providers": [{"name": "openai", "apiKey": secret(42)}]}, ("providers[0].apiKey",)),
    "key is an object": Case(
        {"providers": [{"name": "openai", "apiKey": secret({"value": FAKE_KEYS["openai"]})}]},
        ("providers[0].apiKey",),
    ),
    "key is a list": Case(
        {"providers": [{"name": "openai", "apiKey": secret([FAKE_KEYS["openai"]])}]}, ("providers[0].apiKey",)
    ),
    "key missing": Case({"providers": [{"name": "openai"}]}, ("providers[0].apiKey",)),
    "key null": Case({"providers": [{"name": "openai", "apiKey": None}]}, ("providers[0].apiKey",)),
    "second key one byte past 128 KB": Case(
        {"providers": [openai(), {"name": "anthropic", "apiKey": secret(BIG_DATABRICKS)}], "readers": ["ds"]},
        ("providers[1].apiKey",),
    ),
    "key vault key one byte past 25 KB": Case(
        {"providers": [{"name": "openai", "apiKey": secret(BIG_KEY_VAULT)}], **KV}, ("providers[0].apiKey",)
    ),
    "blank key in a whole secret list": Case(
        {"providers": secret([{"name": "openai", "apiKey": FAKE_KEYS["openai"]}, {"name": "groq", "apiKey": ""}])},
        ("providers[1].apiKey",),
    ),
    # principals: any letter case, look-alikes, invisible characters
    "Users without allow": Case({"providers": [openai()], "readers": ["Users"]}, ("readers[0]",)),
    "ACCOUNT USERS without allow": Case({"providers": [openai()], "managers": ["ACCOUNT USERS"]}, ("managers[0]",)),
    "account users reader without allow": Case(
        {"providers": [openai()], "readers": ["account users"]}, ("readers[0]",)
    ),
    "one user at two levels in two cases": Case(
        {"providers": [openai()], "readers": ["Alice@Example.com"], "managers": ["alice@example.com"]},
        ("managers[0]",),
    ),
    "one reader twice in two cases": Case(
        {"providers": [openai()], "readers": ["Data-Science", "data-science"]}, ("readers[1]",)
    ),
    "per-provider reader already global in another case": Case(
        {"providers": [openai(readers=["DS"])], "readers": ["ds"], "scopePerProvider": True},
        ("providers[0].readers[0]",),
    ),
    "zero-width space in a principal": Case({"providers": [openai()], "readers": ["ds\u200b"]}, ("readers[0]",)),
    "control character in a principal": Case({"providers": [openai()], "writers": ["d\x07s"]}, ("writers[0]",)),
    "right-to-left override in a principal": Case({"providers": [openai()], "readers": ["\u202eds"]}, ("readers[0]",)),
    "Cyrillic look-alike of users": Case(
        {"providers": [openai()], "readers": ["us\u0435rs"], "allowWorkspaceUsers": True}, ("readers[0]",)
    ),
    "full-width users": Case(
        {"providers": [openai()], "managers": ["\uff55\uff53\uff45\uff52\uff53"], "allowWorkspaceUsers": True},
        ("managers[0]",),
    ),
    "Kelvin sign in the resource id": Case(
        in_vault(RID.replace("KeyVault", "\u212aeyVault")), ("keyVault.resourceId",)
    ),
    "long s in the resource group": Case(in_vault(RID.replace("rg-", "\u017fg-")), ("keyVault.resourceId",)),
    # limits, at and one past
    "1001 keys in one scope": Case({"providers": many(1001)}, ("providers",)),
    "1001 scopes": Case({"providers": many(1001), "scopePerProvider": True}, ("providers",)),
    "envVarName of 129 characters": Case({"providers": [openai(envVarName="V" * 129)]}, ("providers[0].envVarName",)),
    "dnsName outside Azure's clouds": Case(
        in_vault(RID, dnsName="https://kv-llm-keys.vault.example.com/"), ("keyVault.dnsName",)
    ),
    "resource group ending with a dot": Case(in_vault(RID.replace("rg-llm", "rg-llm.")), ("keyVault.resourceId",)),
    "key vault name too long with the suffix": Case(
        {"providers": [openai(secretKey="k" * 120)], **KV, "uniqueSuffix": True}, ("providers[0].secretKey",)
    ),
    # key-shaped values in plain fields
    "pasted key as secretKey": Case(
        {"providers": [openai(secretKey=SHAPED["openai-user"])]}, ("providers[0].secretKey",)
    ),
    "project key as secretKey": Case(
        {"providers": [openai(secretKey=PASTED["openai-project"])]}, ("providers[0].secretKey",)
    ),
    "anthropic key as provider name": Case(
        {"providers": [{"name": PASTED["anthropic"], "apiKey": secret(FAKE_KEYS["anthropic"])}]},
        ("providers[0].name",),
    ),
    "AWS key id as envVarName": Case({"providers": [openai(envVarName=PASTED["aws"])]}, ("providers[0].envVarName",)),
    "GitHub token as scopeName": Case({"providers": [openai()], "scopeName": PASTED["github"]}, ("scopeName",)),
    "Azure OpenAI key as reader": Case({"providers": [openai()], "readers": [PASTED["azure-openai"]]}, ("readers[0]",)),
    "Anthropic key after a team prefix as writer": Case(
        {"providers": [openai()], "writers": ["team:" + PASTED["anthropic"]]}, ("writers[0]",)
    ),
    "Fireworks key as secretKey": Case(
        {"providers": [openai(secretKey=PASTED["fireworks"])]}, ("providers[0].secretKey",)
    ),
    "Hugging Face token as manager": Case(
        {"providers": [openai()], "managers": [PASTED["huggingface"]]}, ("managers[0]",)
    ),
    "Groq key as per-provider reader": Case(
        {"providers": [openai(readers=[PASTED["groq"]])], "scopePerProvider": True}, ("providers[0].readers[0]",)
    ),
    # several problems in different fields, found by different checks, at once
    "bad name and bad scopeName": Case(
        {"providers": [{"name": "Open AI", "apiKey": secret(FAKE_KEYS["openai"])}], "scopeName": "a/b"},
        ("providers[0].name", "scopeName"),
    ),
    "bad secretKey and bad envVarName": Case(
        {"providers": [openai(secretKey="a/b", envVarName="A-B")]},
        ("providers[0].secretKey", "providers[0].envVarName"),
    ),
    "type error and grant conflict": Case(
        {"providers": [openai()], "uniqueSuffix": "yes", "readers": ["ds"], "managers": ["ds"]},
        ("uniqueSuffix", "managers[0]"),
    ),
    "bad key type, blank key and bad principal": Case(
        {
            "providers": [openai(), {"name": "groq", "apiKey": secret(7)}, anthropic(apiKey=secret(" "))],
            "writers": [""],
        },
        ("providers[1].apiKey", "providers[2].apiKey", "writers[0]"),
    ),
    "refused scope still checks its secrets": Case(
        {"providers": [openai(secretKey="a/b")], "scopeName": "s" * 200},
        ("scopeName", "providers[0].secretKey"),
    ),
    "unreadable provider keeps later paths": Case(
        {"providers": ["openai", anthropic(secretKey="a/b")]}, ("providers[0]", "providers[1].secretKey")
    ),
    # values not known during a preview: every one named, with every other problem
    "two unknown principals": Case(
        {"providers": [openai()], "readers": [UNKNOWN], "managers": ["ops", UNKNOWN]},
        ("readers[0]", "managers[1]"),
        preview=True,
        in_process=False,
    ),
    "unknown scopeName and a bad reader": Case(
        {"providers": [openai()], "scopeName": UNKNOWN, "readers": ["users"]},
        ("scopeName", "readers[0]"),
        preview=True,
        in_process=False,
    ),
    "unknown provider name": Case(
        {"providers": [{"name": UNKNOWN, "apiKey": secret(FAKE_KEYS["openai"])}]},
        ("providers[0].name",),
        preview=True,
        in_process=False,
    ),
    # huge values: refused by their length, with the path, before any other check reads them
    "1 MiB scopeName": Case({"providers": [openai()], "scopeName": "s" * MIB}, ("scopeName",)),
    "1 MiB secretKey": Case({"providers": [openai(secretKey="k" * MIB)]}, ("providers[0].secretKey",)),
    "1 MiB envVarName": Case({"providers": [openai(envVarName="V" * MIB)]}, ("providers[0].envVarName",)),
    "1 MiB catalog": Case(
        {"providers": [openai()], "backend": "unity-catalog", "unityCatalog": {"catalog": "c" * MIB, "schema": "s"}},
        ("unityCatalog.catalog",),
    ),
    "5 MiB secretKey and scopeName": Case(
        {"providers": [openai(secretKey="k" * 5 * MIB)], "scopeName": "s" * 5 * MIB},
        ("providers[0].secretKey", "scopeName"),
    ),
    "1 MiB reader among ordinary ones": Case(
        {"providers": [openai()], "readers": ["ds", "r" * MIB, "users"]}, ("readers[1]", "readers[2]")
    ),
    "1 MiB unknown field name": Case({"providers": [openai()], "q" * MIB: "x"}, (f"(a name of {MIB} characters)",)),
    # expiry out of Python's range once in UTC
    "expiresAt past year 9999 in UTC": Case(
        {"providers": [openai(expiresAt="9999-12-31T23:59:59-01:00")]}, ("providers[0].expiresAt",)
    ),
    "expiresAt before year 1 in UTC": Case(
        {"providers": [openai(expiresAt="0001-01-01T00:00:00+01:00")]}, ("providers[0].expiresAt",)
    ),
    # a secret value where it would become a plain name: refused without its value
    "secret provider name": Case(
        {"providers": [{"name": secret_output(SECRET_NAME), "apiKey": secret_output(FAKE_KEYS["openai"])}]},
        ("providers[0].name",),
        in_process=False,
    ),
    "secret 32-hex provider name": Case(
        {"providers": [{"name": secret_output(PASTED["azure-openai"]), "apiKey": secret(FAKE_KEYS["openai"])}]},
        ("providers[0].name",),
        in_process=False,
    ),
    "secret secretKey and envVarName": Case(
        {"providers": [openai(secretKey=secret_output(SECRET_NAME), envVarName=secret_output("TEAM_PRIVATE"))]},
        ("providers[0].secretKey", "providers[0].envVarName"),
        in_process=False,
    ),
    "secret unity catalog schema": Case(
        {
            "providers": [openai()],
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": secret_output(SECRET_NAME)},
        },
        ("unityCatalog.schema",),
        in_process=False,
    ),
    "secret unity catalog as one object": Case(
        {
            "providers": [openai()],
            "backend": "unity-catalog",
            "unityCatalog": secret({"catalog": "main", "schema": SECRET_NAME}),
        },
        ("unityCatalog",),
        in_process=False,
    ),
    # an input that arrived secret: refused without its value
    "secret scopeName that is not a scope name": Case(
        {"providers": [openai()], "scopeName": secret("team/private-scope")},
        ("scopeName",),
        in_process=False,
    ),
}


def test_at_least_40_adversarial_cases() -> None:
    assert len(CASES) >= 40


def test_the_expiry_is_written_with_a_four_digit_year() -> None:
    plan = check_inputs(
        "llm", {"providers": [{"name": "openai", "apiKey": "sk-test-0", "expiresAt": "0999-06-01T00:00:00Z"}]}
    )[1]
    assert render_outputs(plan, final_names(plan, None))["expirations"] == {"openai": "0999-06-01T00:00:00Z"}


def wire_details(error: grpc.RpcError) -> list[tuple[str, str]]:
    trailing: Any = error.trailing_metadata() or ()
    status = status_pb2.Status.FromString(dict(trailing)["grpc-status-details-bin"])
    details = errors_pb2.InputPropertiesError()
    assert len(status.details) == 1 and status.details[0].Unpack(details)
    return [(e.property_path, e.reason) for e in details.errors]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_refused_over_grpc_before_anything_is_registered(
    engine: StandinEngine, plugin: ProviderProcess, case_id: str
) -> None:
    case = CASES[case_id]
    before = len(engine.recorder.registrations)
    logs_before = len(engine.recorder.logs)
    request = engine.construct_request(f"adv-{sorted(CASES).index(case_id)}", case.inputs, dry_run=case.preview)
    with pytest.raises(grpc.RpcError) as caught:
        plugin.stub.Construct(request)
    error = caught.value
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error.details()
    details = wire_details(error)
    named = [path.removesuffix(WITHHELD) for path, _ in details]
    for path in case.paths:
        assert path in named, f"{path} not in {named}"
    assert len(named) == len(set(named)), "one detail per field"
    text = (error.details() or "") + json.dumps(details)
    assert "Traceback" not in text
    assert len(text) < 8000, f"a refusal of {len(text)} characters"
    assert_nothing_secret_in(text)
    if case_id.startswith("secret"):
        assert "private" not in text
    if case_id == "refused scope still checks its secrets":
        # A 200-character scope name: the engine, which prints the value at a path, is not given it.
        assert ("scopeName" + WITHHELD) in [path for path, _ in details]
    if "MiB" in case_id:
        assert all(c * 100 not in text for c in "xksqVcr")
        assert all(path.endswith(WITHHELD) for path, reason in details if "characters;" in reason)
    new_logs = "\n".join(engine.recorder.logs[logs_before:])
    assert_nothing_secret_in(new_logs)
    assert len(engine.recorder.registrations) == before, "nothing is registered for a refused input"


@pytest.mark.parametrize("case_id", sorted(k for k, c in CASES.items() if c.in_process))
def test_refused_in_process_before_anything_is_registered(case_id: str) -> None:
    case = CASES[case_id]
    refusals: list[InvalidInput] = []

    def program() -> Any:
        try:
            LlmKeyVault("adv", from_wire(case.inputs))
        except InvalidInput as e:
            refusals.append(e)
        return pulumi.Output.from_input(1)

    run = run_with_mocks(program)
    assert refusals, "refused"
    paths = [e.path for e in refusals[0].errors]
    for path in case.paths:
        assert path in paths, f"{path} not in {paths}"
    assert_nothing_secret_in(str(refusals[0]))
    assert [r.type for r in run.registrations if r.type != "pulumi:pulumi:Stack"] == []


ACCEPTED: dict[str, dict[str, Any]] = {
    "key at exactly 128 KB": {"providers": [{"name": "openai", "apiKey": "sk-test-" + "x" * (128 * 1024 - 8)}]},
    "key vault key at exactly 25 KB": {
        "providers": [{"name": "openai", "apiKey": "sk-test-" + "x" * (25 * 1024 - 8)}],
        **KV,
    },
    "application id, e-mail and group names": {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["6f1c9a52-3b7e-4d0a-9e21-0c4b8f5d7a13", "Alice.Smith@Example.com", "Data Science Team"],
        "writers": ["etl_service_principal_for_the_nightly_llm_batch"],
        "managers": ["équipe-données", "аналитики"],
    },
    "envVarName of 128 characters": {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"], "envVarName": "V" * 128}]
    },
    "provider id starting with a digit": {"providers": [{"name": "01ai", "apiKey": FAKE_KEYS["my-llm"]}]},
    "sovereign cloud vault": {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "backend": "azure-keyvault",
        "keyVault": {"resourceId": RID, "dnsName": "https://kv-llm-keys.vault.usgovcloudapi.net/"},
    },
    "users in any case with allow": {
        "providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}],
        "readers": ["Account Users"],
        "allowWorkspaceUsers": True,
    },
}


@pytest.mark.parametrize("case_id", sorted(ACCEPTED))
def test_legitimate_values_at_the_limits_pass(case_id: str) -> None:
    check_inputs("llm", ACCEPTED[case_id])


def test_1000_keys_in_one_scope_pass() -> None:
    inputs = {"providers": [{"name": f"llm-{i}", "apiKey": f"sk-test-{i:04d}"} for i in range(1000)]}
    assert len(check_inputs("llm", inputs)[1].secrets) == 1000


def test_a_digit_first_provider_gets_a_valid_variable_name() -> None:
    plan = check_inputs("llm", ACCEPTED["provider id starting with a digit"])[1]
    assert plan.secrets[0].env_var_name == "_01AI_API_KEY"


def test_key_vault_hint_suggests_a_valid_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_inputs("llm", {"providers": [{"name": "openai", "apiKey": "sk-test-1", "secretKey": "k_" * 64}], **KV})
    reason = caught.value.errors[0].reason
    suggestion = reason.rsplit("for example '", 1)[1].rstrip("'")
    assert len(suggestion) <= 127 and set(suggestion) <= set("k-")
    check_inputs("llm", {"providers": [{"name": "openai", "apiKey": "sk-test-1", "secretKey": suggestion}], **KV})


def test_principal_keeps_the_spelling_given() -> None:
    plan = check_inputs(
        "llm", {"providers": [{"name": "openai", "apiKey": "sk-test-1"}], "readers": ["Alice@Example.com"]}
    )[1]
    assert [g.principal for g in plan.grants] == ["Alice@Example.com"]


def test_users_manage_in_another_case_is_the_scopes_initial_manage_principal() -> None:
    plan = check_inputs(
        "llm",
        {
            "providers": [{"name": "openai", "apiKey": "sk-test-1"}],
            "managers": ["Users"],
            "allowWorkspaceUsers": True,
        },
    )[1]
    assert plan.scopes[0].initial_manage_principal == "users"
    # and an ACL of its own, named without case: the scope ignores later changes of the former
    assert [g.resource_name for g in plan.grants] == ["llm-acl-users"]


def test_unique_suffix_isolates_key_vault_secret_names() -> None:
    run = run_with_mocks(
        lambda: LlmKeyVault(
            "llm", {"providers": [{"name": "openai", "apiKey": FAKE_KEYS["openai"]}], "uniqueSuffix": True, **KV}
        )
    )
    (vault_secret,) = run.of_type("azure-native:keyvault:Secret")
    assert vault_secret.inputs["secretName"] == "openai-api-key-0a1b2c3d"
    assert run.outputs["secretKeys"] == {"openai": "openai-api-key-0a1b2c3d"}
    assert run.outputs["secretReferences"] == {"openai": "{{secrets/llm-0a1b2c3d/openai-api-key-0a1b2c3d}}"}


def test_a_key_given_as_an_output_holds_every_child_back_until_checked() -> None:
    """In process a key may be an Output, known only later: a refused one leaves nothing registered."""
    errors: list[str] = []

    def program() -> Any:
        vault = LlmKeyVault(
            "llm",
            {
                "providers": [
                    {"name": "openai", "apiKey": pulumi.Output.secret(FAKE_KEYS["openai"])},
                    {"name": "groq", "apiKey": pulumi.Output.secret(BIG_DATABRICKS)},
                ],
                "readers": ["ds"],
                "uniqueSuffix": True,
            },
        )
        return vault.outputs["scopes"]

    run = Run()
    try:
        run_with_mocks(program, run=run)
    except Exception as e:  # the refused key's check fails the program
        errors.append(str(e))
    assert errors and "providers[1].apiKey" in errors[0]
    assert_nothing_secret_in(errors[0])
    assert any(r.type.startswith("llmkeyvault:") for r in run.registrations), "the component itself registered"
    assert [r.type for r in run.registrations if not r.type.startswith(("pulumi:", "llmkeyvault:"))] == []


def test_workspace_users_manage_warns(engine: StandinEngine, plugin: ProviderProcess) -> None:
    inputs = {"providers": [openai()], "managers": ["users"], "allowWorkspaceUsers": True}
    logs_before = len(engine.recorder.logs)
    plugin.stub.Construct(engine.construct_request("warned", inputs))
    warnings = engine.recorder.logs[logs_before:]
    assert any("holds MANAGE" in w and "keeps the scope" in w for w in warnings), warnings


def test_secret_inputs_keep_derived_outputs_and_properties_secret(
    engine: StandinEngine, plugin: ProviderProcess
) -> None:
    from google.protobuf import json_format

    inputs = {"providers": [openai()], "scopeName": secret("team-private"), "readers": secret(["svc-private"])}
    response = plugin.stub.Construct(engine.construct_request("secretive", inputs))
    state = json_format.MessageToDict(response.state)
    for output in ("scopeNames", "scopes", "secretReferences", "environmentVariables", "grants"):
        assert is_secret(state[output]), output
    assert state["backend"] == "databricks"
    # what the inputs asked to grant, recorded in the component's state for the policy pack
    (recorded,) = [o for urn, o in engine.recorder.outputs.items() if urn.endswith("LlmKeyVault::secretive")]
    assert is_secret(recorded["grantsAsked"])
    children = [r for r in engine.recorder.registrations if "LlmKeyVault::secretive" in r.parent]
    for child in children:
        assert "private" not in child.name and "private" not in child.urn
        if child.type == "databricks:index/secretScope:SecretScope":
            assert is_secret(child.inputs["name"])
        if child.type == "databricks:index/secretAcl:SecretAcl":
            assert is_secret(child.inputs["principal"])


def planner_steps(count: int) -> int:
    """The planner's work for ``count`` providers, each with its own scope and grants: the Python
    calls and lines it executes, counted by a trace function, so the same on any machine under any
    load. (Its time is measured by ``make bench``.)"""
    problems = Problems()
    inputs = read_args(
        {
            "providers": [{"name": f"llm-{i}", "apiKey": "sk-test-0"} for i in range(count)],
            "scopePerProvider": True,
            "readers": ["ds"],
            "managers": ["users"],
            "allowWorkspaceUsers": True,
        },
        problems,
    )
    steps = 0

    def count_step(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal steps
        steps += 1
        return count_step

    previous = sys.gettrace()
    sys.settrace(count_step)
    try:
        planned = plan_vault("llm", inputs, problems)
    finally:
        sys.settrace(previous)
    problems.raise_if_any()
    assert len(planned.scopes) == count and len(planned.secrets) == count
    return steps


def test_grant_planning_is_linear() -> None:
    per_provider = {count: planner_steps(count) / count for count in (100, 1000)}
    growth = per_provider[1000] / per_provider[100]
    # Linear work is a fixed cost plus the same steps per provider: the share per provider can only
    # fall as providers are added. A scan of every provider for each one would make it ten times larger.
    assert growth <= 1.05, f"the planner's steps per provider at 1000 providers are {growth:.2f}x those at 100"


def test_secret_principals_sent_one_by_one_never_name_a_child(engine: StandinEngine, plugin: ProviderProcess) -> None:
    """The engine sends each secret of a list as an output value of its own: a secret
    provider reader or referencer is digested in child names, and every output is secret."""
    from google.protobuf import json_format

    cases: dict[str, dict[str, Any]] = {
        "per-provider": {
            "providers": [openai(readers=["ds", secret_output("svc-private-reader")])],
            "scopePerProvider": True,
        },
        "referencer": {
            "providers": [openai()],
            "backend": "unity-catalog",
            "unityCatalog": {"catalog": "main", "schema": "llm_keys"},
            "referencers": [secret_output("svc-private-referencer")],
        },
    }
    # The usage grants read what each principal holds through the stack's databricks configuration.
    with permissions_api() as api:
        config = {"databricks:host": api.url, "databricks:token": "dapi-test-hardening-0000"}
        responses = {
            name: plugin.stub.Construct(engine.construct_request(f"secret-{name}", inputs, config=config))
            for name, inputs in cases.items()
        }
    assert api.permission_reads() == [
        "/api/2.1/unity-catalog/permissions/catalog/main",
        "/api/2.1/unity-catalog/permissions/schema/main.llm_keys",
    ]
    for name, response in responses.items():
        state = json_format.MessageToDict(response.state)
        assert is_secret(state["grants"]), name
        children = [r for r in engine.recorder.registrations if f"LlmKeyVault::secret-{name}" in r.parent]
        assert children, name
        for child in children:
            assert "private" not in child.name and "private" not in child.urn, child.name
        digested = [c for c in children if "principal-" in c.name]
        assert digested, f"{name}: no child named by a digest"


@pytest.mark.parametrize(
    ("secret_paths", "refused"),
    [
        ({"providers"}, []),  # a list sent as one secret, for its keys: its names are taken as plain
        ({"providers[0]", "providers[1].apiKey"}, []),
        ({"scopeName", "readers", "writers[1]", "providers[0].readers[0]", "referencers[0]"}, []),
        ({"providers[0].name", "providers[1].secretKey"}, ["providers[0].name", "providers[1].secretKey"]),
        ({"unityCatalog"}, ["unityCatalog"]),
        ({"unityCatalog.schema", "keyVault.resourceId"}, ["keyVault.resourceId", "unityCatalog.schema"]),
        ({"rotationWarningDays", "scopePerProvider"}, []),  # a number or a boolean names nothing
    ],
)
def test_which_secret_values_are_refused(secret_paths: set[str], refused: list[str]) -> None:
    values: dict[str, Any] = {
        "providers": [
            {"name": "openai", "apiKey": "sk-test-0", "readers": ["ds"]},
            {"name": "groq", "apiKey": "sk-test-1", "secretKey": "groq-key"},
        ],
        "scopeName": "s",
        "readers": ["r"],
        "writers": ["w0", "w1"],
        "referencers": ["x"],
        "unityCatalog": {"catalog": "main", "schema": "llm"},
        "keyVault": {"resourceId": "/subscriptions/x"},
        "rotationWarningDays": 7,
        "scopePerProvider": True,
    }
    problems = Problems()
    refuse_secret_names(values, secret_paths, problems)
    with pytest.raises(InvalidInput) if refused else contextlib.nullcontext() as caught:
        problems.raise_if_any()
    if refused:
        assert caught is not None
        errors = caught.value.errors
        assert sorted(e.path for e in errors) == refused
        assert all(e.withhold_value and "arrived secret" in e.reason for e in errors)
