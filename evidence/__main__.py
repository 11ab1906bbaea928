"""`python -m evidence` runs the caseline command."""

from evidence.cli import main

main()
