"""Entry point when the Python language host runs this folder as a plugin."""

from llmkeyvault_provider.__main__ import serve

serve()
