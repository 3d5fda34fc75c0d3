"""``python -m llmkeyvault_provider ENGINE_ADDRESS``: serve the provider to the engine."""

import gc
import sys

from pulumi.provider import main

from .provider import Provider

#: Full collections only every 1000th second-generation one (Python's default: every
#: 10th). Pulumi's runtime keeps every Output and future of a component alive until
#: it is done, so with the default each full collection walks a heap that grows with
#: the providers, and a component's cost grows faster than its size. The process
#: lives for one deployment; younger cycles are still collected as usual.
FULL_COLLECTION_EVERY = 1000


def serve() -> None:
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
    main(Provider(), sys.argv[1:])


if __name__ == "__main__":
    serve()
