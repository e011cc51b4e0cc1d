"""The App Home tab and the settings modal: golden Block Kit, valid for Slack, editable only for admins."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot.render import home
from bot.render.home import Limit, Shown
from bot.render.limits import check
from tests.conftest import Golden

BOT = Shown(
    resolvers=("system", "1.1.1.1", "9.9.9.9"),
    resolvers_chosen=False,
    user_rate=Limit(5, 60.0),
    channel_rate=Limit(20, 60.0),
    allow_list=("system", "1.1.1.1", "9.9.9.9"),
    user_ceiling=Limit(5, 60.0),
    channel_ceiling=Limit(20, 60.0),
    max_resolvers=8,
)
CHOSEN = Shown(
    resolvers=("9.9.9.9",),
    resolvers_chosen=True,
    user_rate=Limit(2, 60.0, chosen=True),
    channel_rate=Limit(20, 60.0),
    allow_list=BOT.allow_list,
    user_ceiling=BOT.user_ceiling,
    channel_ceiling=BOT.channel_ceiling,
    max_resolvers=8,
)


def test_golden_home_for_an_admin_and_for_everyone_else(golden: Golden) -> None:
    admin = home.home_view(CHOSEN, can_edit=True)
    member = home.home_view(BOT, can_edit=False)
    golden.check("home/admin.json", admin.to_dict())
    golden.check("home/member.json", member.to_dict())
    golden.check("home/modal.json", home.settings_modal(CHOSEN).to_dict())


def test_only_admins_get_the_button_and_the_settings_say_whose_they_are() -> None:
    admin = home.home_view(CHOSEN, can_edit=True).to_dict()
    member = home.home_view(CHOSEN, can_edit=False).to_dict()
    assert home.ACTION_EDIT in str(admin) and home.ACTION_EDIT not in str(member)
    assert home.READ_ONLY in str(member)
    text = json.dumps(member)
    assert "`9.9.9.9` (this workspace's choice)" in text
    assert "2 per 60 s (this workspace's choice)" in text and "20 per 60 s (the bot's limit)" in text


def test_views_are_valid_block_kit_and_escape_the_notice() -> None:
    view = home.home_view(CHOSEN, can_edit=True, notice="<!channel> could not save")
    blocks = Block.parse_all(view.to_dict()["blocks"])
    check(blocks)
    assert "<!channel>" not in str(view.to_dict()) and "&lt;!channel&gt;" in str(view.to_dict())
    modal = home.settings_modal(BOT).to_dict()
    assert modal["callback_id"] == home.CALLBACK_SETTINGS
    fields = [b for b in modal["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in fields] == [home.FIELD_RESOLVERS, home.FIELD_USER_RATE, home.FIELD_CHANNEL_RATE]
    assert all(b["optional"] and "initial_value" not in b["element"] for b in fields)  # empty: the bot's defaults
