"""Sliding-window rate limits on signing: per client address, network, email domain and petition.

Each limit counts the attempts it let through in fixed windows, and weighs
the previous window by the share of it still inside a sliding window ending
now (the approximation Cloudflare describes). That is two integers per key,
where a sorted set of timestamps would keep one entry per attempt, so a key
costs the same at 30 attempts as at 6,000, and one statement (or one Redis
script) reads and bumps every key at once. It assumes the previous window's
attempts were spread evenly over it, which is close enough for a limit.

An attempt goes through only when every limit has room, and only then is it
counted in all of them: a refused attempt leaves nothing behind, so a script
hammering from one network does not use up a petition's allowance for
everybody else. New and repeat signatures count alike, so being refused says
nothing about whether an address has signed.
"""

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import redis
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from redis.exceptions import RedisError

from standwith.cache import RETRY_AFTER_SECONDS
from standwith.campaigns.models import Petition
from standwith.shield import shields
from standwith.shield.models import LimitCounter
from standwith.signing import digests
from standwith.signing.emails import Address

log = logging.getLogger(__name__)

# Unix time in seconds; read through this name so that tests can move time on.
clock: Callable[[], float] = time.time


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"over a sign rate limit; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rule:
    key: str  # the dimension and a keyed digest of what it counts, never the address or domain itself
    count: int
    seconds: int


def check(petition: Petition, client_ip: str | None, email: Address) -> None:
    """Count one sign attempt, or raise RateLimited, counting nothing, when a limit is reached."""
    check_rules(_rules(petition, client_ip, email))


def check_rules(rules: Sequence[Rule]) -> None:
    """Count one attempt against every rule, or raise RateLimited, counting nothing."""
    if not rules:
        return
    now = clock()
    if settings.REDIS_URL:
        wait = _redis_counters(settings.REDIS_URL).count(rules, now)
    else:
        wait = _count_in_database(rules, now)
    if wait is not None:
        raise RateLimited(wait)


def _rules(petition: Petition, client_ip: str | None, email: Address) -> list[Rule]:
    keys = [("petition", str(petition.pk))]
    domain = email.canonical.rpartition("@")[2]
    if domain not in settings.SIGN_LIMIT_EXEMPT_DOMAINS:
        keys.append(("domain", digests.domain_digest(email.canonical).hex()))
    address = digests.address_digest(client_ip) if client_ip else None
    network = digests.network_digest(client_ip) if client_ip else None
    if address and network:
        keys += [("ip", address.hex()), ("network", network.hex())]
    rules = [Rule(f"{name}:{value}", *limit) for name, value in keys if (limit := settings.SIGN_LIMITS.get(name))]
    if shields.up(petition):
        # Tighter for each source while the shields are up; the petition's own limit stays, so the honest
        # crowd of a real viral moment is not refused along with the flood.
        divisor = settings.SHIELD_LIMIT_DIVISOR
        rules = [rule if rule.key.startswith("petition:") else tighter(rule, divisor) for rule in rules]
    return rules


def tighter(rule: Rule, divisor: int) -> Rule:
    return Rule(rule.key, max(1, rule.count // divisor), rule.seconds)


def _wait(rules: Sequence[Rule], counts: Sequence[tuple[int, int]], now: float) -> int | None:
    """Whole seconds until every limit has room again (None if all have room now), given each
    limit's (previous, current) window counts, supposing no other attempt gets in meanwhile."""
    waits = []
    for rule, (previous, current) in zip(rules, counts, strict=True):
        elapsed = (now % rule.seconds) / rule.seconds
        if previous * (1 - elapsed) + current < rule.count:
            continue
        if current < rule.count:  # the previous window's weight fades enough within this one
            waits.append((1 - (rule.count - current) / previous - elapsed) * rule.seconds)
        else:  # this window's own count must fade out over the next one
            waits.append((2 - elapsed - rule.count / current) * rule.seconds)
    # One second past the exact moment: at that moment the estimate equals the limit.
    return math.floor(max(waits)) + 1 if waits else None


def _count_in_database(rules: Sequence[Rule], now: float) -> int | None:
    """One upsert bumps and reads every key; a refusal rolls it back.

    A counter row keeps its current and previous window and rolls them over
    when the first attempt of a new window arrives.
    """
    table = connection.ops.quote_name(LimitCounter._meta.db_table)
    params: list[str | int] = []
    for rule in rules:
        slot = int(now // rule.seconds)
        params += [rule.key, slot, (slot + 2) * rule.seconds]
    sql = f"""INSERT INTO {table} ("key", "slot", "current", "previous", "expires_at")
        VALUES {", ".join(["(%s, %s, 1, 0, %s)"] * len(rules))}
        ON CONFLICT ("key") DO UPDATE SET
            "previous" = CASE
                WHEN excluded."slot" <= {table}."slot" THEN {table}."previous"
                WHEN excluded."slot" = {table}."slot" + 1 THEN {table}."current"
                ELSE 0 END,
            "current" = CASE WHEN excluded."slot" <= {table}."slot" THEN {table}."current" + 1 ELSE 1 END,
            "slot" = CASE WHEN excluded."slot" > {table}."slot" THEN excluded."slot" ELSE {table}."slot" END,
            "expires_at" = CASE
                WHEN excluded."slot" > {table}."slot" THEN excluded."expires_at" ELSE {table}."expires_at" END
        RETURNING "key", "previous", "current"
    """  # noqa: S608  (only the table name and placeholders are formatted in)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            # Judged on the counts before this attempt, as the Redis script judges them.
            counts = {key: (previous, current - 1) for key, previous, current in cursor.fetchall()}
        wait = _wait(rules, [counts[rule.key] for rule in rules], now)
        if wait is not None:
            transaction.set_rollback(True)
    return wait


# KEYS: per limit, its current and its previous window's counter. ARGV: per
# limit, its count, the previous window's weight, and how long a counter lives.
# Atomic in Redis, so the limits are judged and bumped together.
_SCRIPT = """
local over = 0
local counts = {}
for i = 1, #KEYS, 2 do
  local n = (i - 1) / 2
  local current = tonumber(redis.call('GET', KEYS[i]) or 0)
  local previous = tonumber(redis.call('GET', KEYS[i + 1]) or 0)
  counts[#counts + 1] = previous
  counts[#counts + 1] = current
  if previous * tonumber(ARGV[3 * n + 2]) + current >= tonumber(ARGV[3 * n + 1]) then over = 1 end
end
if over == 0 then
  for i = 1, #KEYS, 2 do
    redis.call('INCR', KEYS[i])
    redis.call('EXPIRE', KEYS[i], ARGV[3 * ((i - 1) / 2) + 3])
  end
end
table.insert(counts, 1, over)
return counts
"""


class _RedisCounters:
    """Counters in Redis, in one round trip per attempt.

    Like standwith.cache.ResilientRedisCache, an unreachable Redis is left
    alone for a few seconds and signing goes on meanwhile without limits:
    losing signatures because a cache is down is worse than a few minutes
    without limits.
    """

    def __init__(self, url: str) -> None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.5)
        self._script = client.register_script(_SCRIPT)
        self._down_until = 0.0

    def count(self, rules: Sequence[Rule], now: float) -> int | None:
        if time.monotonic() < self._down_until:
            return None
        keys: list[str] = []
        args: list[str | int] = []
        for rule in rules:
            slot = int(now // rule.seconds)
            keys += [
                django_cache.make_key(f"limit:{rule.key}:{slot}"),
                django_cache.make_key(f"limit:{rule.key}:{slot - 1}"),
            ]
            # repr() keeps every bit of the float, so the script weighs exactly as _wait() does.
            args += [rule.count, repr(1 - (now % rule.seconds) / rule.seconds), 2 * rule.seconds]
        try:
            over, *flat = self._script(keys=keys, args=args)
        except RedisError:
            log.warning("Redis unreachable; signing without rate limits for %ss", RETRY_AFTER_SECONDS)
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            return None
        if not over:
            return None
        return _wait(rules, list(zip(flat[::2], flat[1::2], strict=True)), now) or 1


@cache
def _redis_counters(url: str) -> _RedisCounters:
    return _RedisCounters(url)
