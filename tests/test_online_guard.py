from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from contentlint.online.guard import DnsError, Guard, Refused, address_problem, system_resolver

ALLOW_LOCAL = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "a loopback address"),
    ("127.255.0.9", "a loopback address"),
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.1", "a private address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("169.254.1.1", "a link-local address"),
    ("100.64.0.1", "a CGNAT (shared) address"),
    ("100.127.255.254", "a CGNAT (shared) address"),
    ("100.100.100.200", "a cloud metadata address"),
    ("168.63.129.16", "a cloud metadata address"),
    ("224.0.0.1", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("255.255.255.255", "a reserved address"),
    ("0.0.0.0", "an unspecified address"),
    ("198.18.0.1", "a reserved (benchmarking) address"),
    ("::", "an unspecified address"),
    ("::1", "a loopback address"),
    ("fe80::1", "a link-local address"),
    ("fc00::1", "a private (unique local) address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("ff02::1", "a multicast address"),
    ("2001:db8::1", "a reserved (documentation) address"),
    # IPv4 addresses dressed as IPv6
    ("::ffff:127.0.0.1", "the IPv4-mapped form of a loopback address"),
    ("::ffff:169.254.169.254", "the IPv4-mapped form of a cloud metadata address"),
    ("64:ff9b::a9fe:a9fe", "the NAT64 form of a cloud metadata address"),
    ("64:ff9b::10.0.0.1", "the NAT64 form of a private address"),
    ("2002:7f00:1::", "the 6to4 form of a loopback address"),
    ("2002:a00:1::1", "the 6to4 form of a private address"),
    ("::ffff:0:a00:1", "the IPv4-translated form of a private address"),
    ("::7f00:1", "the IPv4-compatible form of a loopback address"),
    ("64:ff9b:1::1", "a local-use NAT64 address"),
])
def test_non_public_addresses_are_refused(address, reason):
    assert address_problem(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", [
    "93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
    "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
])
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) is None


def test_allow_list_lets_only_its_networks_through():
    assert address_problem(ipaddress.ip_address("127.0.0.1"), ALLOW_LOCAL) is None
    assert address_problem(ipaddress.ip_address("::ffff:127.0.0.1"), ALLOW_LOCAL) is None
    assert address_problem(ipaddress.ip_address("127.0.0.2"), ALLOW_LOCAL) == "a loopback address"
    assert address_problem(ipaddress.ip_address("169.254.169.254"), ALLOW_LOCAL) == "a cloud metadata address"


EVERYTHING = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]


@pytest.mark.parametrize("address, reason", [
    ("169.254.169.254", "a cloud metadata address"),
    ("169.254.170.2", "a cloud metadata address"),  # AWS ECS
    ("169.254.170.23", "a cloud metadata address"),  # AWS EKS Pod Identity
    ("100.100.100.200", "a cloud metadata address"),  # Alibaba
    ("168.63.129.16", "a cloud metadata address"),  # Azure WireServer
    ("fd00:ec2::254", "a cloud metadata address"),
    ("fd00:ec2::23", "a cloud metadata address"),
    ("fd00:ec2::254%eth0", "a cloud metadata address"),
    ("::ffff:169.254.169.254", "the IPv4-mapped form of a cloud metadata address"),
    ("::ffff:a9fe:aa02", "the IPv4-mapped form of a cloud metadata address"),
    ("::ffff:100.100.100.200", "the IPv4-mapped form of a cloud metadata address"),
    ("::169.254.169.254", "the IPv4-compatible form of a cloud metadata address"),
    ("::ffff:0:a9fe:a9fe", "the IPv4-translated form of a cloud metadata address"),
    ("64:ff9b::a9fe:a9fe", "the NAT64 form of a cloud metadata address"),
    ("64:ff9b::100.100.100.200", "the NAT64 form of a cloud metadata address"),
    ("2002:a9fe:a9fe::", "the 6to4 form of a cloud metadata address"),
    ("2002:a9fe:aa02::1", "the 6to4 form of a cloud metadata address"),
])
def test_metadata_addresses_are_refused_whatever_the_operator_allows(address, reason):
    ip = ipaddress.ip_address(address)
    assert address_problem(ip, EVERYTHING) == reason
    around = ["169.254.0.0/16", "100.64.0.0/10", "fd00::/8", address.split("%")[0]]
    assert address_problem(ip, [ipaddress.ip_network(n) for n in around]) == reason


@pytest.mark.parametrize("address, allowed, reason", [
    # An IPv6 form is judged as the IPv4 address inside it, whatever IPv6 networks are allowed.
    ("::ffff:127.0.0.1", ["::/0"], "the IPv4-mapped form of a loopback address"),
    ("::ffff:127.0.0.1", ["::ffff:0:0/96"], "the IPv4-mapped form of a loopback address"),
    ("64:ff9b::7f00:1", ["::/0", "64:ff9b::/96"], "the NAT64 form of a loopback address"),
    ("2002:a00:1::1", ["2002::/16"], "the 6to4 form of a private address"),
    ("::7f00:1", ["::/0"], "the IPv4-compatible form of a loopback address"),
    ("::ffff:127.0.0.2", ["127.0.0.0/8"], None),
    ("64:ff9b::a00:1", ["10.0.0.0/8"], None),
    # Other ranges: exactly what the operator allows.
    ("127.0.0.2", ["127.0.0.1/32"], "a loopback address"),
    ("127.0.0.2", ["127.0.0.0/8"], None),
    ("10.1.2.3", ["0.0.0.0/0"], None),
    ("::1", ["0.0.0.0/0"], "a loopback address"),
    ("::1", ["::1/128"], None),
    ("fd12::1", ["fc00::/7"], None),
])
def test_allowed_networks_are_matched_after_unwrapping_ipv4(address, allowed, reason):
    networks = [ipaddress.ip_network(n) for n in allowed]
    assert address_problem(ipaddress.ip_address(address), networks) == reason


def test_guard_refuses_metadata_hosts_and_overrides_even_when_everything_is_allowed():
    guard = Guard(["0.0.0.0/0", "::/0"], {"metadata.test": "169.254.169.254", "imds6.test": "::ffff:a9fe:a9fe"})
    for host, message in [
        ("169.254.169.254", "169.254.169.254 is a cloud metadata address"),
        ("[fd00:ec2::254]", r"\[fd00:ec2::254\] is a cloud metadata address"),
        ("[64:ff9b::a9fe:a9fe]", r"\[64:ff9b::a9fe:a9fe\] is the NAT64 form of a cloud metadata address"),
        ("metadata.test", r"metadata.test \(169.254.169.254\) is a cloud metadata address"),
        ("imds6.test", r"imds6.test \(::ffff:a9fe:a9fe\) is the IPv4-mapped form of a cloud metadata address"),
    ]:
        with pytest.raises(Refused, match=f"^{message}$"):
            check(guard, ("http", host, 80))
    assert guard.pins == {}


def test_guard_with_nothing_allowed_refuses_an_override_to_loopback():
    guard = Guard([], {"site.test": "127.0.0.1"})
    with pytest.raises(Refused, match=r"^site.test \(127.0.0.1\) is a loopback address$"):
        check(guard, ("http", "site.test", 80))


def check(guard: Guard, url_parts) -> str:
    return asyncio.run(guard.check(*url_parts))


def test_guard_refuses_schemes_and_private_hosts():
    guard = Guard(["127.0.0.1/32"], {"site.test": "127.0.0.1", "intranet.test": "10.0.0.7"})
    with pytest.raises(Refused, match="scheme 'ftp'"):
        check(guard, ("ftp", "site.test", 21))
    with pytest.raises(Refused, match=r"intranet.test \(10.0.0.7\) is a private address"):
        check(guard, ("http", "intranet.test", 80))
    with pytest.raises(Refused, match="169.254.169.254 is a cloud metadata address"):
        check(guard, ("http", "169.254.169.254", 80))
    assert check(guard, ("https", "SITE.test", 443)) == "127.0.0.1"
    assert guard.pins == {"site.test": "127.0.0.1"}


def test_one_private_address_among_public_ones_refuses_the_host():
    async def resolver(host, port):  # a DNS-rebinding style answer
        return ["93.184.215.14", "127.0.0.1"]

    guard = Guard([], resolver=resolver)
    with pytest.raises(Refused, match="rebind.test \\(127.0.0.1\\) is a loopback address"):
        check(guard, ("http", "rebind.test", 80))
    assert guard.pins == {}


def test_each_host_is_resolved_once_per_run():
    calls = []

    async def resolver(host, port):
        calls.append(host)
        return ["93.184.215.14"]

    async def main():
        guard = Guard([], resolver=resolver)
        await asyncio.gather(*(guard.check("https", "example.test", 443) for _ in range(5)))
        return guard

    guard = asyncio.run(main())
    assert calls == ["example.test"] and guard.pins == {"example.test": "93.184.215.14"}


def test_numeric_host_forms_go_through_the_resolver_and_are_checked():
    # "127.1" is not an IP literal to ipaddress, but the C resolver reads it as
    # 127.0.0.1 (no network traffic for a numeric host).
    guard = Guard([])
    with pytest.raises(Refused, match=r"127.1 \(127.0.0.1\) is a loopback address"):
        check(guard, ("http", "127.1", 80))


def test_dns_errors_are_reported_not_raised_raw():
    async def resolver(host, port):
        raise DnsError(f"host {host} does not resolve", True)

    with pytest.raises(DnsError):
        check(Guard([], resolver=resolver), ("http", "nowhere.test", 80))


def test_system_resolver_maps_numeric_lookups_without_network():
    assert asyncio.run(system_resolver("127.0.0.1", 80)) == ["127.0.0.1"]
    assert socket.EAI_NONAME  # the permanent-failure code the resolver relies on
