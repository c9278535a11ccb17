"""The HF client: each feed kind and its paging, and every network fault of hazards section C."""

from __future__ import annotations

import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakehf import FakeHF, Reply, closed_port, serve
from hf_data import day_items

from paperterm import __version__
from paperterm.config import DEFAULT_ENDPOINT, EndpointError, endpoint_warning, resolve_endpoint
from paperterm.feed import FetchError
from paperterm.feed.client import HFClient
from paperterm.models import FeedSpec


class Sleeps:
    """A stand-in for asyncio.sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(fake: FakeHF, sleeps: Sleeps | None = None, **kwargs: Any) -> HFClient:
    return HFClient(
        "https://huggingface.co", transport=fake.transport(), sleep=sleeps or Sleeps(), **kwargs
    )


async def fetch(fake: FakeHF, spec: str, **kwargs: Any) -> Any:
    async with client_for(fake, **kwargs) as client:
        return await client.fetch_feed(FeedSpec.parse(spec))


# -- feeds and paging --------------------------------------------------------------------


async def test_trending_keeps_the_server_order_over_several_pages(fake: FakeHF) -> None:
    result = await fetch(fake, "trending")
    ids = [item["paper"]["id"] for item in result.items]
    assert ids == [item["paper"]["id"] for item in fake.trending]
    assert [p for _, p in fake.requests] == [
        {"sort": "trending", "p": "0", "limit": "100"},
        {"sort": "trending", "p": "1", "limit": "100"},
    ]
    assert result.pages == 2 and result.spec == FeedSpec("trending")


async def test_a_dated_day_is_one_page_in_upvote_order(fake: FakeHF) -> None:
    result = await fetch(fake, "daily:2026-06-12")
    assert result.items == day_items("2026-06-12")
    assert fake.requests == [
        ("/api/daily_papers", {"date": "2026-06-12", "p": "0", "limit": "100"})
    ]


async def test_latest_day_is_the_newest_feed_day_on_the_server(fake: FakeHF) -> None:
    result = await fetch(fake, "daily")
    assert result.spec == FeedSpec("daily", "2026-08-21")
    assert result.items == day_items("2026-08-21")
    assert fake.requests[0] == ("/api/daily_papers", {"limit": "100"})


async def test_latest_week_and_month_resolve_from_the_server_and_page(fake: FakeHF) -> None:
    week = await fetch(fake, "weekly")
    assert week.spec == FeedSpec("weekly", "2026-W34")
    month = await fetch(fake, "monthly:2026-06")
    assert len(month.items) == sum(
        len(v) for k, v in fake.by_day.items() if k.startswith("2026-06")
    )
    assert month.pages == 7  # 619 papers in pages of 100
    assert [p["p"] for _, p in fake.requests if "month" in p] == [str(i) for i in range(7)]


async def test_paging_stops_at_the_bound_and_when_a_server_ignores_p(fake: FakeHF) -> None:
    def same_full_page(path: str, params: dict[str, str]) -> Reply | None:
        return Reply(200, httpx.Response(200, json=fake.trending[:100]).content)

    fake.hook = same_full_page
    result = await fetch(fake, "trending")
    assert len(result.items) == 100 and len(fake.requests) == 2


async def test_search_feed(fake: FakeHF) -> None:
    result = await fetch(fake, "search:llama 3 herd")
    assert result.items[0]["paper"]["id"] == "2407.21783"
    assert fake.requests == [("/api/papers/search", {"q": "llama 3 herd", "limit": "120"})]


async def test_single_paper_lookup_and_404(fake: FakeHF) -> None:
    async with client_for(fake) as client:
        assert (await client.paper("2608.09888"))["id"] == "2608.09888"
        with pytest.raises(FetchError, match="404"):
            await client.paper("1234.56789")


async def test_requests_name_paperterm_in_the_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    async with HFClient("https://huggingface.co", transport=httpx.MockTransport(handler)) as client:
        await client.fetch_feed(FeedSpec("trending"))
    assert seen[0].headers["user-agent"] == f"paperterm/{__version__}"


# -- HF_ENDPOINT ---------------------------------------------------------------------------


def test_endpoint_comes_from_hf_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_endpoint() == DEFAULT_ENDPOINT
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com/")
    assert resolve_endpoint() == "https://hf-mirror.com"


@pytest.mark.parametrize(
    "bad",
    [
        "hf-mirror.com",
        "file:///etc",
        "ftp://x.org",
        "https://",
        "http://u:p@x.org",
        "https://x.org:99999",
        "https://x.org/?q=1",
    ],
)
def test_malformed_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("HF_ENDPOINT", bad)
    with pytest.raises(EndpointError, match="HF_ENDPOINT"):
        resolve_endpoint()


def test_plain_http_warns_unless_loopback() -> None:
    assert endpoint_warning("http://127.0.0.1:8000") is None
    assert endpoint_warning("https://hf-mirror.com") is None
    assert "not encrypted" in (endpoint_warning("http://hf-mirror.com") or "")


# -- faults over MockTransport: retries, limits, bad bodies ------------------------------


async def test_429_waits_as_told_then_gives_up_with_the_wait(fake: FakeHF) -> None:
    fake.scenario = "429"
    sleeps = Sleeps()
    with pytest.raises(FetchError) as caught:
        await fetch(fake, "trending", sleeps=sleeps)
    assert caught.value.kind == "rate-limited" and "retry in 1 s" in str(caught.value)
    assert sleeps.waits == [1.0, 1.0] and len(fake.requests) == 3


@pytest.mark.parametrize("scenario", ["429-huge", "429-date"])
async def test_429_with_an_absurd_wait_fails_at_once(fake: FakeHF, scenario: str) -> None:
    fake.scenario = scenario
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"rate limited.*retry in"):
        await fetch(fake, "trending", sleeps=sleeps)
    assert sleeps.waits == [] and len(fake.requests) == 1


async def test_ratelimit_header_is_honoured(fake: FakeHF) -> None:
    answers = iter([Reply(429, b"{}", {"ratelimit": '"api";r=0;t=7'}), None])
    fake.hook = lambda path, params: next(answers, None)
    sleeps = Sleeps()
    result = await fetch(fake, "daily:2026-08-21", sleeps=sleeps)
    assert sleeps.waits == [7.0] and len(result.items) == 17


@pytest.mark.parametrize("scenario", ["500", "502", "503"])
async def test_5xx_is_retried_with_backoff_then_reported(fake: FakeHF, scenario: str) -> None:
    fake.scenario = scenario
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=f"HTTP {scenario}"):
        await fetch(fake, "daily:2026-08-21", sleeps=sleeps)
    assert len(fake.requests) == 3
    assert 0 < sleeps.waits[0] < sleeps.waits[1] <= 30


async def test_flaky_server_succeeds_after_a_retry(fake: FakeHF) -> None:
    fake.scenario = "flaky"
    result = await fetch(fake, "daily:2026-08-21")
    assert len(result.items) == 17


async def test_404_and_400_are_reported_without_retry(fake: FakeHF) -> None:
    fake.scenario = "404"
    with pytest.raises(FetchError, match="HTTP 404 Not Found"):
        await fetch(fake, "trending")
    assert len(fake.requests) == 1


BAD_BODIES = {
    "html": "not a JSON feed (got text/html) — captive portal or proxy?",
    "truncated": "answer is not valid JSON",
    "empty": "empty answer",
    "latin1": "not UTF-8",
    "object": "unexpected feed format: got a JSON object, expected a list",
    "null": "unexpected feed format: got null",
    "nan": "NaN or Infinity",
    "huge-number": "NaN or Infinity",
    "deep": "nested too deeply",
    "big": "more than 8 MB",
    "gzip-bomb": "more than 8 MB",
    "redirect-file": "redirected to 'file:///etc/passwd' — not followed",
    "redirect-other-host": "not followed",
    "redirect-loop": "redirected more than 3 times",
}


@pytest.mark.parametrize("scenario", sorted(BAD_BODIES))
async def test_bad_answers_are_one_line_errors_naming_what_came_back(
    fake: FakeHF, scenario: str
) -> None:
    fake.scenario = scenario
    with pytest.raises(FetchError) as caught:
        await fetch(fake, "daily:2026-08-21")
    message = str(caught.value)
    assert BAD_BODIES[scenario] in message
    assert "\n" not in message and len(message) < 200


async def test_json_served_as_text_plain_or_with_a_bom_is_accepted(fake: FakeHF) -> None:
    for scenario in ("wrong-ct", "bom"):
        fake.scenario = scenario
        assert len((await fetch(fake, "daily:2026-08-21")).items) == 17


async def test_same_host_redirect_is_followed(fake: FakeHF) -> None:
    def redirect_once(path: str, params: dict[str, str]) -> Reply | None:
        if len(fake.requests) == 1:
            return Reply(
                301, b"", {"location": "https://huggingface.co/api/daily_papers?date=2026-08-21"}
            )
        return None

    fake.hook = redirect_once
    result = await fetch(fake, "daily:2026-08-21")
    assert len(result.items) == 17


# -- faults over a real socket -----------------------------------------------------------


async def test_connection_refused_is_an_offline_error() -> None:
    async with HFClient(closed_port()) as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch_feed(FeedSpec("trending"))
    assert caught.value.offline and "connection refused" in str(caught.value)


async def test_dns_failure_is_an_offline_error() -> None:
    async with HFClient("https://nonexistent.invalid") as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch_feed(FeedSpec("trending"))
    assert caught.value.offline and "nonexistent.invalid" in str(caught.value)


@pytest.mark.parametrize("scenario", ["slow-headers", "slow-drip"])
async def test_a_silent_or_dripping_server_cannot_hang_a_refresh(
    fake: FakeHF, scenario: str
) -> None:
    fake.scenario = scenario
    with serve(fake) as url:
        started = time.monotonic()
        async with HFClient(url, deadline=2.0) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch_feed(FeedSpec.parse("daily:2026-08-21"))
    assert time.monotonic() - started < 4
    assert caught.value.kind == "timeout" and "within 2 s" in str(caught.value)


async def test_a_reset_connection_is_retried_then_reported(fake: FakeHF) -> None:
    fake.scenario = "reset"
    with serve(fake) as url:
        async with HFClient(url, sleep=Sleeps()) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch_feed(FeedSpec.parse("daily:2026-08-21"))
    assert len(fake.requests) == 3
    assert "dropped" in str(caught.value) or "did not answer" in str(caught.value)


async def test_real_server_serves_the_fixture_feed(fake: FakeHF) -> None:
    with serve(fake) as url:
        async with HFClient(url) as client:
            result = await client.fetch_feed(FeedSpec.parse("daily:2026-08-21"))
    assert result.items == day_items("2026-08-21")


async def test_a_self_signed_certificate_is_refused_with_a_tls_message(
    fake: FakeHF, tmp_path: Path
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with serve(fake, tls=context) as url:
        async with HFClient(url) as client:
            with pytest.raises(FetchError) as caught:
                await client.fetch_feed(FeedSpec.parse("daily:2026-08-21"))
    assert str(caught.value).startswith("TLS check failed for 127.0.0.1")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


async def test_a_dead_proxy_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY")
    async with HFClient("https://huggingface.co") as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch_feed(FeedSpec("trending"))
    assert f"cannot reach the proxy {proxy} (from HTTPS_PROXY)" in str(caught.value)


@pytest.mark.parametrize("value", ["not a url", "ftp://proxy:21", "socks9://x:1"])
async def test_a_broken_proxy_setting_is_a_message_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", value)
    monkeypatch.delenv("NO_PROXY")
    with pytest.raises(FetchError) as caught:
        async with HFClient("https://huggingface.co") as client:
            await client.fetch_feed(FeedSpec("trending"))
    assert caught.value.kind in ("config", "offline") and "proxy" in str(caught.value).lower()


async def test_socks_proxy_is_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx needs socksio for socks5://; without it client creation raises ImportError.
    monkeypatch.setenv("ALL_PROXY", f"socks5://{closed_port().removeprefix('http://')}")
    monkeypatch.delenv("NO_PROXY")
    async with HFClient("https://huggingface.co") as client:
        with pytest.raises(FetchError) as caught:
            await client.fetch_feed(FeedSpec("trending"))
    assert caught.value.offline or caught.value.kind == "config"


def test_fetch_error_kinds_mark_offline() -> None:
    assert FetchError("offline", "x").offline and FetchError("timeout", "x").offline
    assert not FetchError("http", "x").offline
