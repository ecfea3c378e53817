"""A small KB built in code for search tests: the real factors and sub-factors, short texts."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from knowledge.model import (
    Advice,
    Band,
    BandAdvice,
    Choice,
    Effect,
    Evidence,
    EvidenceEffect,
    Factor,
    KnowledgeBase,
    ProfileOptions,
    Question,
    QuestionSet,
    Reference,
    Scale,
    ScaleOption,
    Stage,
    SubFactor,
    Text,
)
from knowledge.steps import Horizon, Owner, Step

__all__ = ["REFERENCES", "make_search_kb"]

REFERENCES = (
    Reference(
        key="bertot2010",
        authors=("Bertot, J. C.", "Jaeger, P. T.", "Grimes, J. M."),
        year=2010,
        title=(
            "Using ICTs to create a culture of transparency: E-government and social media as "
            "openness and anti-corruption tools for societies"
        ),
        venue="Government Information Quarterly",
        volume="27",
        issue="3",
        pages="264-271",
        doi="10.1016/j.giq.2010.03.001",
    ),
    Reference(
        key="bertot2012",
        authors=("Bertot, J. C.", "Jaeger, P. T.", "Hansen, D."),
        year=2012,
        title=(
            "The impact of polices on government social media usage: Issues, challenges, "
            "and recommendations"
        ),
        venue="Government Information Quarterly",
        volume="29",
        issue="1",
        pages="30-40",
        doi="10.1016/j.giq.2011.04.004",
    ),
    Reference(
        key="mergel2013",
        authors=("Mergel, I.",),
        year=2013,
        title="Social media adoption and resulting tactics in the U.S. federal government",
        venue="Government Information Quarterly",
        volume="30",
        issue="2",
        pages="123-130",
        doi="10.1016/j.giq.2012.12.004",
    ),
    Reference(
        key="mergel_bretschneider2013",
        authors=("Mergel, I.", "Bretschneider, S. I."),
        year=2013,
        title="A three-stage adoption process for social media use in government",
        venue="Public Administration Review",
        volume="73",
        issue="3",
        pages="390-400",
        doi="10.1111/puar.12021",
    ),
    Reference(
        key="picazo2012",
        authors=("Picazo-Vela, S.", "Gutiérrez-Martínez, I.", "Luna-Reyes, L. F."),
        year=2012,
        title=(
            "Understanding risks, benefits, and strategic alternatives of social media "
            "applications in the public sector"
        ),
        venue="Government Information Quarterly",
        volume="29",
        issue="4",
        pages="504-511",
        doi="10.1016/j.giq.2012.07.002",
    ),
    Reference(
        key="criado2013",
        authors=("Criado, J. I.", "Sandoval-Almazan, R.", "Gil-Garcia, J. R."),
        year=2013,
        title="Government innovation through social media",
        venue="Government Information Quarterly",
        volume="30",
        issue="4",
        pages="319-326",
        doi="10.1016/j.giq.2013.10.003",
    ),
    Reference(
        key="bonson2012",
        authors=("Bonsón, E.", "Torres, L.", "Royo, S.", "Flores, F."),
        year=2012,
        title="Local e-government 2.0: Social media and corporate transparency in municipalities",
        venue="Government Information Quarterly",
        volume="29",
        issue="2",
        pages="123-132",
        doi="10.1016/j.giq.2011.10.001",
    ),
    Reference(
        key="venkatesh2003",
        authors=("Venkatesh, V.", "Morris, M. G.", "Davis, G. B.", "Davis, F. D."),
        year=2003,
        title="User acceptance of information technology: Toward a unified view",
        venue="MIS Quarterly",
        volume="27",
        issue="3",
        pages="425-478",
    ),
)


class _Row(NamedTuple):
    factor_key: str
    key: str
    title: Text
    description: Text
    question: Text
    ref: str
    finding: Text


_FACTORS = (
    Factor(
        "managerial",
        Text("عوامل مدیریتی", "Managerial factors"),
        Text(
            "نگاه، دانش و تصمیم\u200cهای مدیران دستگاه.",
            "The views, knowledge and decisions of managers.",
        ),
        (),
    ),
    Factor(
        "organizational",
        Text("عوامل سازمانی", "Organizational factors"),
        Text(
            "قواعد، ساختار و روال\u200cهای کاری دستگاه.",
            "The agency's rules, structure and routines.",
        ),
        (),
    ),
    Factor(
        "human",
        Text("عوامل انسانی", "Human factors"),
        Text(
            "مهارت، نگرش و تجربه کارکنان و شهروندان.",
            "The skills, attitudes and experience of people.",
        ),
        (),
    ),
    Factor(
        "infrastructural",
        Text("عوامل زیرساختی", "Infrastructural factors"),
        Text(
            "بسترهای فنی، مالی، حقوقی و فرهنگی.",
            "The technical, financial, legal and cultural base.",
        ),
        (),
    ),
)

_SUBFACTORS = (
    _Row(
        "managerial",
        "transparency",
        Text("شفافیت", "Transparency"),
        Text(
            "انتشار آشکار اطلاعات، تصمیم‌ها و عملکرد دستگاه و پاسخ‌گویی به پرسش‌های عمومی.",
            "Openly publishing the agency's information, decisions and performance.",
        ),
        Text(
            "آیا دستگاه شما تصمیم‌ها و عملکرد خود را منظم در رسانه‌های اجتماعی منتشر می‌کند؟",
            "Does your agency regularly publish its decisions and performance on social media?",
        ),
        "bertot2010",
        Text(
            "رسانه‌های اجتماعی با گشودن اطلاعات، فرهنگ گشودگی و مبارزه با فساد را تقویت می‌کنند.",
            "Social media strengthen a culture of openness and anti-corruption.",
        ),
    ),
    _Row(
        "managerial",
        "executive_enforcement",
        Text("ضمانت اجرایی", "Executive enforcement"),
        Text(
            "الزام‌ها و سازوکارهای پیگیری که حضور در رسانه‌های اجتماعی را به تکلیف بدل می‌کنند.",
            "Mandates, directives and follow-up that make social media presence an obligation.",
        ),
        Text(
            "آیا دستورالعملی الزام‌آور با مسئول پیگیری برای حضور دستگاه در رسانه‌های اجتماعی هست؟",
            "Is there a binding directive, with an accountable owner, for the agency's presence?",
        ),
        "mergel2013",
        Text(
            "پذیرش رسانه‌های اجتماعی در دستگاه‌های فدرال پس از دستورالعمل‌های دولت باز شتاب گرفت.",
            "Adoption in federal agencies accelerated after the open government directives.",
        ),
    ),
    _Row(
        "managerial",
        "manager_training",
        Text("آموزش مدیران", "Manager training"),
        Text(
            "آشنا کردن مدیران ارشد و میانی با فرصت‌ها و خطرهای رسانه‌های اجتماعی.",
            "Familiarising senior and middle managers with the opportunities and risks.",
        ),
        Text(
            "آیا مدیران دستگاه در دو سال گذشته دوره‌ای درباره رسانه‌های اجتماعی گذرانده‌اند؟",
            "Have the agency's managers attended a course on social media in the past two years?",
        ),
        "picazo2012",
        Text(
            "درک مدیران از خطرها و منافع رسانه‌های اجتماعی، راهبرد به‌کارگیری آن را شکل می‌دهد.",
            "Managers' understanding of risks and benefits shapes the adoption strategy.",
        ),
    ),
    _Row(
        "managerial",
        "capital_budgeting",
        Text("بودجه‌ریزی سرمایه‌ای", "Capital budgeting"),
        Text(
            "پیش‌بینی اعتبار سرمایه‌ای پایدار برای تجهیزات، نرم‌افزار و نیروی انسانی در بودجه دستگاه.",
            "Planning stable capital funds in the budget for equipment, software and staff.",
        ),
        Text(
            "آیا ردیف بودجه مشخصی برای فعالیت دستگاه در رسانه‌های اجتماعی تصویب شده است؟",
            "Is there an approved budget line for the agency's social media activity?",
        ),
        "criado2013",
        Text(
            "نوآوری دولتی از راه رسانه‌های اجتماعی به سرمایه‌گذاری پایدار نیاز دارد.",
            "Government innovation through social media needs sustained investment.",
        ),
    ),
    _Row(
        "organizational",
        "organizational_policies",
        Text("سیاست‌های سازمانی", "Organizational policies"),
        Text(
            "خط‌مشی‌های مکتوب درباره اینکه چه کسی، چه چیزی و چگونه از طرف دستگاه منتشر می‌کند.",
            "Written policies on who publishes what, and how, on the agency's behalf.",
        ),
        Text(
            "آیا دستگاه خط‌مشی مکتوبی برای استفاده از رسانه‌های اجتماعی دارد؟",
            "Does the agency have a written social media policy?",
        ),
        "bertot2012",
        Text(
            "سیاست‌های موجود درباره امنیت و دسترس‌پذیری، استفاده دولت از رسانه‌ها را هدایت می‌کنند.",
            "Existing policies on security and accessibility guide government use of social media.",
        ),
    ),
    _Row(
        "organizational",
        "organizational_structure_communication",
        Text("ساختار و ارتباطات سازمانی", "Organizational structure and communication"),
        Text(
            "جایگاه واحد رسانه‌های اجتماعی در ساختار دستگاه و هماهنگی آن با روابط عمومی.",
            "Where the social media unit sits and how it coordinates with public relations.",
        ),
        Text(
            "آیا واحد یا فرد مشخصی مسئول رسانه‌های اجتماعی است و با واحدهای دیگر هماهنگ است؟",
            "Is a named unit or person responsible for social media, working with other units?",
        ),
        "mergel_bretschneider2013",
        Text(
            "استفاده از تجربه‌ورزی غیررسمی کارکنان آغاز و با ساختار رسمی نهادینه می‌شود.",
            "Use starts with informal experimentation; formal structures institutionalise it.",
        ),
    ),
    _Row(
        "organizational",
        "organizational_processes",
        Text("فرایندهای سازمانی", "Organizational processes"),
        Text(
            "روال‌های تولید، تأیید و انتشار محتوا و پاسخ به پیام‌های شهروندان.",
            "Routines for producing, approving and publishing content and answering messages.",
        ),
        Text(
            "آیا فرایند مشخصی برای تأیید محتوا و پاسخ به پیام‌ها در زمان معین وجود دارد؟",
            "Is there a defined process for approving content and answering messages in time?",
        ),
        "mergel2013",
        Text(
            "دستگاه‌هایی که روال انتشار و پاسخ‌گویی دارند، برای تعامل از رسانه‌ها استفاده می‌کنند.",
            "Agencies with publishing and response routines use social media for engagement.",
        ),
    ),
    _Row(
        "human",
        "user_training",
        Text("آموزش کاربران", "User training"),
        Text(
            "آموزش کارکنانی که حساب‌های دستگاه را اداره می‌کنند در تولید محتوا و پاسخ‌گویی.",
            "Training the staff who run the agency's accounts in content and responding.",
        ),
        Text(
            "آیا کارکنانی که حساب‌های رسمی را اداره می‌کنند دوره رسمی گذرانده‌اند؟",
            "Have the staff who run the official accounts taken a formal course?",
        ),
        "picazo2012",
        Text(
            "نبود مهارت کارکنان از خطرهای اصلی به‌کارگیری رسانه‌های اجتماعی در بخش عمومی است.",
            "Lack of staff skills is a main risk of social media in the public sector.",
        ),
    ),
    _Row(
        "human",
        "user_resistance",
        Text("مقاومت کاربران", "User resistance"),
        Text(
            "بی‌میلی کارکنان به شیوه‌های تازه ارتباط با مردم، از ترس خطا.",
            "Staff reluctance to adopt new ways of communicating, for fear of mistakes.",
        ),
        Text(
            "آیا کارکنان استفاده از رسانه‌های اجتماعی را بخشی از کار خود می‌پذیرند؟",
            "Do staff accept social media as part of their job?",
        ),
        "venkatesh2003",
        Text(
            "انتظار عملکرد و نفوذ اجتماعی پذیرش فناوری را پیش‌بینی و مقاومت را کم می‌کنند.",
            "Performance expectancy and social influence predict acceptance and lower resistance.",
        ),
    ),
    _Row(
        "human",
        "functionality_usability",
        Text("کارکرد و کاربردپذیری", "Functionality and usability"),
        Text(
            "سودمندی و آسانی استفاده از خدمات ارائه‌شده در رسانه‌های اجتماعی.",
            "How useful and easy to use the services offered on social media are.",
        ),
        Text(
            "آیا خدمات دستگاه در رسانه‌های اجتماعی با چند گام ساده قابل استفاده است؟",
            "Can the agency's services on social media be used in a few simple steps?",
        ),
        "venkatesh2003",
        Text(
            "سودمندی و آسانی استفاده، پذیرش فناوری اطلاعات را تقویت می‌کند.",
            "Usefulness and ease of use strengthen the acceptance of information technology.",
        ),
    ),
    _Row(
        "human",
        "citizen_experience",
        Text("تجربه شهروندان", "Citizen experience"),
        Text(
            "برداشت شهروندان از سرعت و کیفیت ارائه خدمات دستگاه در رسانه‌های اجتماعی.",
            "Citizens' perception of the speed and quality of service delivery on social media.",
        ),
        Text(
            "آیا دستگاه رضایت شهروندان از پاسخ‌های خود را می‌سنجد؟",
            "Does the agency measure citizens' satisfaction with its replies?",
        ),
        "bonson2012",
        Text(
            "شهرداری‌های فعال‌تر در رسانه‌های اجتماعی مشارکت شهروندان بیشتری جلب می‌کنند.",
            "More active municipalities draw more citizen engagement and participation.",
        ),
    ),
    _Row(
        "infrastructural",
        "technical_infrastructure",
        Text("زیرساخت فنی", "Technical infrastructure"),
        Text(
            "اینترنت پایدار، تجهیزات و امنیت حساب‌ها.",
            "Reliable internet, equipment and account security.",
        ),
        Text(
            "آیا دستگاه به اینترنت پایدار و تجهیزات مناسب دسترسی دارد؟",
            "Does the agency have reliable internet and suitable equipment?",
        ),
        "picazo2012",
        Text(
            "خطرهای امنیتی و فنی از نگرانی‌های اصلی دستگاه‌های دولتی است.",
            "Security and technical risks are among agencies' main concerns.",
        ),
    ),
    _Row(
        "infrastructural",
        "financial_infrastructure",
        Text("زیرساخت مالی", "Financial infrastructure"),
        Text(
            "منابع مالی جاری برای تولید محتوا، نیروی انسانی و نگهداری، جدا از بودجه سرمایه‌ای.",
            "Running funds for content, staff and maintenance, apart from the capital budget.",
        ),
        Text(
            "آیا هزینه‌های جاری فعالیت در رسانه‌های اجتماعی از منابع پایدار تأمین می‌شود؟",
            "Are the running costs of social media activity met from stable resources?",
        ),
        "criado2013",
        Text(
            "کمبود منابع مالی از موانع نوآوری دولتی از راه رسانه‌های اجتماعی است.",
            "Scarce financial resources hold back government innovation through social media.",
        ),
    ),
    _Row(
        "infrastructural",
        "legal_infrastructure",
        Text("زیرساخت حقوقی", "Legal infrastructure"),
        Text(
            "قوانین روشن درباره حریم خصوصی، مالکیت داده و مسئولیت محتوا.",
            "Clear laws on privacy, data ownership and liability for content.",
        ),
        Text(
            "آیا چارچوب حقوقی روشنی برای ارائه خدمات در رسانه‌های اجتماعی وجود دارد؟",
            "Is there a clear legal framework for delivering services on social media?",
        ),
        "bertot2012",
        Text(
            "قوانین حریم خصوصی و نگهداری سوابق، شیوه استفاده دولت از رسانه‌ها را شکل می‌دهند.",
            "Laws on privacy and records retention shape how government uses social media.",
        ),
    ),
    _Row(
        "infrastructural",
        "specialized_infrastructure",
        Text("زیرساخت تخصصی", "Specialized infrastructure"),
        Text(
            "نیروی متخصص و ابزارهای حرفه‌ای برای تحلیل داده‌ها و پایش بازخورد.",
            "Specialist staff and professional tools for analytics and feedback monitoring.",
        ),
        Text(
            "آیا دستگاه متخصص تولید محتوا و تحلیل داده در اختیار دارد؟",
            "Does the agency have specialists in content production and analytics?",
        ),
        "mergel2013",
        Text(
            "سنجش اثر رسانه‌های اجتماعی به ابزارها و مهارت‌های تحلیلی تخصصی نیاز دارد.",
            "Measuring the impact of social media needs specialised analytical tools and skills.",
        ),
    ),
    _Row(
        "infrastructural",
        "cultural_infrastructure",
        Text("زیرساخت فرهنگی", "Cultural infrastructure"),
        Text(
            "آمادگی فرهنگی مردم و کارکنان برای گفت‌وگوی آزاد، پذیرش نقد و اعتماد متقابل.",
            "Cultural readiness of citizens and staff for open dialogue and mutual trust.",
        ),
        Text(
            "آیا فضای دستگاه از گفت‌وگوی آزاد و پذیرش نقد استقبال می‌کند؟",
            "Does the agency welcome open dialogue and criticism?",
        ),
        "bertot2010",
        Text(
            "اعتماد در رسانه‌های اجتماعی به فرهنگ گشودگی در دولت و جامعه بستگی دارد.",
            "Trust on social media depends on a culture of openness in government and society.",
        ),
    ),
)


def _step(row: _Row) -> Step:
    return Step(
        f"{row.key}_step",
        Text(
            "یک گام اقدام مشخص با مسئول و زمان‌بندی تعریف کنید.",
            "Define one concrete action step with an owner and a deadline.",
        ),
        (row.ref,),
        "head_of_agency",
        Horizon.D30,
    )


def _advice(row: _Row) -> Advice:
    title = row.title
    low = Text(f"تقویت {title.fa} را در اولویت بگذارید.", f"Prioritise {title.en.lower()}.")
    high = Text(f"{title.fa} در دستگاه شما پیشران است؛ آن را حفظ کنید.", "Keep this driver.")
    return Advice(
        tuple(
            BandAdvice(band, low if band in ("absent", "started") else high, (f"{row.key}_step",))
            for band in _BANDS
        )
    )


_BANDS = ("absent", "started", "partly", "established")


def _subfactor(row: _Row) -> SubFactor:
    return SubFactor(
        key=row.key,
        factor_key=row.factor_key,
        title=row.title,
        description=row.description,
        baseline=Effect.OBSTACLE,
        weight=1.0,
        questions=(Question(f"{row.key}.q1", row.question, 1.0, QuestionSet.CORE),),
        evidence=(Evidence(row.ref, row.finding, EvidenceEffect.DRIVER),),
        advice=_advice(row),
    )


def _stage(key: str, fa: str, en: str) -> Stage:
    return Stage(key, Text(fa, en), Text(fa, en))


def make_search_kb() -> KnowledgeBase:
    """A KB with the real 4 factors and 16 sub-factors, one question and finding each."""
    labels = (
        ("وجود ندارد", "Not in place"),
        ("در حد برنامه", "Planned"),
        ("تا حدودی", "Partly"),
        ("تا حد زیادی", "Largely"),
        ("به‌طور کامل", "Fully"),
    )
    return KnowledgeBase(
        scale=Scale(
            options=tuple(ScaleOption(i, Text(*label)) for i, label in enumerate(labels)),
            dont_know=Text("نمی‌دانم", "Don't know"),
        ),
        driver_threshold=0.5,
        stages=(_stage("experimentation", "تجربه‌ورزی غیررسمی", "Experimentation"),),
        profile=ProfileOptions(
            sectors=(Choice("health", Text("سلامت", "Health")),),
            regions=(Choice("tehran", Text("تهران", "Tehran")),),
            roles=(Choice("manager", Text("مدیر", "Manager")),),
        ),
        factors=tuple(
            replace(
                f, subfactors=tuple(_subfactor(r) for r in _SUBFACTORS if r.factor_key == f.key)
            )
            for f in _FACTORS
        ),
        references=REFERENCES,
        bands=tuple(
            Band(key, minimum, Text(key, key))
            for key, minimum in zip(_BANDS, (0.0, 25.0, 50.0, 75.0), strict=True)
        ),
        owners=(Owner("head_of_agency", Text("رئیس سازمان", "Head of agency")),),
        steps=tuple(_step(row) for row in _SUBFACTORS),
    )
