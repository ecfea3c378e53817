"""The data of the KB linter: its messages, confirmed studies, mirror domains, glossary pairs.

`CONFIRMED` is derived from the project's research records (shared/research/references.yaml):
every record with `confirmed: true`, with the sub-factors its `supports` list names. The KB's
own references carry no confirmation flag on purpose: whether a record was seen is the
researchers' call, not something a KB file can assert about itself. `pishran kb lint
--references FILE` checks against a newer copy of the records instead of this list.
"""

from __future__ import annotations

from collections.abc import Mapping

from knowledge.model import Text

__all__ = ["CONFIRMED", "GLOSSARY_PAIRS", "LATIN_ALLOWED", "LINT_MESSAGES", "MIRROR_DOMAINS"]

#: Confirmed record key -> the sub-factors its record supports (any effect).
CONFIRMED: Mapping[str, tuple[str, ...]] = {
    "mergel2016": ("organizational_processes", "executive_enforcement"),
    "porumbescu2016": ("citizen_experience",),
    "wukich2016": ("organizational_processes", "citizen_experience"),
    "tursunbayeva2017": ("transparency",),
    "medaglia2017": ("citizen_experience", "user_resistance"),
    "galvezrodriguez2018": (),
    "eom2016": ("executive_enforcement", "citizen_experience"),
    "sandelowski2007": (),
    "glynn2006": (),
    "mergel2013par": (
        "organizational_policies",
        "executive_enforcement",
        "organizational_processes",
    ),
    "mergel2013giq": (
        "manager_training",
        "citizen_experience",
        "organizational_structure_communication",
    ),
    "bertot2012": ("legal_infrastructure", "organizational_policies", "functionality_usability"),
    "picazovela2012": (
        "transparency",
        "legal_infrastructure",
        "cultural_infrastructure",
        "organizational_processes",
    ),
    "picazovela2016": (
        "organizational_structure_communication",
        "organizational_processes",
        "manager_training",
    ),
    "oliveira2013": (
        "technical_infrastructure",
        "specialized_infrastructure",
        "organizational_processes",
    ),
    "criado2013": ("organizational_policies", "transparency"),
    "bonson2012": ("transparency", "citizen_experience"),
    "bonson2015": ("functionality_usability", "cultural_infrastructure", "citizen_experience"),
    "linders2012": ("citizen_experience", "financial_infrastructure"),
    "mossberger2013": ("citizen_experience", "organizational_processes"),
    "kavanaugh2012": ("technical_infrastructure",),
    "meijer2013": ("cultural_infrastructure", "organizational_structure_communication"),
    "hofmann2013": ("functionality_usability", "citizen_experience"),
    "zheng2013": ("specialized_infrastructure", "organizational_structure_communication"),
    "khan2014": ("user_resistance", "organizational_structure_communication"),
    "feeney2016": ("financial_infrastructure",),
    "socialmediaworkplace_arpa": (
        "cultural_infrastructure",
        "organizational_policies",
        "user_resistance",
    ),
    "reddick2013norris": (
        "technical_infrastructure",
        "specialized_infrastructure",
        "user_training",
        "citizen_experience",
    ),
    "porumbescu2015arpa": ("transparency", "citizen_experience"),
    "gandia2016": ("transparency",),
    "silva2019": ("transparency", "financial_infrastructure", "capital_budgeting"),
    "hrdinova2010": ("organizational_policies", "legal_infrastructure", "executive_enforcement"),
    "bennett2017": ("organizational_policies",),
    "chen2016": ("organizational_policies", "financial_infrastructure", "capital_budgeting"),
    "criado2017": ("organizational_structure_communication", "organizational_policies"),
    "criado2021": (
        "cultural_infrastructure",
        "financial_infrastructure",
        "capital_budgeting",
        "organizational_policies",
        "technical_infrastructure",
    ),
    "gao2017": ("functionality_usability", "technical_infrastructure"),
    "harodero2018": ("transparency", "functionality_usability", "citizen_experience"),
    "stamati2015": ("transparency", "organizational_policies"),
    "falco2018": ("organizational_structure_communication", "organizational_processes"),
    "yang2020": ("functionality_usability", "citizen_experience"),
    "alotaibi2016": ("cultural_infrastructure", "user_resistance"),
    "zavattaro2014": ("citizen_experience", "functionality_usability"),
    "rodriguezhevia2020": ("user_training",),
    "schwester2009": (
        "capital_budgeting",
        "financial_infrastructure",
        "specialized_infrastructure",
    ),
    "moon2002": ("capital_budgeting", "legal_infrastructure", "specialized_infrastructure"),
    "vandeursen2009": ("user_training", "functionality_usability"),
    "oecd2021talent": ("user_training",),
    "oecd2024skills": ("user_training", "manager_training"),
    "khan2019": ("manager_training",),
    "ma2016chapter": ("manager_training", "citizen_experience"),
    "ma2014pmr": ("capital_budgeting", "financial_infrastructure", "technical_infrastructure"),
    "seigler2017": ("manager_training", "user_resistance"),
    "meier2013": ("user_resistance",),
    "klang2011": ("legal_infrastructure", "organizational_policies"),
}

#: Document-sharing copies and aggregators: a reference links to its DOI or publisher instead.
MIRROR_DOMAINS: tuple[str, ...] = (
    "scribd.com",
    "mafiadoc.com",
    "moam.info",
    "researchgate.net",
    "mendeley.com",
    "ouci.dntb.gov.ua",
    "academia.edu",
    "docplayer.net",
    "studylib.net",
    "dokumen.pub",
    "pdfcoffee.com",
    "vdocuments.mx",
    "sci-hub.se",
    "coek.info",
    "docslib.org",
    "documentine.com",
)

#: The glossary's "not" column (shared/GLOSSARY.md): (the word not to use, the word to use).
#: Whole words only; the half-space pairs follow the glossary's own «به‌طور».
GLOSSARY_PAIRS: tuple[tuple[str, str], ...] = (
    ("مجرا", "کانال"),
    ("مجاری", "کانال‌ها"),
    ("سکو", "بستر"),
    ("دیدگاه", "نظر"),
    ("دیدگاه‌ها", "نظرها"),
    ("نظرگذاری", "نظرها"),
    ("نظرات", "نظرها"),
    ("نمره", "امتیاز"),
    ("تفصیلی", "کامل"),
    ("نمایه", "مشخصات"),
    ("پرونده", "فایل"),
    ("بات", "ربات"),
    ("به جای", "به‌جای"),
    ("به صورت", "به‌صورت"),
    ("به عنوان", "به‌عنوان"),
    ("به طور", "به‌طور"),
    ("مرور ملی", "وضعیت کلی کشور"),
    ("آنها", "آن‌ها"),
    ("سؤال", "پرسش"),
    ("سوال", "پرسش"),
    ("فیسبوک", "فیس‌بوک"),
    ("تویتر", "توییتر"),
)

#: Latin words a Persian text may keep (acronyms a civil servant reads as they are).
LATIN_ALLOWED: frozenset[str] = frozenset(
    {"DOI", "PDF", "CSV", "URL", "QR", "SMS", "IT", "YAML", "JSON"}
)

#: One text per linter rule (code); `{name}` placeholders come from the problem's params.
LINT_MESSAGES: Mapping[str, Text] = {
    "coverage_items": Text(
        "زیرعامل «{subfactor}» {count} شاهد دارد؛ دست‌کم {minimum} شاهد لازم است",
        "sub-factor '{subfactor}' has {count} evidence item(s); at least {minimum} are needed",
    ),
    "coverage_studies": Text(
        "شواهد زیرعامل «{subfactor}» از {count} مطالعه تأییدشده درباره همین زیرعامل است؛"
        " دست‌کم {minimum} مطالعه لازم است",
        "the evidence of sub-factor '{subfactor}' comes from {count} confirmed study(ies)"
        " about it; at least {minimum} are needed",
    ),
    "evidence_off_topic": Text(
        "سابقه مطالعه «{ref}» آن را درباره زیرعامل «{subfactor}» نمی‌داند",
        "the record of study '{ref}' does not link it to sub-factor '{subfactor}'",
    ),
    "step_off_topic": Text(
        "سابقه مطالعه «{ref}» آن را درباره هیچ‌یک از زیرعامل‌هایی که این گام را توصیه می‌کنند"
        " ({subfactors}) نمی‌داند",
        "the record of study '{ref}' links it to none of the sub-factors that advise this step"
        " ({subfactors})",
    ),
    "unconfirmed_ref": Text(
        "منبع «{ref}» در فهرست منابع تأییدشده نیست؛ به آن استناد نکنید",
        "reference '{ref}' is not a confirmed record; do not cite it here",
    ),
    "mirror_link": Text(
        "نشانی به رونوشتی در {domain} پیوند دارد؛ DOI یا صفحه ناشر را بگذارید",
        "the link points at a copy on {domain}; use the DOI or the publisher's page",
    ),
    "arabic_letter": Text(
        "حرف عربی «{letter}» در «{text}»؛ «{persian}» فارسی بنویسید",
        "Arabic letter '{letter}' in '{text}': write the Persian '{persian}'",
    ),
    "zwnj_prefix": Text(
        "«{text}»: پس از «{prefix}» نیم‌فاصله بگذارید، نه فاصله",
        "'{text}': put a half-space (ZWNJ) after '{prefix}', not a space",
    ),
    "zwnj_suffix": Text(
        "«{text}»: پیش از «{suffix}» نیم‌فاصله بگذارید",
        "'{text}': put a half-space (ZWNJ) before '{suffix}'",
    ),
    "arabic_digit": Text(
        "«{text}»: رقم عربی؛ رقم فارسی (۰ تا ۹) بنویسید",
        "'{text}': an Arabic-Indic digit; write the Persian digits (۰–۹)",
    ),
    "ezafe_mark": Text(
        "«{text}»: این پروژه نشانه اضافه را پس از «ه» نمی‌نویسد؛ «ه» تنها بنویسید",
        "'{text}': the project writes no ezafe mark after 'ه' (write «ه» alone)",
    ),
    "latin_punctuation": Text(
        "«{text}»: در متن فارسی به‌جای «{mark}» نشانه فارسی «{persian}» بنویسید",
        "'{text}': write the Persian '{persian}' instead of '{mark}' in a Persian text",
    ),
    "middle_dot": Text(
        "«{text}»: نقطه میانی در فارسی شبیه صفر «۰» خوانده می‌شود؛ ویرگول «،» بگذارید",
        "'{text}': a middle dot reads like the Persian zero '۰'; use the Persian comma '،'",
    ),
    "latin_decimal": Text(
        "«{text}»: عدد اعشاری را با ارقام فارسی و ممیز «٫» بنویسید (مانند ۲٫۰)",
        "'{text}': write a decimal with Persian digits and the separator '٫' (as in ۲٫۰)",
    ),
    "glossary": Text(
        "«{found}»: واژه‌نامه «{use}» را به کار می‌برد",
        "'{found}': the glossary uses '{use}'",
    ),
    "latin_word": Text(
        "واژه لاتین «{word}» در متن فارسی؛ آن را به فارسی بنویسید یا توضیح دهید",
        "Latin word '{word}' in a Persian text: write it in Persian or explain it",
    ),
}
