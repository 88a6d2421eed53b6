"""Email domains that hand out throwaway inboxes.

A flood of signatures from addresses nobody keeps discredits a petition's
count, so such addresses cannot sign. The list is data shipped with the code
(`data/disposable_domains.txt`) and replaced by `standwith
update_disposable_domains`; a running process reads it once, so a new list
takes effect when the workers restart.
"""

import re
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "disposable_domains.txt"

# A domain name in ASCII (punycode), as parse_address leaves it: two or more labels.
_DOMAIN = re.compile(r"^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


class MalformedList(ValueError):
    pass


def parse_domains(text: str) -> frozenset[str]:
    """The domains of a list, one a line, `#` starting a comment; refused whole if any line is not a domain."""
    domains = set()
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip().lower()
        if not entry:
            continue
        if not _DOMAIN.match(entry):
            raise MalformedList(f"line {number} is not a domain name: {line[:80]!r}")
        domains.add(entry)
    if not domains:
        raise MalformedList("the list names no domain")
    return frozenset(domains)


@cache
def blocked_domains() -> frozenset[str]:
    return parse_domains(DATA_FILE.read_text(encoding="utf-8"))


def is_disposable(domain: str) -> bool:
    """Whether the domain, or a domain it is under, is listed: one set look-up per parent, never a scan."""
    labels = domain.lower().rstrip(".").split(".")
    blocked = blocked_domains()
    # A listed domain has two labels at least, so the top-level domain alone is never looked up.
    return any(".".join(labels[start:]) in blocked for start in range(len(labels) - 1))
