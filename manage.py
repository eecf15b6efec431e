#!/usr/bin/env python
"""Django's command-line utility. With no DATABASE_URL it attaches to (or starts)
the embedded PostgreSQL under .data/, so operators' commands need no extra step."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vardmiljo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
