"""scaffolder: golden paths for platform teams."""

__version__ = "0.1.0"

# The name on PyPI (`scaffolder` there is another author's project); the command stays
# `scaffolder`.
DISTRIBUTION = "scaffolder-golden-paths"
