"""`make bench`: the production stack on loopback under load and faults.

Every throughput figure is paired with a baseline view in the same server,
measured in the same run, and reported as a ratio, because the machine's
absolute speed varies from run to run.
"""

import argparse
import http.client
import json
import os
import platform
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django
from django.db import connection

from bench import mail
from bench.load import Outcome, Request, paced, summarize, wrk
from bench.stack import Stack

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="short runs, to check the harness itself")
    parser.add_argument("--scale", type=int, default=10_000_000, help="signatures for the scale scenario")
    parser.add_argument("--mail-signers", type=int, default=100_000, help="signers the mail step mails")
    parser.add_argument(
        "--only", choices=["mail", "api"], help="run this step alone; its figures replace those in latest.json"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    workdir = Path(tempfile.mkdtemp(prefix="standwith-bench-"))
    stack = Stack(workdir, web_workers=2 * cpus + 1)
    stack.env.update(mail.ENV)
    started = time.monotonic()
    try:
        print(f"starting the stack in {workdir}", flush=True)
        stack.start()
        os.environ.update(stack.env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "standwith.settings"
        django.setup()
        bench = Bench(stack, quick=args.quick, scale=args.scale, mail_signers=args.mail_signers)
        if args.only:
            results = json.loads((args.out / "latest.json").read_text())
            results[args.only] = bench.mail() if args.only == "mail" else bench.api()
            print(json.dumps({args.only: results[args.only]}, indent=2))
        else:
            results = bench.run()
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.only:
        from bench.report import summary

        (args.out / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        (args.out / "latest.txt").write_text(summary(results))
        return
    results["took_s"] = round(time.monotonic() - started)
    results["machine"] = {
        "cpus": cpus,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "processor": _processor(),
        "python": platform.python_version(),
        "web_workers": stack.web_workers,
    }
    from bench.report import chart, summary

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    text = summary(results)
    (args.out / "latest.txt").write_text(text)
    chart(results, args.out / "latest.png")
    print(text)


def _processor() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


class Bench:
    def __init__(self, stack: Stack, *, quick: bool, scale: int, mail_signers: int = 100_000) -> None:
        from standwith.campaigns.demo import SLUG
        from standwith.campaigns.models import Petition

        self.stack = stack
        self.base = stack.base_url
        self.seconds = 3 if quick else 15
        self.spike_seconds = 10 if quick else 60
        self.fault_seconds = 10 if quick else 20
        self.scale = 20_000 if quick else scale
        self.mail_signers = 5_000 if quick else mail_signers
        self.api_scale = 20_000 if quick else 1_000_000
        self.petition = Petition.objects.get(slug=SLUG)
        self.sign_path = f"/en/p/{SLUG}/sign"
        self.page_path, self.json_path = f"/en/p/{SLUG}/", f"/api/v1/petitions/{SLUG}"
        self.read_paths = f"{self.page_path},{self.json_path}"
        self.accepted: list[str] = []
        self.results: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds")}

    def say(self, text: str) -> None:
        print(text, flush=True)

    def sign_env(self, run: str, path: str | None = None) -> dict[str, str]:
        return {"BENCH_PATH": path or self.sign_path, "BENCH_ORIGIN": self.base, "BENCH_RUN": run}

    def sign_request(self, run: str) -> Any:
        def make(index: int) -> Request:
            email = f"{run}-{index}@example.org"
            body = f"name=Paced+Signer&email={email.replace('@', '%40')}&country=DE&consent_campaign_updates=on"
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.base}
            return Request("POST", self.sign_path, body.encode(), headers, email)

        return make

    def run(self) -> dict[str, Any]:
        from bench import seed

        seed.baseline_table()
        seed.signatures(self.petition.pk, 1_000, label="small", state="validated")
        self.say("warming up")
        wrk(self.base, "get.lua", 3, 16, {"BENCH_PATHS": self.read_paths})

        scenarios: dict[str, Any] = {}
        self.results["scenarios"] = scenarios
        self.say("sign: baseline insert, then the sign path")
        scenarios["baseline_insert"] = wrk(
            self.base, "sign.lua", self.seconds, 16, self.sign_env("base", "/_bench/insert")
        )
        scenarios["sign"] = self.sign_at_full_rate("sign")
        self.results["sign_ratio"] = ratio(scenarios["sign"], scenarios["baseline_insert"])
        self.say("defences: what the sign path's checks add to each signature")
        self.results["defences"] = self.defences(scenarios["sign"])

        self.say("sign at 80% of its peak rate, every answer checked against the database")
        rate = round(0.8 * scenarios["sign"]["per_s"], 1)
        outcomes = paced(self.base, rate, self.seconds, self.sign_request("paced80"))
        scenarios["sign_at_80_percent"] = {"rate": rate, **summarize(outcomes), **self.account(outcomes)}

        self.say("confirm: confirmation links at full rate")
        scenarios["confirm"] = self.confirm_at_full_rate()
        scenarios["confirm"]["ratio"] = ratio(scenarios["confirm"], scenarios["baseline_insert"])

        self.say("read: the page and the count JSON, against a hello view")
        scenarios["baseline_hello"] = wrk(self.base, "get.lua", self.seconds, 16, {"BENCH_PATHS": "/_bench/hello"})
        scenarios["read_page"] = wrk(self.base, "get.lua", self.seconds, 16, {"BENCH_PATHS": self.page_path})
        scenarios["read_json"] = wrk(self.base, "get.lua", self.seconds, 16, {"BENCH_PATHS": self.json_path})
        self.results["read_ratio"] = min(
            ratio(scenarios["read_page"], scenarios["baseline_hello"]),
            ratio(scenarios["read_json"], scenarios["baseline_hello"]),
        )

        self.say(f"spike: idle to saturation, 90% reads and 10% signs, {self.spike_seconds}s")
        self.results["spike"] = self.spike()

        self.results["faults"] = [self.fault(name, inject) for name, inject in self.faults()]

        self.results["mail"] = self.mail()

        self.say(f"scale: the same petition at {self.scale:,} signatures")
        self.results["scale"] = self.at_scale(scenarios)

        self.say("api: signatures recorded in batches through a token, and figures counted at that scale")
        self.results["api"] = self.api()

        from bench import checks

        for key in ("lost", "duplicate_emails", "missing_emails"):
            self.results[key] = sum(
                part.get(key, 0)
                for part in [*scenarios.values(), *self.results["faults"], self.results["scale"], self.results["api"]]
            )
        self.results["count_exact"] = checks.count_is_exact(self.petition.pk)
        return self.results

    def mail(self) -> dict[str, Any]:
        """A mailing to `mail_signers` signers against smtplib in a loop, and one with a task worker killed."""
        return mail.run(self.stack, self.mail_signers, say=self.say)

    def api(self, batch: int = 100, times: int = 3) -> dict[str, Any]:
        """Signatures recorded through the API in batches, against bare inserts in the same run; then the
        public and the organisation's figures counted afresh (as when their cache expires) at `api_scale`
        signatures, or at the scale step's count when it ran first."""
        from bench import seed
        from standwith.api import services
        from standwith.api.models import Scope
        from standwith.signing import counting, statistics
        from standwith.signing.models import Signature

        seed.baseline_table()
        admin = staff_user()
        _token, secret = services.create_token(
            admin, self.petition.organization, "bench", list(Scope.values), client_ip=None
        )
        baseline = wrk(self.base, "sign.lua", self.seconds, 16, self.sign_env("api-base", "/_bench/insert"))
        before = Signature.objects.filter(petition=self.petition).count()
        record = wrk(
            self.base,
            "record.lua",
            self.seconds,
            4,
            {
                "BENCH_PATH": f"/api/v1/organization/petitions/{self.petition.slug}/signatures",
                "BENCH_RUN": "api",
                "BENCH_BATCH": str(batch),
                "BENCH_TOKEN": secret,
            },
        )
        rows = Signature.objects.filter(petition=self.petition).count() - before
        accepted = record["statuses"].get(202, 0) * batch
        record.update(self.drain_mail())
        signatures_per_s = round(accepted / record["seconds"], 1)

        have = counting.stored_count(self.petition.pk)
        seed.signatures(self.petition.pk, max(0, self.api_scale - have), label="api", state="validated")

        def median_ms(count: Any) -> float:
            took = []
            for _ in range(times):
                started = time.monotonic()
                count(self.petition.pk)
                took.append((time.monotonic() - started) * 1000)
            return round(sorted(took)[len(took) // 2], 1)

        return {
            "batch": batch,
            "record": record,
            "signatures_per_s": signatures_per_s,
            "baseline_insert": baseline,
            "record_ratio": round(signatures_per_s / baseline["per_s"], 3) if baseline["per_s"] else 0.0,
            "lost": max(0, accepted - rows),
            "statistics_at": counting.stored_count(self.petition.pk),
            "public_statistics_ms": median_ms(statistics._count_public),
            "organisation_statistics_ms": median_ms(statistics._count_organisation),
        }

    def defences(self, sign: dict[str, Any], times: int = 5000) -> dict[str, Any]:
        """The sign path's defences timed one by one, against a bare Redis round trip and the sign's own median.

        The load itself comes from one address, so the stack runs with limits it never reaches: each sign
        still pays for the check, and this isolates what that check and the form's screening cost.
        """
        import redis
        from django.conf import settings

        from standwith.shield import limits
        from standwith.signing.emails import parse_address
        from standwith.signing.forms import SignForm

        client = redis.Redis.from_url(settings.REDIS_URL)
        email = parse_address("someone@example.org")
        form = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB", "postcode": ""}

        def per_call_us(call: Any) -> float:
            started = time.perf_counter()
            for index in range(times):
                call(index)
            return round((time.perf_counter() - started) / times * 1e6, 1)

        ping = per_call_us(lambda _index: client.ping())
        check = per_call_us(lambda index: limits.check(self.petition, f"10.{index // 250}.{index % 250}.1", email))
        screen = per_call_us(lambda _index: SignForm(form).is_valid())
        added_ms = (check + screen) / 1000
        return {
            "redis_ping_us": ping,
            "limit_check_us": check,
            "limit_check_vs_ping": round(check / ping, 2),
            "form_screening_us": screen,
            "share_of_sign_p50": round(added_ms / sign["p50_ms"], 3),
        }

    def sign_at_full_rate(self, run: str) -> dict[str, Any]:
        from standwith.signing.models import Signature

        before = Signature.objects.filter(petition=self.petition).count()
        result = wrk(self.base, "sign.lua", self.seconds, 16, self.sign_env(run))
        rows = Signature.objects.filter(petition=self.petition).count() - before
        # Each request used a new address, so every 303 must have left a row.
        result["lost"] = max(0, result["statuses"].get(303, 0) - rows)
        result.update(self.drain_mail())
        return result

    def drain_mail(self) -> dict[str, Any]:
        """Let the worker send the confirmations the load queued, so the next scenario starts idle."""
        from bench import checks

        started = time.monotonic()
        backlog = checks.mail_backlog()
        drained = checks.wait_for_mail_tasks(timeout=300)
        took = time.monotonic() - started
        return {
            "mail_backlog": backlog,
            "mail_drained": drained,
            "mail_per_s": round(backlog / took, 1) if backlog and took else None,
        }

    def account(self, outcomes: list[Outcome]) -> dict[str, Any]:
        """Every sign that was answered 303 has its row and exactly one confirmation email."""
        from bench import checks

        accepted = [o.tag for o in outcomes if o.status == 303]
        found = checks.stored(self.petition.pk, accepted)
        drained = checks.wait_for_mail_tasks()
        return {
            "accepted": len(accepted),
            "lost": len(accepted) - len(found),
            "mail_queue_drained": drained,
            **checks.mail_accounting(accepted, self.stack.mail_log),
        }

    def confirm_at_full_rate(self) -> dict[str, Any]:
        from bench import checks, seed
        from standwith.signing.tokens import make_confirm_token

        ids = seed.signatures(self.petition.pk, 60_000, label="confirm", state="pending")
        links = self.stack.dir / "confirm-links.txt"
        links.write_text(
            "".join(f"/en/p/{self.petition.slug}/confirm/{make_confirm_token(self.petition.pk, i)}/\n" for i in ids)
        )
        result = wrk(self.base, "confirm.lua", self.seconds, 16, {"BENCH_FILE": str(links), "BENCH_THREADS": "2"})
        result["links"] = len(ids)
        result["count_exact"] = checks.count_is_exact(self.petition.pk)
        return result

    def spike(self) -> dict[str, Any]:
        probe: list[Outcome] = []

        def watch() -> None:
            probe.extend(paced(self.base, 20, self.spike_seconds, self.probe_request("spike"), connections=4))

        watcher = threading.Thread(target=watch)
        watcher.start()
        load = wrk(
            self.base, "mix.lua", self.spike_seconds, 64, {"BENCH_PATHS": self.read_paths, **self.sign_env("spike")}
        )
        watcher.join()
        return {
            **load,
            "failed": load["errors"] > 0,
            "probe": summarize(probe),
            "probe_series": [(round(o.scheduled, 2), round(o.latency * 1000, 1), o.status) for o in probe],
        }

    def probe_request(self, run: str) -> Any:
        sign = self.sign_request(f"probe-{run}")
        page = self.page_path

        def make(index: int) -> Request:
            return sign(index) if index % 2 else Request("GET", page, tag="read")

        return make

    def faults(self) -> list[tuple[str, Any]]:
        return [
            ("kill -9 a web worker", self.stack.kill_web_worker),
            ("kill -9 the task worker", self.stack.kill_task_worker),
            ("restart PostgreSQL", self.stack.restart_postgres),
            ("stop Redis", self.stack.stop_redis),
        ]

    def fault(self, name: str, inject: Any) -> dict[str, Any]:
        from bench import checks

        self.say(f"fault under load: {name}")
        run = "fault-" + name.split()[-2].lower()
        at = 5.0
        injected: dict[str, float] = {}

        def strike() -> None:
            time.sleep(at)
            began = time.monotonic()
            inject()
            injected["took_s"] = time.monotonic() - began

        reads = threading.Thread(
            target=wrk, args=(self.base, "get.lua", self.fault_seconds, 8, {"BENCH_PATHS": self.read_paths})
        )
        striker = threading.Thread(target=strike)
        reads.start()
        striker.start()
        outcomes = paced(self.base, 50, self.fault_seconds, self.sign_request(run))
        striker.join()
        reads.join()
        connection.close()  # the bench's own connection does not survive a database restart
        if self.stack.redis is None:
            self.stack.start_redis()
        failures = [o.scheduled for o in outcomes if o.status != 303]
        recovered_after = max((t for t in failures if t >= at - 0.5), default=at) - at
        return {
            "fault": name,
            **summarize(outcomes),
            **self.account(outcomes),
            "failed_signs": len(failures),
            "recovered_after_s": round(max(0.0, recovered_after), 2),
            "count_exact": checks.count_is_exact(self.petition.pk),
            "probe_series": [(round(o.scheduled, 2), round(o.latency * 1000, 1), o.status) for o in outcomes],
        }

    def at_scale(self, small: dict[str, Any]) -> dict[str, Any]:
        from bench import seed
        from standwith.signing import counting

        have = counting.stored_count(self.petition.pk)
        staff_small = self.staff_pages()
        started = time.monotonic()
        seed.signatures(self.petition.pk, max(0, self.scale - have), label="scale", state="validated")
        seeded_s = round(time.monotonic() - started)
        sign = self.sign_at_full_rate("scale")
        page = wrk(self.base, "get.lua", self.seconds, 16, {"BENCH_PATHS": self.page_path})
        staff = self.staff_pages()
        return {
            "staff_pages": staff,
            "staff_pages_small": staff_small,
            "signatures": counting.stored_count(self.petition.pk),
            "seeded_in_s": seeded_s,
            "sign": sign,
            "read_page": page,
            "sign_vs_small": round(sign["per_s"] / small["sign"]["per_s"], 3),
            "read_vs_small": round(page["per_s"] / small["read_page"]["per_s"], 3),
            "lost": sign["lost"],
        }

    def staff_pages(self, times: int = 20) -> dict[str, dict[str, float]]:
        """Median and slowest of `times` loads of each staff page, signed in as an admin with a second factor."""
        from standwith.signing.models import Signature

        cookie = staff_session()
        signers = f"/admin/signing/signature/?petition={self.petition.pk}"
        newest = Signature.objects.filter(petition=self.petition).order_by("-created_at").values_list("pk").first()
        pages = {
            "admin home": "/admin/",
            "petition list": "/admin/campaigns/petition/",
            "review queue": "/admin/campaigns/petition/?state__exact=pending",
            "petition edit": f"/admin/campaigns/petition/{self.petition.pk}/change/",
            "audit log": "/admin/staff/auditrecord/",
            "signer list": signers,
            "signer list, page 100": f"{signers}&p=100",
            "signer list, by state": f"{signers}&state__exact=validated",
            # Counted afresh on the first load (the slowest), then from the cache for a minute.
            "dashboard": f"/admin/reports/{self.petition.pk}/dashboard/",
        }
        if newest is not None:
            pages["signer view (decrypts, audited)"] = f"/admin/signing/signature/{newest[0]}/change/"
        measured = {}
        for name, path in pages.items():
            took = []
            for _ in range(times):
                started = time.monotonic()
                status = fetch(self.base, path, {"Cookie": cookie})
                took.append((time.monotonic() - started) * 1000)
                assert status == 200, f"{path} answered {status}"
            took.sort()
            measured[name] = {"median_ms": round(took[len(took) // 2], 1), "max_ms": round(took[-1], 1)}
        return measured


def staff_user() -> Any:
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    return user


def staff_session() -> str:
    """A session cookie of an admin who has passed the second factor, made the way sign-in makes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = staff_user()
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"sessionid={session.session_key}"


def fetch(base_url: str, path: str, headers: dict[str, str]) -> int:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def ratio(measured: dict[str, Any], baseline: dict[str, Any]) -> float:
    return round(measured["per_s"] / baseline["per_s"], 3) if baseline["per_s"] else 0.0


if __name__ == "__main__":
    main()
