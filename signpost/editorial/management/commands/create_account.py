"""Create an editor or an operator from the command line: how the first editor comes to be.

    manage.py create_account --role editor --username sam --email sam@office.example

The password is asked for twice (or read from SIGNPOST_ACCOUNT_PASSWORD, for scripts). At the
first sign-in the new person sets up two-factor sign-in. Owners are invited by editors, from
the editorial pages, not made here.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signpost.editorial.models import Role
from signpost.editorial.services import account_create


class Command(BaseCommand):
    help = "Create an editor or an operator (owners are invited by editors)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", choices=[Role.EDITOR, Role.OPERATOR], required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("SIGNPOST_ACCOUNT_PASSWORD")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords are not the same.")
        try:
            account_create(
                username=options["username"],
                email=options["email"],
                password=password,
                role=options["role"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Created {options['role']} {options['username']}. At the first sign-in "
            "(/staff/sign-in/) they set up two-factor sign-in with an authenticator app."
        )
