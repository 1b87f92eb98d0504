"""`python -m techwatch`: the command line."""

from techwatch.cli import app

app(prog_name="techwatch")
