"""Allow ``python -m mlops_lint``.

``python -m`` puts the current directory first on ``sys.path``; run from inside the
repository under check, a file there named like a module the tool imports (``json.py``,
``click.py``) would be imported and run. The tool never runs target code, so that entry
is dropped before anything else is imported (what ``python -P`` does).
"""

import os
import sys

if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from mlops_lint.cli import main

main()
