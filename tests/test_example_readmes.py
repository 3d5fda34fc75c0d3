"""Every command block of every example's README, run as printed.

The fenced ``sh`` blocks of examples/<name>/README.md are run in order, each by
bash in a copy of the example, against the workspace emulator: installing the
release artefacts (``make dist``) with the README's own commands, creating the
stacks, setting configuration, deploying, choosing readers, rotating a key and
adding a second stack. Then the emulated workspace must hold exactly what the
README says it will, every stored value must be the one typed in, and no typed
value may appear in state, output or the workspace's files.

A block whose fence reads ``sh real-workspace`` is not run: it signs in to a
cloud (``az login``, ``gcloud auth``), which the emulator cannot stand in for.
Only such blocks may carry the mark (test_marked_blocks_only_sign_in).

What stands in for what:
- a command that prompts (``pulumi config set --secret KEY`` with no value and
  nothing piped in) gets the answer a person would type, from the test;
- the README runs ``pulumi`` itself, through a shim first on PATH that passes
  every command to this repository's CLI, except up/preview/destroy of a
  Python, TypeScript or Go program: their language hosts are not available
  here (docs/toolchain.md), so those run the same program through the
  Automation API driver (devtools/programs.py), the Python one in the venv the
  README made;
- ``PULUMI_SKIP_CONFIRMATIONS=true`` answers ``pulumi up``'s "Do you want to
  perform this update?" (as ``--yes`` would);
- the engine finds the databricks, random and azure-native plugins in the
  emulator (the copy's ``plugins:`` section) and llmkeyvault where the README
  installed it (``pulumi plugin install ... --file``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import dist_copy
from support.example_layouts import GCP_SCOPES, UC_PRINCIPALS, scope, uc_secret_grants

from devtools.demo import UC_SCHEMAS
from devtools.local_stack import BIN, ROOT, LocalStack
from devtools.programs import BUILD, DRIVERS, driver_for, go_driver, runtime_of
from devtools.workspace import digest, layout, secret_digests, uc_layout, uc_secret_digests

EXAMPLES = ROOT / "examples"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
RUN = "sh"
REAL_WORKSPACE = "sh real-workspace"
#: commands that need a real cloud sign-in; a block marked real-workspace must use one
SIGN_IN = re.compile(r"^\s*(az login|gcloud auth)\b", re.M)

#: Configuration keys of pulumi-databricks 1.118.0 (pulumi_databricks/config/vars.py).
DATABRICKS_CONFIG_KEYS = frozenset(
    {
        "accountId",
        "actionsIdTokenRequestToken",
        "actionsIdTokenRequestUrl",
        "audience",
        "authType",
        "azureClientId",
        "azureClientSecret",
        "azureEnvironment",
        "azureLoginAppId",
        "azureTenantId",
        "azureUseMsi",
        "azureWorkspaceResourceId",
        "clientId",
        "clientSecret",
        "cloud",
        "clusterId",
        "configFile",
        "databricksCliPath",
        "databricksIdTokenFilepath",
        "debugHeaders",
        "debugTruncateBytes",
        "disableOauthRefreshToken",
        "discoveryUrl",
        "googleCredentials",
        "googleServiceAccount",
        "groupId",
        "host",
        "httpTimeoutSeconds",
        "metadataServiceUrl",
        "oauthCallbackPort",
        "oidcTokenEnv",
        "password",
        "profile",
        "rateLimit",
        "retryTimeoutSeconds",
        "scopes",
        "serverlessComputeId",
        "skipVerify",
        "token",
        "username",
        "warehouseId",
        "workspaceId",
    }
)


@dataclass
class Block:
    readme: Path
    line: int
    info: str
    body: str

    def __str__(self) -> str:
        return f"{self.readme.relative_to(ROOT)}:{self.line}"


def blocks(readme: Path) -> list[Block]:
    text = readme.read_text(encoding="utf-8")
    return [
        Block(readme, text.count("\n", 0, m.start()) + 1, m.group("info").strip(), m.group("body"))
        for m in FENCE.finditer(text)
    ]


def consumes_a_vault(example: Path) -> bool:
    """A consumer example reads a vault stack through a StackReference: its commands need that
    stack deployed first, which tests/test_e2e_serving.py does, running the same commands."""
    return "StackReference" in (example / "Pulumi.yaml").read_text(encoding="utf-8")


def readmes() -> list[Path]:
    """The READMEs whose command blocks run here as printed: every vault example's."""
    return sorted(r for r in EXAMPLES.glob("*/README.md") if not consumes_a_vault(r.parent))


def test_consumer_readmes_name_the_test_that_deploys_them() -> None:
    consumers = sorted(p for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").exists() and consumes_a_vault(p))
    assert consumers
    for example in consumers:
        assert "tests/test_e2e_serving.py" in (example / "README.md").read_text(encoding="utf-8"), example
        assert example.name in (ROOT / "tests" / "test_e2e_serving.py").read_text(encoding="utf-8"), example


# --------------------------------------------------------------------------- static checks (fast)


def test_every_example_has_a_readme_with_blocks() -> None:
    names = sorted(p.parent.name for p in readmes())
    assert names == sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and not consumes_a_vault(p))
    for readme in readmes():
        assert any(b.info == RUN for b in blocks(readme)), f"{readme}: no block is run"


def test_every_block_is_run_or_marked() -> None:
    """No block escapes the test by an unknown fence: `sh` runs, `sh real-workspace` is the only exception."""
    for readme in readmes():
        for block in blocks(readme):
            assert block.info in (RUN, REAL_WORKSPACE), f"{block}: fence info {block.info!r}"


def test_marked_blocks_only_sign_in() -> None:
    """A block is left out only because it signs in to a real cloud, never to dodge a command
    the emulator can run."""
    for readme in readmes():
        for block in blocks(readme):
            if block.info == REAL_WORKSPACE:
                assert SIGN_IN.search(block.body), f"{block}: marked real-workspace but signs in to nothing"
            else:
                assert not SIGN_IN.search(block.body), f"{block}: signs in to a cloud; mark it real-workspace"


def test_databricks_config_keys_exist() -> None:
    """Every `databricks:<key>` the examples and docs/production.md name is a configuration key
    of pulumi-databricks 1.118.0: the emulator accepts any key, the real provider does not."""
    docs = [*EXAMPLES.glob("*/README.md"), ROOT / "docs" / "production.md"]
    named = {  # configuration keys are camelCase; `databricks:ModelServing` is a resource type
        (doc.relative_to(ROOT).as_posix(), key)
        for doc in docs
        for key in re.findall(r"\bdatabricks:([a-z][A-Za-z]*)\b(?![/:])", doc.read_text(encoding="utf-8"))
    }
    assert named
    unknown = sorted((doc, key) for doc, key in named if key not in DATABRICKS_CONFIG_KEYS)
    assert not unknown, unknown


# --------------------------------------------------------------------------- running the blocks

#: The shim that is `pulumi` on the README's PATH (see the module docstring).
SHIM = """\
import json
import os
import subprocess
import sys
from pathlib import Path

real = os.environ["README_TEST_PULUMI"]
args = sys.argv[1:]
words = [a for a in args if not a.startswith("-")]

if words[:2] == ["config", "set"] and "--secret" in args and len(words) == 3:
    if os.path.realpath("/proc/self/fd/0") == "/dev/null":
        # The prompt: answered with what the person at the keyboard would type.
        answers_file = Path(os.environ["README_TEST_ANSWERS"])
        answers = json.loads(answers_file.read_text())
        queue = answers.get(words[2]) or []
        if not queue:
            sys.exit(f"readme test: the README prompts for {words[2]!r} once more than the test answers")
        value = queue.pop(0)
        answers_file.write_text(json.dumps(answers))
        sys.exit(subprocess.run([real, *args], input=value, text=True).returncode)

if words[:3] == ["config", "set", "databricks:host"] and len(words) == 4:
    # The workspace a README names is the emulated one: its host is the emulator's REST mode,
    # where the plugin reads Unity Catalog grants (the emulated provider ignores the host).
    args = [os.environ["DATABRICKS_HOST"] if a == words[3] else a for a in args]

driver = json.loads(os.environ["README_TEST_DRIVER"])
if driver and words[:1] and words[0] in ("up", "preview", "destroy"):
    stack = subprocess.run([real, "stack", "--show-name"], capture_output=True, text=True, check=True).stdout.strip()
    sys.exit(subprocess.run([*driver, words[0], "--stack", stack, *args[1:]]).returncode)

os.execv(real, [real, *args])
"""


@dataclass
class Expected:
    """What an example's README leads to. Its blocks set each key once per stack it makes
    (dev, then prod: answers 0 and 2) and set ``rotated`` again on dev in between (answer 1)."""

    #: the name in the example's fake keys
    example: str
    #: the LLM keys' config names, each to its provider id
    keys: dict[str, str]
    #: the config name of the key set again
    rotated: str
    #: where each key ends up ("{stack}" and "{provider}" in it): `scope/key`,
    #: `vault:<rg>/<vault>/<name>` or `<catalog>.<schema>.<secret>`
    stored_at: str
    #: the emulated workspace's layout (devtools.workspace.layout) after the last block
    layout: dict[str, Any]
    #: the sign-in secrets the README sets, each once
    sign_in: tuple[str, ...] = ("databricks:clientSecret",)
    stacks: tuple[str, ...] = ("dev", "prod")
    #: Unity Catalog (devtools.workspace.uc_layout) after the last block; the schemas the example
    #: writes into are seeded first (devtools.demo.UC_SCHEMAS), as a platform team made them
    uc_layout: dict[str, Any] = field(default_factory=lambda: {"schemas": {}, "grants": {}})
    #: what exists before the first block (made outside Pulumi with the emulator's CLI)
    prepare: Callable[[LocalStack], None] = lambda stack: None

    def _answer(self, key: str, stack: str) -> int:
        return 2 if stack == "prod" else int(key == self.rotated)

    @property
    def answers(self) -> dict[str, list[str]]:
        """What each prompt is answered with, in order."""
        answers = {name: [fake(self.example, name, 0)] for name in self.sign_in}
        for key, provider in self.keys.items():
            numbers = sorted({n for stack in self.stacks for n in (0, self._answer(key, stack))})
            answers[key] = [fake(self.example, provider, n) for n in numbers]
        return answers

    @property
    def values(self) -> dict[str, str]:
        """Each stored key to the value it must hold at the end."""
        return {
            self.stored_at.format(stack=stack, provider=provider): fake(
                self.example, provider, self._answer(key, stack)
            )
            for key, provider in self.keys.items()
            for stack in self.stacks
        }


AWS_KEYS = ["openai-api-key", "anthropic-api-key", "amazon-bedrock-api-key"]
AWS_GRANTS = {"data-science": "READ", "ml-engineers": "READ", "analytics": "READ", "platform-admins": "MANAGE"}
AZ_KEYS = ["azure-openai-api-key", "openai-api-key", "mistral-api-key"]
AZ_VAULT = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-llm-keys"
    "/providers/Microsoft.KeyVault/vaults/kv-llm-keys"
)
AZ_GRANTS = {"data-science": "READ", "ml-engineers": "READ", "platform-admins": "MANAGE"}
#: the service principal examples/azure-typescript/README.md switches to (`databricks:azureClientId`)
AZ_SP = "22222222-2222-2222-2222-222222222222"

#: the service principal the READMEs configure as `databricks:clientId`: the deploying identity
README_SP = "4c9e3a2b-1d6f-4e8a-9b7c-0f1e2d3c4b5a"


def make_admin(principal: str) -> Callable[[LocalStack], None]:
    """Make ``principal`` a workspace admin (a member of `admins`) before the README runs."""

    def prepare(stack: LocalStack) -> None:
        stack.emulator("add-member", "--group", "admins", "--member", principal)

    return prepare


def uc_platform_team(example: str) -> Callable[[LocalStack], None]:
    """The schemas the example writes into (devtools.demo.UC_SCHEMAS), made by a platform team,
    which grants the deploying service principal what the example's README says it needs."""

    def prepare(stack: LocalStack) -> None:
        for full in UC_SCHEMAS[example]:
            catalog = full.split(".")[0]
            stack.seed(full, owner="platform-team")
            for securable, name, privileges in (
                ("catalog", catalog, UC_DEPLOYER_ON_CATALOG),
                ("schema", full, UC_DEPLOYER_ON_SCHEMA),
            ):
                args = ["--securable", securable, "--name", name, "--principal", README_SP, "--caller", "platform-team"]
                stack.emulator("put-grant", *args, *(a for p in privileges for a in ("--privilege", p)))

    return prepare


UC_DEPLOYER_ON_CATALOG = ["MANAGE", "USE_CATALOG"]
UC_DEPLOYER_ON_SCHEMA = ["CREATE_SECRET", "MANAGE", "USE_SCHEMA"]


def fake(example: str, name: str, n: int) -> str:
    return f"sk-test-readme-{example}-{name}-{n:04d}"


EXPECTED = {
    "aws-python": Expected(
        "aws",
        keys={"openaiApiKey": "openai", "anthropicApiKey": "anthropic", "bedrockSecretAccessKey": "amazon-bedrock"},
        rotated="openaiApiKey",
        stored_at="llm-keys-{stack}/{provider}-api-key",
        layout={"scopes": {f"llm-keys-{s}": scope(AWS_KEYS, AWS_GRANTS) for s in ("dev", "prod")}, "vaults": {}},
    ),
    "azure-typescript": Expected(
        "az",
        keys={"azureOpenaiApiKey": "azure-openai", "openaiApiKey": "openai", "mistralApiKey": "mistral"},
        rotated="azureOpenaiApiKey",
        stored_at="vault:rg-llm-keys/kv-llm-keys-{stack}/{provider}-api-key",
        sign_in=("databricks:azureClientSecret", "azure-native:clientSecret"),
        # The service principal that takes over the stack the person deployed is, like that person
        # (who created the workspace), a workspace admin: it changes ACLs on a scope it did not create.
        prepare=make_admin(AZ_SP),
        layout={
            "scopes": {
                # dev was created by the person; the service principal keeps MANAGE with its own ACL
                "llm-keys-dev": scope(AZ_KEYS, {**AZ_GRANTS, AZ_SP: "MANAGE"}, "AZURE_KEYVAULT"),
                "llm-keys-prod": scope(AZ_KEYS, AZ_GRANTS, "AZURE_KEYVAULT"),
            },
            "vaults": {f"rg-llm-keys/kv-llm-keys-{s}": sorted(AZ_KEYS) for s in ("dev", "prod")},
        },
    ),
    "gcp-go": Expected(
        "gcp",
        keys={"openaiApiKey": "openai", "anthropicApiKey": "anthropic", "geminiApiKey": "google"},
        rotated="geminiApiKey",
        stored_at="llm-keys-{stack}-{provider}/{provider}-api-key",
        layout={
            "scopes": {
                f"llm-keys-{s}-{p}": scope([f"{p}-api-key"], grants)
                for s in ("dev", "prod")
                for p, grants in GCP_SCOPES.items()
            },
            "vaults": {},
        },
    ),
    "yaml": Expected(
        "yaml",
        keys={"openaiApiKey": "openai"},
        rotated="openaiApiKey",
        stored_at="llm-keys-{stack}/{provider}-api-key",
        layout={
            "scopes": {f"llm-keys-{s}": scope(["openai-api-key"], {"data-science": "READ"}) for s in ("dev", "prod")},
            "vaults": {},
        },
    ),
    "unity-catalog-yaml": Expected(
        "uc",
        keys={"openaiApiKey": "openai", "anthropicApiKey": "anthropic", "mistralApiKey": "mistral"},
        rotated="openaiApiKey",
        stored_at="main.llm_keys.{provider}_api_key",
        stacks=("dev",),
        layout={"scopes": {}, "vaults": {}},
        prepare=uc_platform_team("unity-catalog-yaml"),
        uc_layout={
            "schemas": {"main.llm_keys": ["anthropic_api_key", "mistral_api_key", "openai_api_key"]},
            "grants": {
                "catalog": {"main": {README_SP: UC_DEPLOYER_ON_CATALOG, **{p: ["USE_CATALOG"] for p in UC_PRINCIPALS}}},
                "schema": {
                    "main.llm_keys": {README_SP: UC_DEPLOYER_ON_SCHEMA, **{p: ["USE_SCHEMA"] for p in UC_PRINCIPALS}}
                },
                "secret": {
                    f"main.llm_keys.{p}_api_key": uc_secret_grants(p) for p in ("openai", "anthropic", "mistral")
                },
            },
        },
    ),
}


def test_expectations_cover_every_example() -> None:
    assert sorted(EXPECTED) == sorted(p.parent.name for p in readmes())


def driver(project: Path, source: Path) -> list[str]:
    """What the shim runs for up/preview/destroy in ``project``, the copy of the example at
    ``source``; empty for the CLI itself (YAML)."""
    runtime = runtime_of(project)
    if runtime == "python":
        # the venv the README made (Pulumi.yaml: virtualenv: venv)
        return [str(project / "venv" / "bin" / "python"), str(DRIVERS / "python_inline.py")]
    if runtime == "nodejs":
        return ["node", str(BUILD / "nodejs" / "driver" / "node_inline.js")]
    if runtime == "go":
        return [str(go_driver(source))]  # built from the example by make examples-deps
    assert runtime == "yaml", runtime
    return []


@pytest.fixture(scope="module")
def release_artefacts(engine_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the READMEs install: `make dist`'s plugin tarball, Python wheel and npm tarball."""
    return dist_copy(tmp_path_factory.mktemp("release") / "dist", "dist-plugin", "dist-sdk-python", "dist-sdk-nodejs")


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_readme_blocks_run_as_printed(release_artefacts: Path, tmp_path: Path, name: str) -> None:
    expected = EXPECTED[name]
    # ../../dist, ../../sdk and ../../provider resolve as they do from examples/<name>
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dist").symlink_to(release_artefacts)
    for folder in ("sdk", "provider"):
        (repo / folder).symlink_to(ROOT / folder)
    stack = LocalStack(EXAMPLES / name, repo / "examples", built_plugin=False)
    expected.prepare(stack)

    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    shim = shim_dir / "pulumi"
    shim.write_text(f"#!{sys.executable}\n{SHIM}")
    shim.chmod(0o755)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(expected.answers))
    env = {
        **stack.env,
        "PATH": f"{shim_dir}:{stack.env['PATH']}",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "README_TEST_PULUMI": str(BIN / "pulumi"),
        "README_TEST_ANSWERS": str(answers),
        "README_TEST_DRIVER": json.dumps(driver(stack.project, EXAMPLES / name)),
    }

    printed: list[str] = []
    timings: list[str] = []
    for block in blocks(EXAMPLES / name / "README.md"):
        if block.info != RUN:
            continue
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + block.body],
            cwd=stack.project,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        printed += [done.stdout, done.stderr]
        timings.append(f"{block}: {time.perf_counter() - start:.0f}s")
        assert done.returncode == 0, f"{block} failed:\n{block.body}\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    print("\n".join(timings))

    # every prompt the test can answer was asked
    assert json.loads(answers.read_text()) == {key: [] for key in expected.answers}

    # the workspace holds what the README says: both stacks' scopes, side by side
    dump = stack.workspace_dump()
    assert layout(dump) == expected.layout
    assert uc_layout(dump) == expected.uc_layout
    stored = {**secret_digests(dump), **uc_secret_digests(dump)}
    assert {k: stored.get(k) for k in expected.values} == {k: digest(v) for k, v in expected.values.items()}
    assert len(stored) == len(expected.values), sorted(stored)

    # nothing typed at a prompt is in plaintext anywhere
    typed = [value for queue in expected.answers.values() for value in queue]
    places = {
        "state": stack.state_files(),
        "output": "\n".join(printed),
        "stack config files": "\n".join(p.read_text() for p in stack.project.glob("Pulumi.*.yaml")),
        "emulated workspace": "\n".join(
            p.read_text(errors="replace") for p in stack.workspace.rglob("*") if p.is_file()
        ),
    }
    for place, text in places.items():
        for value in typed:
            assert value not in text, f"a typed secret is in plaintext in the {place}"


# --------------------------------------------------------------------------- docs/production.md


def production_program() -> str:
    """The one complete program in docs/production.md: a provider per workspace, and protect."""
    text = (ROOT / "docs" / "production.md").read_text(encoding="utf-8")
    (program,) = [m.group("body") for m in FENCE.finditer(text) if m.group("info").strip() == "yaml"]
    return program


@pytest.mark.e2e
@pytest.mark.slow
def test_production_program_uses_its_provider_and_is_protected(engine_ready: None, tmp_path: Path) -> None:
    """The YAML program of docs/production.md, as printed, deployed: two workspaces, each
    component's databricks children use that component's explicit provider, the components
    and their children are protected, and a `pulumi destroy` is refused with the scopes and
    keys still there. (The emulator is one workspace: the two scopes land side by side.)"""
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(production_program())
    stack = LocalStack(source, tmp_path / "run")
    secret_values = {
        f"{env}{name}": fake("prod", f"{env}-{name}", 0)
        for env in ("prod", "staging")
        for name in ("ClientSecret", "OpenaiApiKey")
    }
    stack.init(secret_values)
    stack.up()

    dump = stack.workspace_dump()
    assert layout(dump) == {
        "scopes": {
            "llm-keys-prod": scope(["openai-api-key"], {"data-science": "READ"}),
            "llm-keys-staging": scope(["openai-api-key"], {"data-science": "READ", "ml-engineers": "READ"}),
        },
        "vaults": {},
    }
    resources = json.loads(stack.export())["deployment"]["resources"]
    providers = {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] == "pulumi:providers:databricks"}
    assert sorted(providers) == ["prodWorkspace", "stagingWorkspace"]
    components = {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] == "llmkeyvault:index:LlmKeyVault"}
    assert sorted(components) == ["prodKeys", "stagingKeys"]
    for env in ("prod", "staging"):
        provider = providers[f"{env}Workspace"]
        explicit = f"{provider['urn']}::{provider['id']}"
        component = components[f"{env}Keys"]
        children = [r for r in resources if r.get("parent") == component["urn"] and r["type"].startswith("databricks:")]
        # the readers' READ, and the deploying identity's own MANAGE (deployerAcl)
        acls = ["databricks:index/secretAcl:SecretAcl"] * (3 if env == "staging" else 2)
        assert sorted(r["type"] for r in children) == sorted(
            ["databricks:index/secret:Secret", "databricks:index/secretScope:SecretScope", *acls]
        )
        assert {r["urn"]: r.get("provider") for r in children} == {r["urn"]: explicit for r in children}
        assert {r["urn"]: r.get("protect", False) for r in [component, *children]} == {
            r["urn"]: True for r in [component, *children]
        }

    refused = stack.program_op("destroy", check=False)
    assert refused.returncode != 0
    assert "protect" in (refused.stdout + refused.stderr)
    assert secret_digests(stack.workspace_dump()) == {
        f"llm-keys-{env}/openai-api-key": digest(fake("prod", f"{env}-OpenaiApiKey", 0)) for env in ("prod", "staging")
    }
    for value in secret_values.values():
        assert value not in stack.state_files() and value not in stack.everything_printed()


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("name", ["aws-python", "azure-typescript"])
def test_a_reader_list_with_a_gap_is_refused(engine_ready: None, tmp_path: Path, name: str) -> None:
    """`pulumi config set --path 'readerGroups[1]' x` alone makes `[null, "x"]` (a list set in
    stack config replaces the default): the engine refuses it against the type the project
    declares (`array<string>`), as the READMEs say, before anything is created."""
    source = EXAMPLES / name
    stack = LocalStack(source, tmp_path, driver=driver_for(source))
    secret_keys = [
        key
        for key, spec in yaml.safe_load((source / "Pulumi.yaml").read_text())["config"].items()
        if isinstance(spec, dict) and spec.get("secret")
    ]
    config = {"keyVaultResourceId": AZ_VAULT} if name == "azure-typescript" else {}
    stack.init({key: fake(name, key, 0) for key in secret_keys}, config)
    stack.run("config", "set", "--path", "readerGroups[1]", "analytics")

    refused = stack.preview(check=False)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "configuration key 'readerGroups' must be of type 'array<string>'" in output
    assert not (stack.workspace_dump().get("scopes") or {})
