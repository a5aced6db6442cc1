"""``python -m ecosim``: the command-line interface."""

from ecosim.cli import main

main()
