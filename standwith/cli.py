"""The `standwith` command: Django's management commands under one name.

standwith serve | worker | demo | createstaff EMAIL | migrate | genkeys | ...
"""

import base64
import os
import secrets
import sys


def genkeys() -> str:
    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    return f"SECRET_KEY={secrets.token_urlsafe(50)}\nSTANDWITH_MASTER_KEY={key()}\nSTANDWITH_DIGEST_KEY={key()}\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["genkeys"]:
        # Needs no settings: it makes the secrets the settings require.
        sys.stdout.write(genkeys())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "standwith.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["standwith", *args])
    except KeyboardInterrupt:
        # Ctrl-C before a command set up its own handling (while Django was
        # still starting): stop quietly, as the command would have.
        raise SystemExit(130) from None
