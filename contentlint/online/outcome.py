"""What a probe means for the record: ok, redirected, broken, unverifiable, refused.

Classification happens on every read (cached probes too), so changing
``accepted_statuses`` takes effect without ``--refresh``. ``ttl`` is how
long the probe may be cached; ``None`` marks a transient answer (timeouts,
5xx, 429, connection failures), which is never cached.
"""

from __future__ import annotations

import http
from dataclasses import dataclass

from contentlint.online.client import PERMANENT, REDIRECTS, Probe
from contentlint.online.settings import OnlineSettings

DENIED = frozenset({401, 403, 407, 451, 999})  # 999: LinkedIn and friends refusing robots


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok", "redirected", "broken", "unverifiable" or "refused"
    message: str = ""
    target: str | None = None  # redirected: where the permanent redirects lead
    ttl: float | None = None


def _phrase(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _times(attempts: int) -> str:
    return f" after {attempts} attempts" if attempts > 1 else ""


def classify(probe: Probe, s: OnlineSettings) -> Outcome:
    hops, final = probe.hops, probe.final
    chained = len(hops) > 1 and final.error not in ("loop", "too-many-redirects")
    # Where a redirect chain ends matters more than where it starts.
    via = f"redirects to {final.url}, which " if chained else ""  # + a verb
    at = f"redirects to {final.url}: " if chained else ""  # + a description
    error, status = final.error, final.status

    if error == "refused":
        return Outcome("refused", f"{at}refused by the SSRF guard: {final.detail}")
    if error == "dns":
        return Outcome("broken", f"{at}{final.detail}", ttl=s.ttl_broken)
    if error == "dns-temporary":
        return Outcome("unverifiable", f"{at}{final.detail}")
    if error == "timeout":
        return Outcome("unverifiable", f"{at}timed out ({final.detail})")
    if error in ("connection", "tls"):
        what = "TLS handshake failed" if error == "tls" else "connection failed"
        return Outcome("broken", f"{at}{what}{_times(final.attempts)} ({final.detail})")
    if error == "loop" and any(h.status in (302, 303, 307) for h in hops):
        # A temporary redirect back to itself is how cookie and login walls
        # greet a client without cookies; a browser gets through.
        return Outcome("unverifiable", f"{final.detail} (a cookie or login wall?)", ttl=s.ttl_unverifiable)
    if error in ("loop", "too-many-redirects", "bad-location"):
        return Outcome("broken", f"{at}{final.detail}", ttl=s.ttl_broken)
    if error is not None:
        return Outcome("unverifiable", f"{at}could not be checked ({final.detail})")

    assert status is not None
    if final.wall:
        return Outcome("unverifiable", f"{via}{'is ' if via else ''}behind a bot wall ({status}, {final.wall})",
                       ttl=s.ttl_unverifiable)
    if status in (408, 429):
        extra = f"; {final.detail}" if final.detail else ""
        return Outcome("unverifiable", f"{via}answered {_phrase(status)}{_times(final.attempts)}{extra}")
    if status in s.accepted_statuses:
        if hops[0].status in PERMANENT and len(hops) > 1:
            target = hops[0].location
            for hop in hops[1:]:
                if hop.status not in PERMANENT:
                    break
                target = hop.location
            more = "" if target == final.url else f", then on to {final.url}"
            return Outcome("redirected", f"permanently redirects ({hops[0].status}) to {target}{more}",
                           target=target, ttl=s.ttl_redirect)
        return Outcome("ok", ttl=s.ttl_ok)
    if status in DENIED:
        return Outcome("unverifiable", f"{via}answered {_phrase(status)}: access denied to robots",
                       ttl=s.ttl_unverifiable)
    if 500 <= status <= 599:
        extra = f"; {final.detail}" if final.detail else ""
        return Outcome("broken", f"{via}answered {_phrase(status)}{_times(final.attempts)}{extra}")
    if status in REDIRECTS:
        return Outcome("broken", f"{via}answered {_phrase(status)} without a Location header", ttl=s.ttl_broken)
    return Outcome("broken", f"{via}answered {_phrase(status)}", ttl=s.ttl_broken)
