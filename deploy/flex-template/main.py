"""The file the Flex Template launcher runs (FLEX_TEMPLATE_PYTHON_PY_FILE in the Dockerfile).

It lives outside the packages so that its folder, which Python puts first on sys.path, shadows
nothing; the logic is in ``pipeline.flex``.
"""

import sys

from pipeline.flex import main

if __name__ == "__main__":
    sys.exit(main())
