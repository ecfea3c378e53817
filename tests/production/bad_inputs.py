"""The hostile and malformed inputs of the corpus test, each with its own name."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ADMIN_ID", "CORPUS", "BadInput", "Target"]

ADMIN_ID = 7_000_999
LIMIT = 4096


@dataclass(frozen=True)
class Target:
    """Another person's assessment and the question it is at: what a forged button aims at."""

    assessment_id: int
    question_id: str


@dataclass(frozen=True)
class BadInput:
    """One input: a text, a button's callback data, a document or a photo."""

    name: str
    kind: str
    value: str | Callable[[Target], str] = ""
    content: bytes = b""
    filename: str = "file.bin"
    caption: str = ""
    admin: bool = False

    def payload(self, target: Target) -> str:
        """The text or callback data to send."""
        return self.value(target) if callable(self.value) else self.value


def _texts() -> list[BadInput]:
    texts = {
        "long_latin_4096": "a" * LIMIT,
        "long_persian_4096": "ب" * LIMIT,
        "long_words_4096": ("سازمان آب " * 500)[:LIMIT].strip(),
        "long_html_4096": ("<b>" * 1400)[:LIMIT],
        "long_emoji": "🏛" * 2000,
        "long_lines": "line\n" * 800,
        "control_bell": "name\x07bell",
        "control_escape": "\x1b[31mred\x1b[0m agency",
        "control_backspace": "agency\x08\x08\x08",
        "control_vertical_tab": "a\x0bb\x0cc",
        "control_c1": "agency\x85\x9b",
        "line_separator": "first\u2028second\u2029third",
        "bidi_override_rlo": "\u202eycnega live",
        "bidi_override_lro": "\u202dسازمان\u202c",
        "bidi_embeddings": "\u202aLTR\u202b RTL \u202c",
        "bidi_isolates": "\u2066isolated\u2069 \u2067و\u2069",
        "bidi_unbalanced_pdi": "\u2069\u2069\u2069agency",
        "bidi_rlm_lrm": "\u200fسازمان\u200e Water",
        "zero_width_space": "sa\u200bzman",
        "zero_width_joiners": "a\u200c\u200d\u200cb",
        "byte_order_mark": "\ufeffagency",
        "word_joiner": "org\u2060name",
        "combining_marks": "a" + "\u0301" * 300,
        "html_script": "<script>alert(1)</script>",
        "html_bold": "<b>Ministry</b>",
        "html_unclosed": "<i>Ministry",
        "html_stray_close": "</i></b>Ministry",
        "html_entities": "&amp; &lt; &gt; &quot; &#0; &#x110000;",
        "html_link_javascript": "<a href='javascript:alert(1)'>agency</a>",
        "html_img_onerror": '<img src=x onerror="alert(1)">',
        "html_tg_spoiler": "<tg-spoiler>secret</tg-spoiler>",
        "html_comment": "<!-- comment -->agency",
        "jinja_expression": "{{ 7 * 7 }}",
        "jinja_statement": "{% for x in range(10**9) %}x{% endfor %}",
        "format_braces": "{0} {locale} {name!r} %s %d",
        "log4j": "${jndi:ldap://127.0.0.1/a}",
        "sql_drop": "'; DROP TABLE respondent; --",
        "sql_or_true": '" OR 1=1 --',
        "sql_delete": "1; DELETE FROM answer",
        "sql_bobby": "Robert'); DROP TABLE assessment;--",
        "sql_like": "%_%",
        "emoji_flags": "🇮🇷🏛️🏥",
        "emoji_family_zwj": "👨‍👩‍👧‍👦 ministry",
        "emoji_skin_tones": "👍🏻👍🏿",
        "arabic_letters": "شركة المياه",
        "persian_digits": "سازمان ۱۲۳۴۵",
        "arabic_digits": "سازمان ١٢٣",
        "mixed_scripts": "Water سازمان 水 вода",
        "right_to_left_only_punctuation": "؟؟؟!!!",
        "surrogate_astral": "𝕬𝖌𝖊𝖓𝖈𝖞 𐎀",
        "whitespace_padded": "   padded agency   ",
        "newlines_around": "\n\nagency\n\n",
        "tabs": "\tagency\t",
        "path_traversal": "../../etc/passwd",
        "null_like": "null",
        "json_object": json.dumps({"a": [1, 2, {"b": None}]}),
        "very_long_word": "x" * 300,
        "numbers_only": "123456789",
        "unknown_command": "/foo",
        "unknown_command_args": "/foo bar baz",
        "command_other_bot": "/start@other_bot",
        "command_upper": "/START",
        "command_huge_argument": "/start " + "x" * 4000,
        "deep_link_long_org": "/start org_" + "a" * 64,
        "deep_link_bad_org": "/start org_../../etc",
        "deep_link_html_org": "/start org_<b>x</b>",
        "ask_huge_argument": "/ask " + "پرسش " * 800,
        "evidence_argument": "/evidence " + "x" * 3000,
        "language_argument": "/language de",
        "help_argument": "/help " + "?" * 2000,
        "admin_command_non_admin": "/kb_import",
        "stats_non_admin": "/stats",
        "export_non_admin": "/export csv",
        "rollback_non_admin": "/kb_rollback 1",
        "results_argument": "/results 999999",
        "slash_only_word": "/ ",
    }
    return [BadInput(f"text_{name}", "text", value) for name, value in texts.items()]


def _data() -> list[BadInput]:
    static = {
        "empty_like": " ",
        "garbage": "garbage",
        "answer_truncated": "a:",
        "answer_no_value": "a:1:tra_c1",
        "answer_letters": "a:x:y:z",
        "answer_zero_id": "a:0:tra_c1:1",
        "answer_huge_id": "a:99999999999999999999:tra_c1:1",
        "answer_unknown_question": "a:1:no_such_question:1",
        "answer_value_out_of_scale": "a:1:tra_c1:9",
        "answer_traversal": "a:1:../../:1",
        "profile_bad_field": "p:1:z:public",
        "profile_unknown_key": "p:1:s:no_such_sector",
        "question_set_unknown": "qs:1:everything",
        "back_negative": "b:-1:0",
        "back_huge": "b:1:99999",
        "language_unknown": "lang:de",
        "forget_maybe": "forget:maybe",
        "reminder_zero": "rem:0",
        "upload_non_admin": "kbc:1:y",
        "export_non_admin": "st:s:csv",
        "evidence_bare": "ev:",
        "evidence_unknown": "ev:s:no_such_subfactor:0",
        "evidence_page_huge": "ev:s:transparency:999",
        "over_64_bytes": "a:1:" + "q" * 62 + ":1",
        "over_64_bytes_persian": "ب" * 40,
        "html_in_data": "<b>x</b>",
        "sql_in_data": "a:1;DROP TABLE answer:1",
        "emoji_data": "🙂",
        "bidi_data": "\u202ea:1:tra_c1:1",
        "newline_data": "a:1:tra_c1:1\n",
    }
    forged: dict[str, Callable[[Target], str]] = {
        "other_user_answer": lambda t: f"a:{t.assessment_id}:{t.question_id}:4",
        "other_user_dont_know": lambda t: f"a:{t.assessment_id}:{t.question_id}:x",
        "other_user_back": lambda t: f"b:{t.assessment_id}:8",
        "other_user_profile": lambda t: f"p:{t.assessment_id}:s:public",
        "other_user_question_set": lambda t: f"qs:{t.assessment_id}:detailed",
        "other_user_reminder": lambda t: f"rem:{t.assessment_id}",
    }
    return [BadInput(f"data_{name}", "data", value) for name, value in static.items()] + [
        BadInput(f"data_{name}", "data", value) for name, value in forged.items()
    ]


def _files() -> list[BadInput]:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    return [
        BadInput("document_executable", "document", content=b"MZ\x90\x00" * 64, filename="a.exe"),
        BadInput("document_pdf", "document", content=b"%PDF-1.4\n%\xe2\xe3", filename="a.pdf"),
        BadInput("document_yaml_non_admin", "document", content=b"factors: []", filename="kb.yaml"),
        BadInput(
            "document_import_caption_non_admin",
            "document",
            content=b"factors: []",
            filename="kb.yaml",
            caption="/kb_import",
        ),
        BadInput("document_html", "document", content=b"<script>x</script>", filename="a.html"),
        BadInput("document_large", "document", content=b"0" * 3_000_000, filename="big.txt"),
        BadInput("document_empty_name", "document", content=b"x", filename="."),
        BadInput("photo_tiny", "photo", content=png),
        BadInput("photo_caption_html", "photo", content=png, caption="<b>not html</b>"),
        BadInput("photo_garbage", "photo", content=b"\x00\xff" * 100),
    ]


def _imports() -> list[BadInput]:
    documents = {
        "not_yaml": (b"factors: [unclosed", "kb.yaml"),
        "yaml_scalar": (b"just a string", "kb.yaml"),
        "yaml_list": (b"- 1\n- 2\n", "kb.yaml"),
        "empty_mapping": (b"{}", "kb.yaml"),
        "wrong_shape": (b"factors: 12\nreferences: nope\n", "kb.yaml"),
        "json_broken": (b'{"factors": [', "kb.json"),
        "binary": (b"\x00\x01\x02\xff" * 256, "kb.yaml"),
        "latin1": ("factors: café".encode("latin-1"), "kb.yaml"),
        "yaml_bomb": (b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n', "kb.yaml"),
        "wrong_extension": (b"factors: []", "kb.exe"),
        "html_in_titles": (
            b"factors:\n- key: x\n  title: {fa: '<script>x</script>', en: '<b>'}\n",
            "kb.yaml",
        ),
        "too_large": (b"#" * 1_500_000, "kb.yaml"),
    }
    return [
        BadInput(
            f"kb_import_{name}",
            "document",
            content=content,
            filename=filename,
            caption="/kb_import",
            admin=True,
        )
        for name, (content, filename) in documents.items()
    ]


CORPUS: list[BadInput] = [*_texts(), *_data(), *_files(), *_imports()]
