"""``python -m llmkeyvault_provider ENGINE_ADDRESS``: serve the provider to the engine."""

import sys

from pulumi.provider import main

from .provider import Provider


def serve() -> None:
    main(Provider(), sys.argv[1:])


if __name__ == "__main__":
    serve()
