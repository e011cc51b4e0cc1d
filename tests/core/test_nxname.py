"""The shared compact-denial test (bot/core/nxname.py) on hand-built replies."""

from __future__ import annotations

import dns.message
import dns.rcode
import dns.rrset
from hypothesis import given
from hypothesis import strategies as st

from bot.core.nxname import compact_denial, has_nxname


def _reply(owner: str, bitmap: str, rcode: int = dns.rcode.NOERROR) -> dns.message.Message:
    reply = dns.message.make_response(dns.message.make_query("gone.example.", "A"))
    reply.set_rcode(rcode)
    reply.authority.append(dns.rrset.from_text(owner, 300, "IN", "NSEC", f"\\000.{owner} {bitmap}"))
    return reply


def test_nxname_bit_at_the_name() -> None:
    assert compact_denial(_reply("gone.example.", "RRSIG NSEC NXNAME"), "gone.example.")
    assert compact_denial(_reply("gone.example.", "RRSIG NSEC TYPE128"), "gone.example.")


def test_not_compact_denial() -> None:
    assert not compact_denial(_reply("gone.example.", "A RRSIG NSEC"), "gone.example.")  # plain NODATA
    assert not compact_denial(_reply("other.example.", "RRSIG NSEC NXNAME"), "gone.example.")  # another name
    assert not compact_denial(_reply("gone.example.", "RRSIG NSEC NXNAME", dns.rcode.NXDOMAIN), "gone.example.")
    answered = _reply("gone.example.", "RRSIG NSEC NXNAME")
    answered.answer.append(dns.rrset.from_text("gone.example.", 300, "IN", "A", "192.0.2.1"))
    assert not compact_denial(answered, "gone.example.")


@given(st.lists(st.integers(min_value=1, max_value=65535).filter(lambda t: t not in (41, 128)), max_size=8), st.booleans())
def test_bitmap_decoding(types: list[int], with_nxname: bool) -> None:
    bitmap = " ".join(f"TYPE{t}" for t in sorted({*types, *([128] if with_nxname else [])})) or "NSEC"
    assert compact_denial(_reply("gone.example.", bitmap), "gone.example.") is with_nxname


def test_type_lists_as_tools_print_them() -> None:
    assert has_nxname(["RRSIG", "NSEC", "nxname"]) and has_nxname(["TYPE128"])
    assert not has_nxname(["A", "TYPE1280"])
