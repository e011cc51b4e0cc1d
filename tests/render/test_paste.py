"""Pasted-output replies: golden text and Block Kit, Slack's limits, escaping, the live-check button, the service
(`bot.services.paste`) and `rcodebot explain` (file, stdin, --json)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import Environment, ExitStatus, main
from bot.core.codes.knowledge import Knowledge, load_default
from bot.core.paste import digtext
from bot.core.paste.explain import explain
from bot.render import limits
from bot.render import paste as render
from bot.render.escape import entities, mrkdwn
from bot.services import paste as service
from tests.conftest import CORPUS, Golden

KB = load_default()

CASES = {
    "servfail_multi_ede": "wild/hickory-dns__hickory-dns__client-rs_dig-9.18.28-servfail-multi-ede.txt",
    "kdig_refused": "wild/dns-violations__dns-violations__dve-2017-0006_kdig-refused.txt",
    "timeout": "wild/dns-violations__dns-violations__dve-2020-0004_dig-9.11.5-timeout-cmd.txt",
    "two_queries": "wild/dns-violations__dns-violations__dve-2019-0001_dig-9.11.5-two-queries.txt",
    "referral": "jc/generic__dig-additional.out",
    "delv_failed": "wild/isc-projects__bind9__dnssec-guide-troubleshooting_delv-rtrace-servfail.txt",
    "nslookup": "wild/pymumu__smartdns__readme-en_nslookup-cname-1addr.txt",
}

HOSTILE = """\
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 0

;; QUESTION SECTION:
;<!channel>.example.com.		IN	TXT

;; ANSWER SECTION:
<!channel>.example.com.	300	IN	TXT	"<!channel> <@U123> <https://evil.example|click> & more"
; EDE: 0 (Other Error): (<!here> see <https://evil.example|this>)
"""


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return KB


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, kb: Knowledge, golden: Golden) -> None:
    text = (CORPUS / CASES[name]).read_text(encoding="utf-8")
    reply = service.answer(text, kb, offer_probe=True)
    assert reply is not None
    golden.check(f"paste/{name}.txt", reply.text)
    golden.check(f"paste/{name}.json", reply.block_dicts())


@pytest.mark.parametrize("path", sorted([*CORPUS.glob("jc/*.out"), *CORPUS.glob("wild/*.txt")]), ids=lambda p: p.name)
def test_every_corpus_reply_fits_slack(path: Path, kb: Knowledge) -> None:
    reply = service.answer(path.read_text(encoding="utf-8"), kb, offer_probe=True)
    assert reply is not None and reply.ok
    limits.check(reply.blocks)
    assert reply.text.strip() and reply.fallback.strip()
    json.dumps(reply.to_json())


def test_button_value_is_name_and_type(kb: Knowledge) -> None:
    text = (CORPUS / CASES["servfail_multi_ede"]).read_text(encoding="utf-8")
    reply = service.answer(text, kb, offer_probe=True)
    assert reply is not None
    actions = reply.block_dicts()[-1]
    assert actions["type"] == "actions"
    (button,) = actions["elements"]
    assert button["action_id"] == render.ACTION_RUN_CHECK == "run_live_check"
    assert button["value"] == "allow-query-none.extended-dns-errors.com. A"
    assert service.probe_target(text) == ("allow-query-none.extended-dns-errors.com.", "A")
    plain = service.answer(text, kb)
    assert plain is not None and all(b["type"] != "actions" for b in plain.block_dicts())


def test_no_button_without_a_name(kb: Knowledge) -> None:
    reply = service.answer(";; connection timed out; no servers could be reached", kb, offer_probe=True)
    assert reply is not None and all(b["type"] != "actions" for b in reply.block_dicts())
    assert service.probe_target(";; connection timed out; no servers could be reached") is None


def test_hostile_paste_pings_nobody(kb: Knowledge) -> None:
    reply = service.answer(HOSTILE, kb, offer_probe=True)
    assert reply is not None
    slack = json.dumps(reply.block_dicts()) + reply.fallback
    for raw in ("<!channel>", "<!here>", "<@U123>", "<https://evil.example"):
        assert raw not in slack
    assert mrkdwn("<!channel>") in slack
    assert "<!here>" in reply.text  # the terminal shows the paste as it was


def test_slack_text_is_unescaped_first(kb: Knowledge) -> None:
    raw = (CORPUS / CASES["servfail_multi_ede"]).read_text(encoding="utf-8")
    slack = (
        "```"
        + entities(raw).replace(
            "allow-query-none.extended-dns-errors.com.",
            "<http://allow-query-none.extended-dns-errors.com|allow-query-none.extended-dns-errors.com>.",
        )
        + "```"
    )
    from_slack = service.answer(slack, kb, from_slack=True)
    direct = service.answer(raw, kb)
    assert from_slack is not None and direct is not None
    assert from_slack.data["outputs"] == direct.data["outputs"]
    assert service.probe_target(slack, from_slack=True) == service.probe_target(raw)


def test_ordinary_chat_gets_no_reply(kb: Knowledge) -> None:
    assert service.answer("servfail on staging again?", kb) is None


def test_many_outputs_are_summarised(kb: Knowledge) -> None:
    one = (CORPUS / CASES["servfail_multi_ede"]).read_text(encoding="utf-8") + "\n"
    reply = service.answer(one * 30, kb, offer_probe=True)
    assert reply is not None
    limits.check(reply.blocks)
    assert "Also in the paste" in json.dumps(reply.block_dicts())
    assert reply.data["outputs"] and len(reply.data["outputs"]) == 30


def test_truncated_paste_says_so(kb: Knowledge) -> None:
    one = (CORPUS / CASES["servfail_multi_ede"]).read_text(encoding="utf-8") + "\n"
    text = one * (digtext.MAX_CHARS // len(one) + 3)
    reply = service.answer(text, kb)
    assert reply is not None and reply.data["truncated"] is True
    assert "I read the first 40,000 characters" in reply.text
    assert "I read the first 40,000 characters" in json.dumps(reply.block_dicts())


def test_render_without_outputs(kb: Knowledge) -> None:
    reply = render.reply(explain(digtext.from_text("hello"), kb))
    assert not reply.ok and reply.text == render.NOTHING + "\n"


# ------------------------------------------------------------------------------------------- rcodebot explain


def run(*argv: str, stdin: str = "", cwd: Path = Path("/nonexistent")) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, cwd=cwd)
    return main(["explain", *argv], env), out.getvalue(), err.getvalue()


def test_cli_reads_stdin() -> None:
    status, out, _ = run(stdin=(CORPUS / CASES["servfail_multi_ede"]).read_text(encoding="utf-8"))
    assert status == ExitStatus.OK
    assert out.startswith("dig 9.18.28-1~deb12u2-Debian · allow-query-none.extended-dns-errors.com. A · server 1.1.1.1#53\n")
    assert "EDE 9 (DNSKEY Missing)" in out


def test_cli_reads_a_file_and_prints_json() -> None:
    status, out, _ = run(CASES["timeout"], "--json", cwd=CORPUS)
    assert status == ExitStatus.OK
    data = json.loads(out)
    assert data["detected"] is True and set(data) >= {"outputs", "text", "blocks"}
    (output,) = data["outputs"]
    assert output["status"] is None and output["timeout"] is True


def test_cli_nothing_found() -> None:
    status, out, err = run(stdin="just chatting")
    assert status == ExitStatus.USAGE and out == "" and "no dig" in err
    status, out, _ = run("--json", stdin="just chatting")
    assert status == ExitStatus.USAGE and json.loads(out)["detected"] is False


def test_cli_missing_file() -> None:
    status, _, err = run("/nonexistent/dig.txt")
    assert status == ExitStatus.USAGE and "cannot read /nonexistent/dig.txt" in err


FORMATTING_NAMES = """\
; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> _dmarc.example.com TXT
;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 7
;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
; EDE: 22 (No Reachable Authority): (at delegation _dmarc.example.com. for *.example.com. ~x~)

;; QUESTION SECTION:
;_dmarc.example.com.		IN	TXT

;; SERVER: 127.0.0.53#53(127.0.0.53) (UDP)
;; MSG SIZE  rcvd: 80
"""


def _mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for v in node.values() for t in _mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _mrkdwn_texts(v)]
    return []


def test_names_with_formatting_characters_never_format(kb: Knowledge) -> None:
    # `_dmarc…`, `*.example.com` and `~x~` (also inside the EDE text that repeats them) would turn on italic, bold
    # or strike: every one of them is in a code span, in every block.
    reply = service.answer(FORMATTING_NAMES, kb, offer_probe=True)
    assert reply is not None
    texts = _mrkdwn_texts(reply.block_dicts())
    assert any("_dmarc" in t for t in texts) and any("*.example.com" in t for t in texts)
    for text in texts:
        outside = "".join(text.split("`")[0::2])
        for data in ("_dmarc", "*.example", "~x~", "1~deb12u2"):
            assert data not in outside, text
