import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create a staff account (or reset its password); the password is read from the terminal or stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--admin", action="store_true", help="may do everything, including managing staff")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args: Any, email: str, admin: bool, password_stdin: bool, **options: Any) -> None:
        email = email.strip().lower()
        if "@" not in email:
            raise CommandError("give the staff member's email address")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords differ")
        User = get_user_model()
        user = User.objects.filter(username=email).first() or User(username=email, email=email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.is_staff = True
        user.is_superuser = admin or user.is_superuser
        user.set_password(password)
        user.save()
        self.stdout.write(f"Staff account {email} is ready; sign in at /admin/.")
