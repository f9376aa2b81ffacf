"""``python -m scaffolder``: the same CLI as the console script."""

from scaffolder.cli import run

run()
