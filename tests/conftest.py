"""Shared test data and set-up. Every fake key looks fake and is listed in
FAKE_KEYS, so a test can assert that none of them leaked anywhere.

`make test` runs the files side by side (pytest-xdist, `--dist loadfile`): each file
runs whole on one worker, so its module fixtures and the folders it writes stay its
own. Files that write under one build folder use subfolders of their own
(test_sdks.py and test_sdk_java.py in build/sdk-test), and every `make` a test runs
holds one lock, so two workers never build the same target at once. A test that reads
dist/ takes a copy under that lock (``dist_copy``).

The files run longest first (``LONGEST_FIRST``, then the rest in their usual order;
`make test` passes ``--no-loadscope-reorder`` so xdist keeps this order): a long file
that starts last would leave the other workers idle while it finishes."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.standin_engine import ProviderProcess, StandinEngine, provider_process, standin_engine

from devtools.local_stack import ROOT

FAKE_KEYS = {
    "openai": "sk-test-openai-0000000000000000",
    "anthropic": "sk-test-anthropic-1111111111111111",
    "cohere": "sk-test-cohere-2222222222222222",
    "mistral": "sk-test-mistral-3333333333333333",
    "huggingface": "sk-test-hf-4444444444444444",
    "my-llm": "sk-test-custom-5555555555555555",
}


#: The test files that take longest, longest first, as measured on a warm 2-core machine
#: (`pytest --durations`): each starts on a free worker before the many short files, which
#: then fill the gaps. test_ordering_names_only_test_files checks that each one exists.
LONGEST_FIRST = (
    "test_example_readmes.py",
    "test_e2e_hardening.py",
    "test_e2e_external.py",
    "test_user_repository.py",
    "test_examples.py",
    "test_demo.py",
    "test_e2e_hostile.py",
    "test_e2e_identity.py",
    "test_policy_e2e.py",
    "test_package_add.py",
    "test_sdks.py",
    "test_e2e_adoption.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files of ``LONGEST_FIRST`` first, in its order; a stable sort keeps every
    file's tests together and in their own order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def assert_no_key_in(text: str) -> None:
    for key in FAKE_KEYS.values():
        assert key not in text, "a fake key leaked"


MAKE_LOCK = ROOT / "build" / ".tests-make.lock"


@contextmanager
def build_lock() -> Iterator[None]:
    """Held while a test runs `make`: one build at a time across the test workers."""
    MAKE_LOCK.parent.mkdir(exist_ok=True)
    with MAKE_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def make(*targets: str) -> None:
    """Bring Makefile targets up to date; nothing happens for those already built."""
    with build_lock():
        subprocess.run(["make", "--no-print-directory", *targets], cwd=ROOT, check=True)


def dist_copy(dest: Path, *targets: str, ignore: Callable[[str, list[str]], Iterable[str]] | None = None) -> Path:
    """Build the ``dist/`` targets and copy ``dist/`` to ``dest``, both under the build lock:
    another worker's `make dist-<language>` empties that language's folder before it builds."""
    with build_lock():
        subprocess.run(["make", "--no-print-directory", *targets], cwd=ROOT, check=True)
        shutil.copytree(ROOT / "dist", dest, ignore=ignore)
    return dest


@pytest.fixture(scope="session")
def engine_ready() -> None:
    """What the real engine needs here: the toolchain, the built plugin, the
    workspace emulator and the examples' SDKs and drivers."""
    make("tools", "build", "emulator", "examples-deps")


@pytest.fixture(scope="module")
def engine() -> Iterator[StandinEngine]:
    """A stand-in engine for one test module: it records what the provider registers and logs."""
    with standin_engine() as e:
        yield e


@pytest.fixture(scope="module")
def plugin(engine: StandinEngine) -> Iterator[ProviderProcess]:
    """The provider process, started as the engine starts it, for one test module."""
    with provider_process(engine.address) as p:
        yield p
