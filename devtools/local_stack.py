"""A Pulumi project deployed by the real engine against the workspace emulator.

Used by `make demo` and by the end-to-end tests. A copy of the project gets a
`plugins:` section that points the engine at the built llmkeyvault plugin and
at the workspace emulator (the test double for databricks, random and
azure-native), so a user's own configuration never reaches it. State goes to a
local file backend under the given root, with a passphrase generated once and
kept there. Every command's output is kept so tests can search it for keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "bin"
EMULATOR = BIN / "emulator"
EMULATOR_CLI = EMULATOR / "llmkeyvault-workspace-emulator"
PLUGIN_DIR = ROOT / "build" / "plugin"
_SCHEMA = (ROOT / "schema.yaml").read_bytes()
#: the built plugin's version, schema.yaml's
PLUGIN_VERSION = str(yaml.safe_load(_SCHEMA)["version"])
#: The engine's cache of package schemas (PULUMI_HOME/schemas), shared by the stacks here that
#: run the built plugin, as one PULUMI_HOME's is by a user's stacks: the schema the plugin
#: answers is schema.yaml's, so the folder is named by that file's digest, and the engine
#: reads a cached schema only while it is newer than the plugin.
SCHEMA_CACHE = ROOT / "build" / "pulumi-schemas" / hashlib.sha256(_SCHEMA).hexdigest()[:16]
#: the CLI to drive: LLMKEYVAULT_PULUMI (`make demo` and `make bench` pass the one
#: toolchain/toolchain.mk chose, which may be an installed Pulumi), else the one built in bin/
PULUMI = Path(os.environ.get("LLMKEYVAULT_PULUMI") or BIN / "pulumi")
EMULATED_PACKAGES = ("databricks", "random", "azure-native")
#: the bearer token of the emulated workspace's REST API (a test value, not a credential)
REST_TOKEN = "dapi-test-local-stack-token"


def run_emulator(folder: Path, command: str, *args: str, stdin: str | None = None) -> str:
    """Run a command of the emulator's CLI on a workspace folder: what a platform team or a person
    did outside Pulumi. Its standard output; a failure raises with the command's error output."""
    done = subprocess.run(
        [str(EMULATOR_CLI), command, "--dir", str(folder), *args], input=stdin, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise AssertionError(f"emulator {command} failed ({done.returncode}): {done.stderr}")
    return done.stdout


#: LibYAML's loader and dumper where PyYAML has them (the pure-Python ones take minutes on the
#: megabyte-long names the hardening tests give a program); the same documents either way
YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_yaml(text: Any) -> Any:
    """``yaml.safe_load``, with LibYAML where there is one."""
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader


def dump_yaml(data: Any, stream: Any = None) -> Any:
    """``yaml.safe_dump(data, stream, sort_keys=False)``, with LibYAML where there is one."""
    return yaml.dump(data, stream, Dumper=YAML_DUMPER, sort_keys=False)


def plugins_section(built_plugin: bool = True) -> dict[str, Any]:
    """The plugins a project here runs: the built plugin, at its version, and the emulator for
    the packages it stands in for. Given a plugin's version, the engine keeps the schema it
    read from it in PULUMI_HOME/schemas, so a YAML program's later runs do not start the
    plugin a second time only to read its schema."""
    providers = [{"name": "llmkeyvault", "path": str(PLUGIN_DIR), "version": PLUGIN_VERSION}] if built_plugin else []
    providers += [{"name": name, "path": str(EMULATOR)} for name in EMULATED_PACKAGES]
    return {"providers": providers}


def pulumi_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment every pulumi command here runs in: the CLI's folder and this
    project's bin/ first, a private PULUMI_HOME, no update check and no plugin downloads."""
    return {
        **os.environ,
        "PATH": f"{PULUMI.parent}:{BIN}:{os.environ['PATH']}",
        "PULUMI_HOME": str(home),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        **extra,
    }


def yaml_vault_project(
    folder: Path,
    name: str,
    properties: dict[str, Any],
    *,
    secret_config: tuple[str, ...] = ("apiKey",),
    resource: str = "llmKeys",
    outputs: tuple[str, ...] = (),
) -> Path:
    """Write a YAML program with one LlmKeyVault into ``folder``: ``properties`` as given
    (reference a key as ``${apiKey}``), each of ``secret_config`` a secret string setting,
    each of ``outputs`` exported from the component's output of that name."""
    folder.mkdir(parents=True, exist_ok=True)
    project = {
        "name": name,
        "runtime": "yaml",
        "config": {key: {"type": "string", "secret": True} for key in secret_config},
        "resources": {resource: {"type": "llmkeyvault:LlmKeyVault", "properties": properties}},
    }
    if outputs:
        project["outputs"] = {output: f"${{{resource}.{output}}}" for output in outputs}
    (folder / "Pulumi.yaml").write_text(dump_yaml(project))
    return folder


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def new_vault_stack(tmp_path: Path, name: str, properties: dict[str, Any], keys: dict[str, str]) -> LocalStack:
    """A stack of a YAML program with one LlmKeyVault (``yaml_vault_project``) whose secret
    settings are ``keys``, initialised under ``tmp_path``."""
    source = yaml_vault_project(tmp_path / "source", name, properties, secret_config=tuple(keys))
    stack = LocalStack(source, tmp_path / "stack")
    stack.init(keys)
    return stack


@dataclass
class LocalStack:
    """A Pulumi project (an example), copied into ``root``, with its own state, workspace and plugin home."""

    source: Path
    root: Path
    stack: str = "dev"
    #: command that runs up/preview/destroy for a program whose language host is not
    #: at hand (an Automation API inline driver); None runs the pulumi CLI itself
    driver: list[str] | None = None
    #: False leaves llmkeyvault out of the plugins section, for a package added another way
    built_plugin: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    #: folder of the state backend, emulated workspace and passphrase, when several
    #: stacks (a vault and its consumer) share them; None keeps them under ``root``
    shared: Path | None = None
    transcript: list[Result] = field(default_factory=list)
    _rest_url: str | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.project = self.root / "project"
        common = self.shared or self.root
        self.state = common / "state"
        self.workspace = common / "workspace"
        self.home = self.root / "pulumi-home"
        for folder in (self.state, self.workspace, self.home):
            folder.mkdir(parents=True, exist_ok=True)
        schemas = self.home / "schemas"
        if self.built_plugin and (schemas.is_symlink() or not schemas.exists()):
            SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
            schemas.unlink(missing_ok=True)
            schemas.symlink_to(SCHEMA_CACHE, target_is_directory=True)
        shutil.copytree(
            self.source,
            self.project,
            ignore=shutil.ignore_patterns("node_modules", "venv", ".venv", "bin", "Pulumi.*.yaml"),
            dirs_exist_ok=True,
        )
        with (self.project / "Pulumi.yaml").open(encoding="utf-8") as f:
            project = load_yaml(f)
        project["plugins"] = plugins_section(self.built_plugin)
        with (self.project / "Pulumi.yaml").open("w", encoding="utf-8") as f:
            dump_yaml(project, f)
        # Generated once per state folder and kept beside the state it unlocks.
        passphrase_file = common / "passphrase"
        if not passphrase_file.exists():
            passphrase_file.touch(mode=0o600)
            passphrase_file.write_text(secrets.token_hex(16))
        self.passphrase = passphrase_file.read_text().strip()

    @property
    def env(self) -> dict[str, str]:
        # The same workspace over its REST API, where the plugin reads Unity Catalog grants
        # (usage grants) with databricks-sdk; no ~/.databrickscfg of the user's is read.
        rest = {
            "DATABRICKS_HOST": self.rest_url,
            "DATABRICKS_TOKEN": REST_TOKEN,
            # Stacks here name the emulated identity with databricks:clientId, which databricks-sdk
            # would take for a second authentication method beside the token.
            "DATABRICKS_AUTH_TYPE": "pat",
            "DATABRICKS_CONFIG_FILE": str(self.root / "no-databrickscfg"),
        }
        return pulumi_env(
            self.home,
            PULUMI_BACKEND_URL=f"file://{self.state}",
            PULUMI_CONFIG_PASSPHRASE=self.passphrase,
            LLMKEYVAULT_EMULATOR_DIR=str(self.workspace),
            LLMKEYVAULT_EMULATOR_QUIET="1",
            LLMKEYVAULT_PULUMI=str(PULUMI),
            **{**rest, **self.extra_env},
        )

    @property
    def rest_url(self) -> str:
        """The URL of the emulator's REST mode over this stack's workspace, started on first use
        and stopped with this object (or at exit)."""
        if self._rest_url is None:
            process = subprocess.Popen(
                [str(EMULATOR_CLI), "serve", "--dir", str(self.workspace), "--port", "0", "--token", REST_TOKEN],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if not line.startswith("listening on http://"):
                process.terminate()
                raise AssertionError(f"the emulator's REST mode did not start: {line!r}")
            weakref.finalize(self, _stop, process)
            self._rest_url = line.removeprefix("listening on ")
        return self._rest_url

    def run(self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 900) -> Result:
        return self._execute([str(PULUMI), *args, "--non-interactive"], check, stdin, timeout)

    def program_op(self, op: str, *extra: str, check: bool = True) -> Result:
        """up, preview or destroy of the program, through the driver when there is one."""
        if self.driver is None:
            flags = {"up": ["--yes", "--skip-preview"], "destroy": ["--yes", "--skip-preview"], "preview": []}[op]
            return self.run(op, *flags, *extra, check=check)
        return self._execute([*self.driver, op, "--stack", self.stack, *extra], check, None, 900)

    def _execute(self, argv: list[str], check: bool, stdin: str | None, timeout: float) -> Result:
        start = time.perf_counter()
        done = subprocess.run(
            argv,
            cwd=self.project,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        result = Result(argv, done.returncode, done.stdout, done.stderr, time.perf_counter() - start)
        self.transcript.append(result)
        if check and done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv[1:3])} failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            )
        return result

    def exists(self) -> bool:
        return self.run("stack", "select", self.stack, check=False).returncode == 0

    def init(self, secret_config: dict[str, str], config: dict[str, str] | None = None) -> None:
        """Create the stack and set its settings, all of them with one command: each command
        that encrypts derives the stack's key from its passphrase again (a fifth of a second of CPU
        each). ``secret_config`` holds stand-in keys (``sk-test-...``), which may be
        on a command line; ``set_secret`` passes a value through stdin."""
        self.run("stack", "init", self.stack)
        pairs = [*(("--plaintext", f"{k}={v}") for k, v in (config or {}).items())]
        pairs += [("--secret", f"{k}={v}") for k, v in secret_config.items()]
        if pairs:
            self.run("config", "set-all", *(arg for pair in pairs for arg in pair))

    def set_secret(self, key: str, value: str) -> None:
        # Through stdin, so the key is not on a command line.
        self.run("config", "set", "--secret", key, stdin=value)

    def up(self, *extra: str, check: bool = True) -> Result:
        return self.program_op("up", *extra, check=check)

    def preview(self, *extra: str, check: bool = True) -> Result:
        return self.program_op("preview", *extra, check=check)

    def destroy(self) -> Result:
        return self.program_op("destroy")

    def outputs(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return loaded

    def export(self) -> str:
        return self.run("stack", "export").stdout

    def state_files(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.state.rglob("*") if p.is_file())

    def definition(self) -> dict[str, Any]:
        """The project copy's Pulumi.yaml as it is now."""
        with (self.project / "Pulumi.yaml").open(encoding="utf-8") as f:
            loaded: dict[str, Any] = load_yaml(f)
        return loaded

    def redefine(self, project: dict[str, Any]) -> None:
        """Replace the project copy's Pulumi.yaml (as `definition` returned it, changed): the
        program as a user would edit it between two updates."""
        with (self.project / "Pulumi.yaml").open("w", encoding="utf-8") as f:
            dump_yaml(project, f)

    def edit_vault(self, properties: dict[str, Any], resource: str = "llmKeys") -> None:
        """The program as a user edits it between two updates: the vault's properties replaced."""
        project = self.definition()
        project["resources"][resource]["properties"] = properties
        self.redefine(project)

    def workspace_dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = json.loads(self.emulator("dump"))
        return dumped

    def emulator(self, command: str, *args: str) -> str:
        """Run a command of the emulator's CLI on this stack's workspace (``seed``, ``put-grant``, ...):
        what a platform team or a person did outside the stack. Its standard output."""
        return run_emulator(self.workspace, command, *args)

    def emulator_stdin(self, command: str, value: str, *args: str) -> None:
        """Run an emulator command that reads a value from standard input (``put-secret``, ...): the
        value never appears on a command line."""
        run_emulator(self.workspace, command, "--digest-of-stdin", *args, stdin=value)

    def seed(self, *schemas: str, owner: str | None = None) -> None:
        """Make Unity Catalog schemas (``<catalog>.<schema>``) exist, as a platform team would have;
        owned by the emulator's default deploying identity unless ``owner`` says otherwise."""
        args = [arg for schema in schemas for arg in ("--schema", schema)]
        self.emulator("seed", *args, *(("--owner", owner) if owner else ()))

    def everything_printed(self) -> str:
        return "\n".join(r.stdout + "\n" + r.stderr for r in self.transcript)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
