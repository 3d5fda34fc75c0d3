"""A vault stack and a consumer stack through the real engine and the workspace emulator.

The vault (examples/yaml) is deployed by a platform identity, the consumer
(examples/serving-yaml) by an application's service principal that reads the
vault's outputs through a StackReference and creates a Model Serving endpoint
with them. Both stacks share one state backend and one emulated workspace, as
two stacks of one organisation share one workspace. The emulator checks, on
every Create and Update of the endpoint, that each `{{secrets/<scope>/<key>}}`
resolves and that the caller holds READ on the scope.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devtools.local_stack import EMULATOR_CLI, ROOT, LocalStack
from devtools.workspace import digest, is_empty, without_usage_grants

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PLATFORM = "platform-sp-0000"  # the identity that deploys the vault
SERVING = "serving-app-sp-1111"  # the application's service principal that creates the endpoint
KEY = "sk-test-serving-openai-0000"
ROTATED = "sk-test-serving-openai-1111"
ENDPOINT = "llm-chat"


#: the scope examples/yaml makes for its `dev` stack
VAULT_SCOPE = "llm-keys-dev"


def set_readers(vault: LocalStack, readers: list[str]) -> None:
    vault.run("config", "rm", "readers", check=False)
    for i, reader in enumerate(readers):
        vault.run("config", "set", "--path", f"readers[{i}]", reader)


def acls(stack: LocalStack) -> dict[str, str]:
    """The ACLs of the vault's scope, principals in lower case."""
    return {p.lower(): level for p, level in stack.workspace_dump()["acls"][VAULT_SCOPE].items()}


def assert_passes_the_policy_pack(consumer: LocalStack) -> None:
    """The consumer example, like every example, passes llmkeyvault-guardrails with no violation."""
    checked = consumer.preview("--policy-pack", str(ROOT / "policy"), "--expect-no-changes")
    printed = checked.stdout + checked.stderr
    assert "llmkeyvault-guardrails@v" in printed and "[mandatory]" not in printed and "[advisory]" not in printed


def test_a_consumer_serves_an_external_model_with_the_vaults_references(engine_ready: None, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    vault = LocalStack(ROOT / "examples" / "yaml", tmp_path / "vault", shared=shared)
    consumer = LocalStack(ROOT / "examples" / "serving-yaml", tmp_path / "consumer", shared=shared)
    assert vault.workspace == consumer.workspace and vault.state == consumer.state

    vault.init({"openaiApiKey": KEY}, {"databricks:clientId": PLATFORM})
    set_readers(vault, ["data-science", SERVING])
    vault.up()
    exported = vault.outputs()
    reference = exported["secretReferences"]["openai"]
    assert reference == "{{secrets/" + VAULT_SCOPE + "/openai-api-key}}"
    assert exported["externalModels"]["openai"] == {"provider": "openai", "openaiConfig": {"openaiApiKey": reference}}

    consumer.init({}, {"databricks:clientId": SERVING, "vaultStack": f"organization/llm-keys-yaml/{vault.stack}"})
    consumer.up()
    assert_passes_the_policy_pack(consumer)

    # The endpoint holds exactly the vault's references, and the application created it.
    dump = consumer.workspace_dump()
    endpoint = dump["servingEndpoints"][ENDPOINT]
    assert endpoint["creator"] == SERVING
    used = set(exported["secretReferences"].values()) | set(exported["environmentVariables"].values())
    assert endpoint["secretReferences"] == sorted(used) == [reference]
    assert acls(consumer)[SERVING] == "READ"
    assert consumer.outputs()["keyReference"] == reference

    # Rotating the key in the vault changes nothing for the consumer: references are stable.
    vault.set_secret("openaiApiKey", ROTATED)
    vault.up()
    assert consumer.workspace_dump()["secrets"][VAULT_SCOPE]["openai-api-key"]["valueSha256"] == digest(ROTATED)
    consumer.preview("--expect-no-changes")
    # ... and the endpoint still resolves: an update of it runs the emulator's check again.
    consumer.run("config", "set", "modelName", "gpt-4o")
    consumer.up()
    consumer.preview("--expect-no-changes")

    # Without READ on the scope, the consumer's next update of the endpoint fails.
    set_readers(vault, ["data-science"])
    vault.up()
    assert SERVING not in acls(consumer)
    consumer.run("config", "set", "modelName", "gpt-4o-mini")
    failed = consumer.up(check=False)
    printed = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "PERMISSION_DENIED" in printed
    assert f"does not have READ permission on secret scope {VAULT_SCOPE}" in printed
    assert "The endpoint creator must have READ access" in printed

    # Consumer first, then the vault: nothing is left in the workspace.
    consumer.destroy()
    assert ENDPOINT not in (consumer.workspace_dump().get("servingEndpoints") or {})
    vault.destroy()
    assert is_empty(without_usage_grants(vault.workspace_dump()))

    # No key anywhere: state, exports, anything either stack printed, the workspace.
    places = {
        "state": vault.state_files(),
        "vault export": vault.export(),
        "consumer export": consumer.export(),
        "printed": vault.everything_printed() + consumer.everything_printed(),
        "workspace": "\n".join(p.read_text(errors="replace") for p in shared.rglob("*") if p.is_file()),
    }
    for place, text in places.items():
        assert KEY not in text and ROTATED not in text, f"a key in the {place}"


def test_a_model_provider_service_refers_to_the_vaults_unity_catalog_secret(engine_ready: None, tmp_path: Path) -> None:
    """The unity-catalog path: an AI Gateway model provider service whose OpenAI key is
    `secretReference.name = secrets/<catalog>.<schema>.<secret>`, from the vault's secretFullNames."""
    shared = tmp_path / "shared"
    vault = LocalStack(ROOT / "tests" / "e2e" / "uc-vault", tmp_path / "vault", shared=shared)
    consumer = LocalStack(ROOT / "examples" / "serving-uc-yaml", tmp_path / "consumer", shared=shared)
    # The platform team's schema holds the keys; the application's own schema holds its service.
    for schema, owner in (("main.llm", PLATFORM), ("main.apps", SERVING)):
        seed = [str(EMULATOR_CLI), "seed", "--dir", str(vault.workspace), "--schema", schema, "--owner", owner]
        subprocess.run(seed, check=True, capture_output=True)
    vault.init({"openaiApiKey": KEY}, {"databricks:clientId": PLATFORM})
    set_readers(vault, ["data-science", SERVING])
    vault.up()
    full_name = vault.outputs()["secretFullNames"]["openai"]
    assert full_name == "main.llm.openai_api_key"

    consumer.init(
        {},
        {
            "databricks:clientId": SERVING,
            "vaultStack": f"organization/llm-keys-uc/{vault.stack}",
            "schema": "main.apps",
        },
    )
    consumer.up()
    assert_passes_the_policy_pack(consumer)
    service = consumer.workspace_dump()["modelProviderServices"]["main.apps.openai"]
    assert service["owner"] == SERVING
    assert service["secretReferences"] == [f"secrets/{full_name}"]
    assert consumer.outputs()["modelProviderService"] == "model-provider-services/main.apps.openai"

    # Rotation updates the UC secret in place: the consumer has nothing to change.
    vault.set_secret("openaiApiKey", ROTATED)
    vault.up()
    assert consumer.workspace_dump()["ucSecrets"][full_name]["valueSha256"] == digest(ROTATED)
    consumer.preview("--expect-no-changes")

    # Without READ_SECRET (nor REFERENCE_SECRET) on the secret, the next create is refused.
    set_readers(vault, ["data-science"])
    vault.up()
    consumer.run("config", "set", "serviceId", "openai-chat")  # a new id replaces the service: a Create
    failed = consumer.up(check=False)
    printed = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "PERMISSION_DENIED" in printed
    assert f"User does not have REFERENCE SECRET on Secret '{full_name}'" in printed
    consumer.run("config", "set", "serviceId", "openai")

    consumer.destroy()
    vault.destroy()
    assert is_empty(without_usage_grants(vault.workspace_dump()))
    texts = [vault.state_files(), vault.export(), consumer.export()]
    texts += [vault.everything_printed(), consumer.everything_printed()]
    texts += [p.read_text(errors="replace") for p in shared.rglob("*") if p.is_file()]
    for text in texts:
        assert KEY not in text and ROTATED not in text
