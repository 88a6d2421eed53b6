"""A local SMTP server for the bench: accepts everything, notes one line per message.

python -m bench.smtp_sink PORT FILE
"""

import asyncio
import json
import sys
from email.parser import BytesParser
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


class Notebook:
    def __init__(self, path: str) -> None:
        self.file = open(path, "a", buffering=1)  # noqa: SIM115 - open for the server's life

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesParser(policy=default).parsebytes(envelope.original_content, headersonly=True)
        for recipient in envelope.rcpt_tos:
            self.file.write(json.dumps({"to": recipient.lower(), "subject": str(headers["Subject"])}) + "\n")
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Notebook(path), hostname="127.0.0.1", port=port)
    controller.start()
    print("smtp sink ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
