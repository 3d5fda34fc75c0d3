import sys

from llmkeyvault_audit.cli import main

sys.exit(main())
