"""scaffolder: golden paths for platform teams."""

__version__ = "0.1.0"
