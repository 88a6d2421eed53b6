"""The bench's human-readable summary and its chart."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

UK_PETITIONS_FAILED_AT_PER_S = 25  # ~1,500 signatures a minute, March 2019


def _row(name: str, figures: dict[str, Any], ratio: float | None = None) -> str:
    share = figures.get("generator_cpu_share")
    return (
        f"{name:<28}{figures['per_s']:>9.0f}/s {figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f}"
        f" {figures['errors']:>7}  {'' if ratio is None else f'{ratio:.2f}':>6}"
        f"  {'' if share is None else f'{share:.0%}':>5}"
    )


def summary(results: dict[str, Any]) -> str:
    s = results["scenarios"]
    machine = results["machine"]
    paced = s["sign_at_80_percent"]
    lines = [
        f"standwith bench, {results['date']}, {machine['cpus']} cores ({machine['processor']}),"
        f" {machine['memory_gib']} GiB, {machine['web_workers']} gunicorn workers; took {results['took_s']}s",
        "",
        f"{'scenario':<28}{'rate':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  {'ratio':>6}  {'wrk':>5}",
        _row("baseline: bare insert", s["baseline_insert"]),
        _row("sign", s["sign"], results["sign_ratio"]),
        _row("confirm", s["confirm"], s["confirm"]["ratio"]),
        _row("baseline: hello", s["baseline_hello"]),
        _row("read: petition page", s["read_page"], s["read_page"]["per_s"] / s["baseline_hello"]["per_s"]),
        _row("read: count JSON", s["read_json"], s["read_json"]["per_s"] / s["baseline_hello"]["per_s"]),
        "",
        f"sign_ratio {results['sign_ratio']:.2f} (target >= 0.6)"
        f"   read_ratio {results['read_ratio']:.2f} (target >= 0.8)",
        f"sign path peak {s['sign']['per_s']:.0f} signatures/s = {s['sign']['per_s'] * 60:,.0f} a minute,"
        f" {s['sign']['per_s'] / UK_PETITIONS_FAILED_AT_PER_S:.0f}x the ~25/s at which the UK Parliament's site"
        " failed in March 2019",
        f"sign at 80% of peak ({paced['rate']:.0f}/s, open loop): p50 {paced['p50_ms']} ms, p99 {paced['p99_ms']} ms,"
        f" {paced['errors']} errors (target p99 < 100 ms, 0 errors)",
        "defences on each signature: the rate-limit check {limit_check_us} µs ({limit_check_vs_ping}x a bare Redis"
        " round trip of {redis_ping_us} µs), the form's screening (names, disposable domains, honeypot)"
        " {form_screening_us} µs; together {percent:.1f}% of the sign path's median".format(
            **results["defences"], percent=100 * results["defences"]["share_of_sign_p50"]
        ),
        f"the confirmation emails the sign run queued ({s['sign']['mail_backlog']:,}) were sent at"
        f" {s['sign']['mail_per_s'] or 0:.0f}/s by the task workers once the load stopped",
        "",
    ]
    spike = results["spike"]
    lines += [
        f"spike, idle to {spike['connections']} connections for {spike['seconds']:.0f}s (90% reads, 10% signs):"
        f" {spike['per_s']:.0f} req/s, p50 {spike['p50_ms']:.1f} ms, p99 {spike['p99_ms']:.1f} ms,"
        f" {spike['errors']} failed; a visitor's probe saw p50 {spike['probe']['p50_ms']} ms,"
        f" p99 {spike['probe']['p99_ms']} ms",
        "",
        f"{'fault under load':<26}{'signs':>7} {'failed':>7} {'lost':>5} {'dup':>4} {'miss':>5}"
        f" {'recovered':>10} {'count':>6}",
    ]
    for fault in results["faults"]:
        lines.append(
            f"{fault['fault']:<26}{fault['requests']:>7} {fault['failed_signs']:>7} {fault['lost']:>5}"
            f" {fault['duplicate_emails']:>4} {fault['missing_emails']:>5}"
            f" {fault['recovered_after_s']:>9.1f}s {'exact' if fault['count_exact'] else 'WRONG':>6}"
        )
    mail = results.get("mail")
    if mail:
        lines += [
            "",
            f"mail to {mail['signers']:,} signers: {mail['per_s']:.0f}/s through the task workers (choosing,"
            f" decrypting, rendering, recording each) against {mail['baseline_per_s']:.0f}/s from smtplib in a plain"
            f" loop: mail_ratio {mail['mail_ratio']:.2f} (target >= 0.5); a task worker killed after"
            f" {mail['killed_after']:,} sent: {mail['duplicates']} duplicates, {mail['missing']} missing (target 0, 0)",
        ]
    api = results.get("api")
    if api:
        lines += [
            "",
            f"api: {api['signatures_per_s']:.0f} signatures/s recorded in batches of {api['batch']} through a token"
            f" against {api['baseline_insert']['per_s']:.0f}/s bare inserts: record_ratio {api['record_ratio']:.2f},"
            f" lost {api['lost']}; figures counted afresh at {api['statistics_at']:,} signatures: public"
            f" {api['public_statistics_ms']:.0f} ms, organisation's {api['organisation_statistics_ms']:.0f} ms",
        ]
    scale = results["scale"]
    lines += [
        "",
        f"at {scale['signatures']:,} signatures: sign {scale['sign']['per_s']:.0f}/s"
        f" ({scale['sign_vs_small']:.2f}x the figure at ~1,000), page {scale['read_page']['per_s']:.0f}/s"
        f" ({scale['read_vs_small']:.2f}x)",
        "staff pages, median (slowest of 20) ms, at ~1,000 signatures and at "
        f"{scale['signatures']:,}: "
        + "; ".join(
            f"{name} {small['median_ms']:.0f} ({small['max_ms']:.0f}) and {big['median_ms']:.0f} ({big['max_ms']:.0f})"
            for (name, small), big in zip(
                scale["staff_pages_small"].items(), scale["staff_pages"].values(), strict=True
            )
        ),
        "",
        f"lost {results['lost']}, duplicate_emails {results['duplicate_emails']},"
        f" missing_emails {results['missing_emails']}, final count {'exact' if results['count_exact'] else 'WRONG'}",
        "",
    ]
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    spike = results["spike"]
    faults = results["faults"]
    figure, axes = plt.subplots(3, 1, figsize=(10, 11), constrained_layout=True)

    seconds = spike["per_second"]
    if seconds:
        first = seconds[0][0]
        # The first and last seconds are partial; they are drawn but read with care.
        axes[0].plot([s - first for s, _ in seconds], [n for _, n in seconds], color="#b3261e", marker="o", ms=3)
    axes[0].set_title(f"Spike: requests answered per second ({spike['connections']} connections, 90% reads)")
    axes[0].set_xlabel("seconds since the step")
    axes[0].set_ylabel("requests/s")
    axes[0].set_ylim(bottom=0)

    ok = [(t, ms) for t, ms, status in spike["probe_series"] if 0 < status < 400]
    bad = [t for t, _, status in spike["probe_series"] if not 0 < status < 400]
    axes[1].scatter([t for t, _ in ok], [ms for _, ms in ok], s=6, color="#1f6fa8", label="answered")
    if bad:
        axes[1].scatter(bad, [0] * len(bad), s=12, color="black", marker="x", label="failed")
    axes[1].set_yscale("log")
    axes[1].set_title("Spike: latency seen by a visitor probing 20 times a second (page and sign)")
    axes[1].set_xlabel("seconds since the step")
    axes[1].set_ylabel("ms (log)")
    axes[1].legend(loc="upper right")

    for fault in faults:
        series = fault["probe_series"]
        line = axes[2].plot(
            [t for t, _, _ in series], [ms if 0 < status < 400 else None for _, ms, status in series],
            lw=0.8, label=fault["fault"],
        )  # fmt: skip
        failed = [t for t, _, status in series if not 0 < status < 400]
        if failed:
            axes[2].scatter(failed, [2] * len(failed), marker="x", s=14, color=line[0].get_color())
    axes[2].axvline(5, color="black", ls="--", lw=1)
    axes[2].set_yscale("log")
    axes[2].set_title("Faults at t = 5 s: sign latency at 50/s under read load (x = a sign that failed)")
    axes[2].set_xlabel("seconds")
    axes[2].set_ylabel("ms (log)")
    axes[2].legend(loc="upper right", fontsize=8)
    figure.savefig(path, dpi=110)
    plt.close(figure)
