"""kdig +json (RFC 8427 names) read into ToolOutput: the newer EDNS object, transfers, +qr, and hostile JSON.

Debian's kdig prints the older form (a raw OPT record); tests/tools/test_kdig_json.py runs it against the lab.
The samples here follow Knot 3.3's printer (src/utils/common/exec.c, `print_packet_json`/`json_print_edns`):
two-space indent, one `EDE` key per option, `COOKIE` as [client, server].
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.codes.knowledge import load_default
from bot.core.paste import digtext, json_form
from bot.core.paste.explain import explain
from tests.conftest import examples

KB = load_default()

KNOT_33 = """{
  "dateString": "2025-03-01T10:00:00+0100",
  "dateSeconds": 1740819600,
  "msgLength": 250,
  "ID": 4242,
  "QR": 1,
  "Opcode": 0,
  "AA": 0,
  "TC": 0,
  "RD": 1,
  "RA": 1,
  "AD": 0,
  "CD": 0,
  "RCODE": 2,
  "QDCOUNT": 1,
  "ANCOUNT": 0,
  "NSCOUNT": 0,
  "ARCOUNT": 1,
  "QNAME": "dnssec-failed.org.",
  "QTYPE": 1,
  "QTYPEname": "A",
  "QCLASS": 1,
  "QCLASSname": "IN",
  "EDNS": {
    "Version": 0,
    "FLAGS": [
      "DO"
    ],
    "RCODE": "SERVFAIL",
    "UDPSIZE": 1232,
    "NSID": {
      "HEX": "7265736f6c7665722d31",
      "TEXT": "resolver-1"
    },
    "COOKIE": [
      "0011223344556677",
      "8899aabbccddeeff0011223344556677"
    ],
    "EDE": {
      "CODE": 9,
      "Purpose": "DNSKEY Missing",
      "TEXT": "no SEP matching the DS found for dnssec-failed.org."
    },
    "EDE": {
      "CODE": 22,
      "Purpose": "No Reachable Authority"
    }
  }
}
"""


def one(text: str) -> digtext.ToolOutput:
    (output,) = digtext.from_text(text).outputs
    return output


def test_knot_33_edns_object_with_two_edes() -> None:
    out = one(KNOT_33)
    assert (out.tool, out.form, out.status, out.rcode, out.id, out.opcode) == ("kdig", "json", "SERVFAIL", 2, 4242, "QUERY")
    assert (out.qname, out.qtype, out.qclass) == ("dnssec-failed.org.", "A", "IN")
    assert out.flags == ("qr", "rd", "ra")
    assert out.edns == digtext.Edns(version=0, flags=("do",), udp=1232)
    assert [(e.code, e.purpose, e.text) for e in out.ede] == [
        (9, "DNSKEY Missing", "no SEP matching the DS found for dnssec-failed.org."),
        (22, "No Reachable Authority", None),
    ]
    assert (out.nsid, out.cookie) == ("resolver-1", "00112233445566778899aabbccddeeff0011223344556677")
    assert out.counts == digtext.Counts(1, 0, 0, 1) and out.msg_size == 250
    assert digtext.looks_like_dig(KNOT_33) and digtext.looks_like_dig("```" + KNOT_33 + "```")
    item = explain(digtext.Paste(outputs=(out,)), KB).outputs[0]
    assert item.verdict == "failure" and [e.entry.ident for e in item.ede if e.entry] == ["EDE 9", "EDE 22"]


def test_edns_object_keys_in_the_later_drafts_lower_case() -> None:
    text = KNOT_33
    for key in ("Version", "FLAGS", 'RCODE": "', "UDPSIZE", "NSID", "HEX", "TEXT", "COOKIE", "CODE", "Purpose"):
        text = text.replace(f'"{key}', f'"{key.lower()}')
    text = text.replace('"rcode": 2,', '"RCODE": 2,').replace('"DO"', '"do"').replace('"EDNS"', '"edns"')
    out = one(text)
    assert out.edns == digtext.Edns(version=0, flags=("do",), udp=1232)
    assert (out.status, out.nsid) == ("SERVFAIL", "resolver-1")
    assert [(e.code, e.purpose) for e in out.ede] == [(9, "DNSKEY Missing"), (22, "No Reachable Authority")]


def test_many_messages_in_one_paste_are_all_read() -> None:
    """The bound on decode attempts counts failures only: a long paste of real messages is read whole."""
    text = "\n".join(KNOT_33.replace('"ID": 4242', f'"ID": {i}') for i in range(42))
    assert len(text) < 40_000
    assert [o.id for o in digtext.from_text(text).outputs] == list(range(42))


def test_the_extended_rcode_comes_from_the_edns_object() -> None:
    text = KNOT_33.replace('"RCODE": 2,', '"RCODE": 0,').replace('"RCODE": "SERVFAIL"', '"RCODE": "BADVERS"')
    assert (one(text).status, one(text).rcode) == ("BADVERS", 16)


def _old_opt(ttl: int, rdata_hex: str, rdlength: int) -> str:
    return (
        '{\n  "ID": 1,\n  "QR": 1,\n  "Opcode": 0,\n  "RCODE": 0,\n  "QDCOUNT": 1,\n  "QNAME": "example.com.",\n'
        '  "QTYPE": 1,\n  "additionalRRs": [\n    {\n      "NAME": ".",\n      "TYPE": 41,\n      "TYPEname": "OPT",\n'
        f'      "CLASS": 4096,\n      "TTL": {ttl},\n      "RDLENGTH": {rdlength},\n      "RDATAHEX": "{rdata_hex}"\n    }}\n  ]\n}}\n'
    )


def test_old_opt_record_carries_the_extended_rcode_and_do_bit() -> None:
    out = one(_old_opt((1 << 24) | 0x8000, "", 0))  # ext-rcode 1 over header 0: BADVERS
    assert (out.status, out.rcode) == ("BADVERS", 16)
    assert out.edns == digtext.Edns(version=0, flags=("do",), udp=4096)
    assert out.additional == ()  # the OPT pseudo-record is not a record of the answer


def test_old_opt_record_with_a_short_or_cut_ede() -> None:
    assert [e.code for e in one(_old_opt(0, "000F0001FF", 5)).ede] == [None]  # one byte: no code
    assert one(_old_opt(0, "000F0010000741", 7)).ede == ()  # says 16 bytes, holds 3: not read
    assert one(_old_opt(0, "zz", 1)).ede == ()


def test_query_and_response_take_the_response() -> None:
    query = '{\n    "ID": 7,\n    "QR": 0,\n    "Opcode": 0,\n    "RCODE": 0,\n    "QNAME": "example.com."\n  }'
    response = '{\n    "ID": 7,\n    "QR": 1,\n    "Opcode": 0,\n    "RCODE": 3,\n    "QNAME": "example.com."\n  }'
    text = '{\n  "queryMessage": ' + query + ',\n  "responseMessage": ' + response + "\n}\n"
    out = one(text)
    assert (out.status, out.id, out.flags) == ("NXDOMAIN", 7, ("qr",))


def test_a_transfer_is_one_output_with_every_message_answer() -> None:
    def message(records: list[tuple[str, str, str]]) -> dict[str, object]:
        return {
            "ID": 9,
            "QR": 1,
            "Opcode": 0,
            "AA": 1,
            "RCODE": 0,
            "QNAME": "zone.example.",
            "QTYPE": 252,
            "QTYPEname": "AXFR",
            "msgLength": 100,
            "answerRRs": [
                {"NAME": n, "TYPE": 0, "TYPEname": t, "CLASS": 1, "TTL": 60, f"rdata{t}": d} for n, t, d in records
            ],
        }

    soa = ("zone.example.", "SOA", "ns. host. 1 2 3 4 5")
    text = json.dumps(
        [message([soa, ("www.zone.example.", "A", "192.0.2.1")]), message([("mx.zone.example.", "MX", "10 a."), soa])],
        indent=2,
    )
    out = one(text)
    assert (out.qtype, out.status, out.msg_size) == ("AXFR", "NOERROR", 200)
    assert [r.rtype for r in out.answer] == ["SOA", "A", "MX", "SOA"]


def test_unknown_types_keep_their_hex() -> None:
    text = json.dumps(
        {
            "ID": 1,
            "QR": 1,
            "Opcode": 0,
            "RCODE": 0,
            "QNAME": "x.example.",
            "QTYPE": 65280,
            "answerRRs": [{"NAME": "x.example.", "TYPE": 65280, "CLASS": 1, "TTL": 5, "RDLENGTH": 2, "RDATAHEX": "ABCD"}],
        },
        indent=2,
    )
    out = one(text)
    assert out.qtype == "TYPE65280"
    assert (out.answer[0].rtype, out.answer[0].data) == ("TYPE65280", "\\# 2 ABCD")


def test_other_json_in_chat_is_not_dns() -> None:
    log = '{\n  "level": "error",\n  "msg": "lookup api.example.com: no such host",\n  "RCODE": "maybe"\n}\n'
    assert digtext.from_text(log).outputs == ()
    assert not digtext.looks_like_dig(log)
    assert json_form.split(log)[1] is False


def test_json_beside_text_output_keeps_the_order() -> None:
    dig = ";; ->>HEADER<<- opcode: QUERY, status: REFUSED, id: 1\n;; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n"
    outputs = digtext.from_text("before:\n" + dig + "\nand kdig says:\n" + KNOT_33 + "\n" + dig)
    assert [(o.form, o.status) for o in outputs.outputs] == [("full", "REFUSED"), ("json", "SERVFAIL"), ("full", "REFUSED")]


def test_a_timeout_before_an_answer_stays_its_own_output() -> None:
    """kdig with two queries: the first timed out (its warnings, then `{` `}`), the second answered."""
    failed = (
        ";; WARNING: response timeout for 192.0.2.53@53(UDP)\n;; ERROR: failed to query server 192.0.2.53@53(UDP)\n{\n}\n"
    )
    outputs = digtext.from_text(failed + KNOT_33).outputs
    assert [(o.status, o.timeout) for o in outputs] == [(None, True), ("SERVFAIL", False)]


def test_error_lines_before_a_json_response_belong_to_it() -> None:
    """A refused transfer: kdig's `;; ERROR:` lines, then the response itself as JSON: one output, not two."""
    errors = ";; ERROR: server replied with error 'NOTAUTH'\n;; ERROR: failed to query server 192.0.2.53@53(TCP)\n"
    message = KNOT_33.replace('"RCODE": 2,', '"RCODE": 9,').replace('"RCODE": "SERVFAIL"', '"RCODE": "NOTAUTH"')
    message = message.replace('"QTYPE": 1,', '"QTYPE": 252,').replace('"QTYPEname": "A"', '"QTYPEname": "AXFR"')
    (out,) = digtext.from_text(errors + "[\n" + message + "]\n").outputs
    assert (out.status, out.qtype, out.warnings) == ("NOTAUTH", "AXFR", ("transfer failed",))


def test_a_wall_of_braces_is_read_in_bounded_attempts() -> None:
    text = '{\n  "RCODE": [\n' * 5000
    assert len(text) > 40_000
    assert digtext.from_text(text).outputs == ()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=12) | st.floats(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_any_value_in_any_field_never_raises(data: st.DataObject) -> None:
    """Type confusion: every key of a real message (and of its EDNS object) given an arbitrary JSON value."""
    message = json.loads(KNOT_33)
    target = data.draw(st.sampled_from([message, message["EDNS"]]))
    key = data.draw(st.sampled_from(sorted(target)))
    target[key] = data.draw(_json_values)
    text = json.dumps(message, indent=2)
    for out in digtext.from_text(text).outputs:
        assert out.rcode is None or 0 <= out.rcode <= 4095
        assert out.id is None or 0 <= out.id <= 65535
        explain(digtext.Paste(outputs=(out,)), KB)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet='{}[]":,\n 0123456789RCODEQNAMIDtrue', max_size=400))
def test_json_shaped_noise_never_raises(text: str) -> None:
    digtext.from_text(text)
    json_form.split(text)
