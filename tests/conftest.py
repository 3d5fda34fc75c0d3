"""Shared test data and set-up. Every fake key looks fake and is listed in
FAKE_KEYS, so a test can assert that none of them leaked anywhere."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

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


def assert_no_key_in(text: str) -> None:
    for key in FAKE_KEYS.values():
        assert key not in text, "a fake key leaked"


def make(*targets: str) -> None:
    """Bring Makefile targets up to date; nothing happens for those already built."""
    subprocess.run(["make", "--no-print-directory", *targets], cwd=ROOT, check=True)


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
