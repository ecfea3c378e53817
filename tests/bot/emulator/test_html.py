"""HTML parse mode: plain text and UTF-16 entity offsets for Persian text and emoji."""

from __future__ import annotations

import pytest

from bot.emulator import (
    BotApiEmulator,
    HtmlParseError,
    fix_formatted_text,
    parse_html,
    render_html,
    utf16_len,
)
from tests.bot.emulator.support import RawApi


def test_persian_and_emoji_offsets_are_utf16() -> None:
    text, entities = parse_html("👋 <b>سلام</b> 🇮🇷 <i>دنیا 😀</i> &lt;ok&gt;")
    assert text == "👋 سلام 🇮🇷 دنیا 😀 <ok>"
    # 👋 is 2 UTF-16 units, the flag is 4 (two regional indicators), 😀 is 2.
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "italic", "offset": 13, "length": 7},
    ]
    assert utf16_len(text) == 25


def test_all_supported_tags() -> None:
    source = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><a href="https://example.com/x?a=1&amp;b=2">a</a>'
        '<code>c</code><pre>p</pre><pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(source)
    assert text == "bsieunskdpqacpx = 1qe👍"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert kinds == [
        ("bold", 0, 1),
        ("bold", 1, 1),
        ("italic", 2, 1),
        ("italic", 3, 1),
        ("underline", 4, 1),
        ("underline", 5, 1),
        ("strikethrough", 6, 1),
        ("strikethrough", 7, 1),
        ("strikethrough", 8, 1),
        ("spoiler", 9, 1),
        ("spoiler", 10, 1),
        ("text_link", 11, 1),
        ("code", 12, 1),
        ("pre", 13, 1),
        ("pre", 14, 5),
        ("blockquote", 19, 1),
        ("expandable_blockquote", 20, 1),
        ("custom_emoji", 21, 2),
    ]
    assert entities[11]["url"] == "https://example.com/x?a=1&b=2"
    assert entities[14]["language"] == "python"
    assert entities[17]["custom_emoji_id"] == "5368324170671202286"


def test_nested_entities_and_numeric_references() -> None:
    text, entities = parse_html("<b>a <i>b&#1587;</i> &#x1F600;</b>")
    assert text == "a bس 😀"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "italic", "offset": 2, "length": 2},
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("<foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("سلام <br>", 'Unsupported start tag "br" at byte offset 9'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href=x"y>x</a>', "Unexpected end of name token at byte offset 8"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b>x</b ", "Unclosed end tag at byte offset 4"),
    ],
)
def test_parse_errors(source: str, message: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_ampersand_strict_and_lenient() -> None:
    with pytest.raises(HtmlParseError, match="byte offset 1"):
        parse_html("R&D")
    with pytest.raises(HtmlParseError):
        parse_html("&nbsp;")
    assert parse_html("R&D", strict=False) == ("R&D", [])


def test_link_normalisation_and_mentions() -> None:
    _, entities = parse_html('<a href="example.com">x</a><a href="tg://user?id=42">y</a>')
    assert entities[0]["url"] == "http://example.com/"
    assert entities[1] == {"type": "text_mention", "offset": 1, "length": 1, "user": {"id": 42}}
    # A link Telegram can't use is silently dropped.
    assert parse_html('<a href="nonsense">z</a>') == ("z", [])


def test_auto_detected_entities() -> None:
    text, entities = fix_formatted_text(
        "Send /start@pishran_test_bot to @pishran_bot, see https://t.me/x. #کمک mail a@b.io",
        [],
    )
    assert [(e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in entities] == [
        ("bot_command", "/start@pishran_test_bot"),
        ("mention", "@pishran_bot"),
        ("url", "https://t.me/x"),
        ("hashtag", "#کمک"),
        ("email", "a@b.io"),
    ]


@pytest.mark.parametrize(
    "source",
    [
        "<b>سلام</b> 👋 <i>دنیا</i>",
        '<b>bold <i>both</i></b><a href="https://e.com/">link</a> &lt;tag&gt; &amp;',
        '<pre><code class="language-yaml">k: v</code></pre>',
        "<blockquote expandable>long <u>quote</u></blockquote>",
    ],
)
def test_render_html_round_trip(source: str) -> None:
    text, entities = parse_html(source)
    assert parse_html(render_html(text, entities)) == (text, entities)


def test_render_html_splits_crossing_entities() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 2, "length": 3},
    ]
    html = render_html("abcde", entities)
    assert html == "<b>ab<i>c</i></b><i>de</i>"


async def test_server_returns_entities(emu: BotApiEmulator, raw: RawApi) -> None:
    user = emu.user(1001, first_name="Sara")
    await user.send("/start")
    status, body = await raw.call(
        "sendMessage",
        chat_id=user.id,
        text="🎉 <b>خوش آمدید</b> — /help را بزنید",
        parse_mode="HTML",
    )
    assert status == 200
    result = body["result"]
    assert result["text"] == "🎉 خوش آمدید — /help را بزنید"
    assert result["entities"] == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "bot_command", "offset": 15, "length": 5},
    ]
    assert user.last_bot_message.rendered_html == "🎉 <b>خوش آمدید</b> — /help را بزنید"


async def test_text_mentions_use_known_users(emu: BotApiEmulator, raw: RawApi) -> None:
    user = emu.user(1001, first_name="Sara")
    await user.send("/start")
    status, body = await raw.call(
        "sendMessage",
        chat_id=user.id,
        text='<a href="tg://user?id=1001">Sara</a> <a href="tg://user?id=9">?</a>',
        parse_mode="HTML",
    )
    assert status == 200
    mention, unknown = body["result"]["entities"]
    assert mention["type"] == "text_mention" and mention["user"]["first_name"] == "Sara"
    assert unknown == {"type": "text_link", "offset": 5, "length": 1, "url": "tg://user?id=9"}
