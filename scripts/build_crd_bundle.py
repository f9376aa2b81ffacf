"""Rebuild scaffolder/_crds, the built-in CRD bundle, from folders of upstream CRDs.

    .venv/bin/python scripts/build_crd_bundle.py ../shared/crds [MORE_DIRS...]
    .venv/bin/python scripts/build_crd_bundle.py --check ../shared/crds

See scaffolder/validate/crd_bundle.py and docs/guides/validate.md.
"""

from __future__ import annotations

import sys

from scaffolder.validate.crd_bundle import main

if __name__ == "__main__":
    sys.exit(main())
