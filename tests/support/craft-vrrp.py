#!/usr/bin/python3
"""Builds VRRPv2 adverts with scapy, independently of Keepwatch's codec, and sends them on eth0
of the network namespace it runs in (tests/agent/crafted-packets). Each case is one way an advert
can be wrong; `valid` is the control: a correct priority-254 advert that any receiver accepts.

usage: craft-vrrp.py SRC SRC_MAC VIP LB1 LB1_MAC, then one "CASE COUNT" per line on stdin; it answers
"sent COUNT CASE" (or "error ...") per line, so that scapy is imported once per run.
"""
import sys

from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
from scapy.layers.vrrp import VRRP
from scapy.sendrecv import sendp

# The source MAC is given: scapy finds none for a multicast destination (no route) and would send
# 00:00:00:00:00:00, which a bridge drops.
src, src_mac, vip, lb1, lb1_mac = sys.argv[1:6]
GROUP, GROUP_MAC = "224.0.0.18", "01:00:5e:00:00:12"
PASS = int.from_bytes(b"1111", "big")


def advert(**over):
    fields = dict(vrid=51, priority=254, authtype=1, adv=1, addrlist=[vip], auth1=PASS, auth2=0)
    fields.update(over)
    return VRRP(**fields)


def frame(vrrp, dst=GROUP, dst_mac=GROUP_MAC, ttl=255):
    return Ether(src=src_mac, dst=dst_mac) / IP(src=src, dst=dst, ttl=ttl, proto=112) / vrrp


CASES = {
    "valid": lambda: frame(advert()),
    "priority-0": lambda: frame(advert(priority=0)),
    "wrong-password": lambda: frame(advert(auth1=int.from_bytes(b"gues", "big"))),
    "no-password": lambda: frame(advert(authtype=0, auth1=0)),
    "ttl-254": lambda: frame(advert(), ttl=254),
    "bad-checksum": lambda: frame(advert(chksum=0xBEEF)),
    "wrong-address-list": lambda: frame(advert(addrlist=["198.51.100.99"])),
    "empty-address-list": lambda: frame(advert(addrlist=[])),
    "count-255": lambda: frame(advert(addrlist=[vip] + [f"198.51.100.{i % 250 + 1}" for i in range(254)])),
    "unicast-to-multicast-instance": lambda: frame(advert(), dst=lb1, dst_mac=lb1_mac),
    "wrong-vrid": lambda: frame(advert(vrid=52)),
    "truncated": lambda: Ether(src=src_mac, dst=GROUP_MAC) / IP(src=src, dst=GROUP, ttl=255, proto=112) / bytes(advert())[:6],
}

print("ready", flush=True)
for line in sys.stdin:
    case, count = (line.split() + ["1"])[:2]
    if case not in CASES:
        print(f"error unknown case {case}; one of {', '.join(CASES)}", flush=True)
        continue
    # A burst is sent back to back (a flood); a few packets are spaced as a sender would.
    sendp(CASES[case](), iface="eth0", count=int(count), inter=0 if int(count) > 10 else 0.02, verbose=False)
    print(f"sent {count} {case}", flush=True)
