"""What a message asks, read from its own cues: the one place that decides it.

Two questions are answered here, both from the words people write and the
entities the NLU found, never from classifier intents that differ by a word:

- ``exercise_question``: steps, why, pictures, or one detail (reps, hold,
  support, other side) of an exercise. A named exercise with no other cue gets its
  steps; "and the hip one?" keeps the question asked before.
- ``route``: which intent a message should carry when its words say more
  than the classifier did: a physical-therapy story (a body area or
  condition with pain words) gets the back-pain answer or an offer to be
  assessed instead of a fallback; a bare ZIP or town finds clinics; "appt"
  books; rescheduling and cost questions go to the front desk.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from clinic.content import get_content

STEPS, WHY, PICTURES = "steps", "why", "pictures"
DETAILS = ("support", "hold", "reps", "other_side")

# The intents ``route`` may produce.
ASK_EXERCISE = "ask_exercise"
ASK_BACK_PAIN_HELP = "ask_back_pain_help"
ASK_PT_CONCERN = "ask_pt_concern"
FIND_CLINIC = "find_clinic"
REQUEST_APPOINTMENT = "request_appointment"
REQUEST_RESCHEDULE = "request_reschedule"
ASK_COST = "ask_cost"
REQUEST_HUMAN = "request_human"
NLU_FALLBACK = "nlu_fallback"

# Below this classifier confidence the message would become nlu_fallback.
UNSURE = 0.4
# The classifier's word is kept for these whatever the cues say, unless it is
# unsure: triage belongs to the red-flag rules (which run after this and still
# have the last word), and the rest already name what the person wants.
EXERCISE_PAIN = "report_exercise_pain"
KEPT = frozenset({"report_red_flag", "retract_red_flag", REQUEST_HUMAN, EXERCISE_PAIN})
# Intents that say nothing about a health problem: a message with physical-
# therapy words that the classifier put here was misread.
SMALL_TALK = frozenset(
    {
        NLU_FALLBACK,
        "out_of_scope",
        "inform",
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "ask_capabilities",
        "ask_why_info",
        "ask_next_step",
    }
)
# The topic (data/content/topics.yml) for problems the article does not cover;
# any other condition key is one of the article's own topics.
ASSESSMENT_TOPIC = "pt_assessment"
# Body areas the clinic article's back-pain answer is about.
BACK_AREAS = frozenset({"back", "hip"})


def _cue(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(patterns), re.IGNORECASE)


WHY_CUE = _cue(
    r"\bwhy\b",
    r"^y\b",
    r"\bwhats? the (point|reason|benefit)",
    r"\breasons?\b",
    r"\bpoint of\b",
    r"\bbenefits?\b",
    r"\bpurpose\b",
    r"\bconnect",
    r"\brelat(ed|es?|ion)",
    r"\bhave to do with\b",
    r"\bmatters?\b",
    r"\bgood for\b",
    r"\bwhat does .{0,40}\bdo for\b",
    r"\bhow (does|do|will|would|can|could|is|are)\b.{0,40}\b(help|helps|affect|affects|work|works)\b",
    r"\b(help|helps|affect|affects|make|makes)\b.{0,25}\b(back|pain)\b",
)
DETAIL_CUES = {
    "support": _cue(
        r"\bhold (on ?to|onto)\b",
        r"\bwhat (can|do|should|does) (i|you|she|he|they) (use|lean|hold)\b",
        r"\bsteady\b",
        r"\bequipment\b",
        r"\b(band|weights?|mat)\b",
        r"\blean (on|against)\b",
        r"\b(sofa|couch|counter|wall)\b",
        r"\bkind of chair\b",
        r"\bneeds? (a|any) chair\b",
        r"\bchair (ok|okay|fine)\b",
        r"\bsupport\b",
    ),
    "hold": _cue(
        r"\bhow long\b",
        r"\bseconds?\b",
        r"\bsecs?\b",
        r"\bhold(ing)? (it|the|each|for|my|time)\b",
        r"\bhold\b\s*\??$",
        r"\bstay\b",
        r"\blet go\b",
    ),
    "reps": _cue(
        r"\bhow (many|often)\b",
        r"\bhw many\b",
        r"\breps?\b",
        r"\brepetitions?\b",
        r"\bsets?\b",
        r"\bnumber of\b",
        r"\b\d+ (or|each)\b",
        r"\bis it \d+\b",
    ),
    "other_side": _cue(
        r"\bother (leg|side|one)\b",
        r"\bboth (legs|sides)\b",
        r"\b(left|right) (leg|side)\b",
        r"\bswitch",
        r"\bswap",
        r"\bwhich (side|leg)\b",
        r"\beach side\b",
    ),
}
# "is there a picture of the hip kick?", "what does it look like?"; not the
# person's own photo ("can I send a picture of my knee?").
PICTURES_CUE = _cue(
    r"(?<!\bsend )(?<!\bsend you )(?<!\bupload )(?<!\bmy )\b(pictures?|pics?|photos?|images?|drawings?|"
    r"diagrams?|illustrations?|videos?|visuals?)\b(?! of my\b)",
    r"\bwhat (does|do) (it|they|that|this) look like\b",
)
STEPS_CUE = _cue(
    r"\bhow (do|to|should|can|would|2)\b",
    r"\bhw\b",
    r"\bsteps?\b",
    r"\binstructions?\b",
    r"\bdirections\b",
    r"\bshow me\b",
    r"\bteach\b",
    r"\bwalk me\b",
    r"\bexplain\b",
)
# Words of someone doing an exercise ("it hurts when I do it", "the stretch hurts").
EXERCISING_CUE = _cue(
    r"\b(exercis\w*|workouts?|stretch\w*|kicks?|kicking|reps?|sets?)\b",
    r"\b(do|did|doing|does|try|tried|trying) (it|this|that|them|these|those|one|the)\b",
    r"\b(when|while|after|during) (i )?(do|did|doing|try|trying)\b",
)
# "can I still do the stretch with a sore knee?": whether to do an exercise.
DOING_CUE = _cue(r"\b(can|should|could|may|do) (i|you|we) (still |even |keep )?(do|doing|try|start)\b")
FOLLOW_UP_CUE = _cue(
    r"^(and|what about|how about|same for|ok|okay|now)\b", r"\binstead\b", r"\b(then|now)\W*$"
)
REFERS_BACK_CUE = _cue(r"\b(this|that|it|these|those|them)\b")
PAIN_CUE = _cue(
    r"\b(hurts?|hurting|hurted|pain(s|ful)?|aches?|ached|aching|sore(ness)?|stiff(ness)?|tight(ness)?)\b",
    r"\b(injur(y|ed|ies)|sprain(ed)?|strain(ed)?|pulled|twisted|swollen|swelling|tender(ness)?)\b",
    r"\b(numb(ness)?|tingling|weak(ness)?|can'?t (move|walk|bend|lift)|popp(ed|ing)|click(s|ing)?)\b",
)
BOOK_CUE = _cue(
    r"\b(appt|appts|appointments?|book(ing)?|schedul(e|ing)|evaluation|eval)\b",
    r"\b(get|be) seen\b",
    r"\bsee (a|someone|somebody|a therapist|a pt|you)\b",
    r"\bcome in\b",
)
RESCHEDULE_CUE = _cue(
    r"\bre-?schedul",
    r"\b(new|different|another) (time|date|day)\b.{0,30}\b(appt|appointment|visit|session|booking)\b",
    r"\b(change|move|cancel|push back|postpone)\b.{0,20}\b(appt|appointment|visit|session|booking)\b",
    r"\b(appt|appointment|visit|session)\b.{0,20}\b(change|move|cancel|another day|different (day|time))\b",
)
COST_CUE = _cue(
    r"\b(insurance|insured|copay|co-pay|deductible|medicare|medicaid|out of pocket|self-?pay)\b",
    r"\b(cost|costs|price|prices|pricing|fee|fees|charge|charges|afford|billing)\b",
    r"\bhow much (is|does|do|will|for)\b(?!.{0,30}\b(hold|stretch|kick|mg|take|ibuprofen|tylenol|advil)\b)",
    r"\b(accept|take) (my )?(insurance|aetna|cigna|blue ?cross|united|kaiser)\b",
)
MEDICATION_CUE = _cue(
    r"\b(medicines?|medications?|meds|pills?|tablets?|doses?|dosage|mg|prescri\w*|drugs?|painkillers?)\b",
    r"\b(ibuprofen|tylenol|advil|aleve|motrin|naproxen|paracetamol|acetaminophen|aspirin|gabapentin)\b",
    r"\b(supplements?|vitamins?|creams?|gel|injections?|shots?|steroids?|cortisone|opioids?|muscle relaxers?)\b",
)
# Words of someone asking for a person ("can someone call me", "agent pls"); "can a
# mallet finger be permanent?" has none, whatever the classifier heard in its "can ...",
# nor "can a person with a spinal injury walk?".
HUMAN_CUE = _cue(
    r"\b(person|people|human|someone|somebody)\b(?! (with|who|that|having|suffering)\b)",
    r"\b(staff|agent|operator|representative|receptionist)\b",
    r"\b(front desk|customer service|transfer|callback|call|calls|ring|speak|talk|contact|text me)\b",
    r"\b(real|therapist|pt|bot|machine)\b",
)
# What a question about a problem asks, first match wins (``problem_question``).
PROBLEM_QUESTION_CUES = (
    (
        "exercises",
        _cue(
            r"\b(which|what|any|best|good|recommend\w*|safe)\b.{0,30}\b(exercises?|stretch(es)?|workouts?)\b",
            r"\b(exercises?|stretch(es)?)\b.{0,20}\b(for|to help|help|to fix|to ease)\b",
        ),
    ),
    (
        "outlook",
        _cue(
            r"\b(go away|goes away|heal(s|ed|ing)?|cur(e|ed|able)|permanent(ly)?|recover(y|ed)?|get better|"
            r"gets better|go back|reversed?|revers(e|ible)|prognosis|outlook|normal again|walk again|"
            r"run again|how long)\b",
        ),
    ),
    (
        "cause",
        _cue(
            r"\b(what|which)\b.{0,15}\b(causes?|caused|causing)\b",
            r"\bcaus(e|es|ed|ing)\b",
            r"\bwhy (do|does|is|am|are|would|did|has|have)\b",
            r"\bwhat (is|could|might) (it|this|that|be)\b",
            r"\bwhat('s| is) wrong\b",
        ),
    ),
)
NOT_BOOKING_CUE = _cue(r"\b(don'?t|do not|not|no longer|anymore|cancel|never mind|nevermind)\b")
LOCATION_CUE = _cue(
    r"\b(live|living|near|nearest|closest|close to|around|what about|how about|in|at|by|zip|zipcode)\b"
)
# Words of someone looking for a clinic, when no place is named ("clinics near me").
CLINIC_SEARCH_CUE = _cue(
    r"\b(clinics?|offices?|locations?|branch(es)?|near|nearest|closest|nearby|where)\b", r"\bnear me\b"
)
PLACES = frozenset({"zip_code", "town", "clinic"})


@dataclass(frozen=True)
class Entity:
    """An entity the NLU found: its type, the content key (pattern id) if any, the words matched."""

    type: str
    key: str | None = None
    text: str | None = None


def exercise_question(
    text: str, names_exercise: bool, last_question: str | None = None, has_context: bool = False
) -> str:
    """steps, why, pictures, or one detail, from the message's cues.

    A named exercise with no cue gets its steps, unless the message only
    switches exercise ("and the hip one?") or answers "which exercise?" (no
    exercise under discussion yet): then the question asked before stands.
    """
    if PICTURES_CUE.search(text):
        return PICTURES
    if WHY_CUE.search(text):
        return WHY
    for kind in DETAILS:
        if DETAIL_CUES[kind].search(text):
            return kind
    if STEPS_CUE.search(text):
        return STEPS
    if names_exercise:
        keeps_question = is_follow_up(text) or not has_context
        return last_question if last_question and keeps_question else STEPS
    return last_question or STEPS


def is_follow_up(text: str) -> bool:
    """ "and the hip one?", "the stretch instead": the same question about another exercise."""
    return bool(FOLLOW_UP_CUE.search(text.strip()))


def refers_back(text: str) -> bool:
    """ "why does this help?": the message points at what was just discussed."""
    return bool(REFERS_BACK_CUE.search(text))


def asks_for_pictures(text: str) -> bool:
    return bool(PICTURES_CUE.search(text))


def asks_why(text: str) -> bool:
    return bool(WHY_CUE.search(text))


def reports_pain(text: str) -> bool:
    return bool(PAIN_CUE.search(text))


def asks_about_an_exercise(text: str) -> bool:
    """The message asks for steps, a reason, pictures or a detail of an exercise, or whether to do one."""
    cues = (STEPS_CUE, WHY_CUE, PICTURES_CUE, DOING_CUE, *DETAIL_CUES.values())
    return any(cue.search(text) for cue in cues)


def names_exercise(text: str, entities: Collection[Entity]) -> bool:
    """An exercise entity names an exercise here. A bare word ("stretch", "kick",
    "hamstring") does only in a very short message or a short one asking about an
    exercise, not in a story ("a stretching feeling behind my knee since my fall")."""
    found = [e for e in entities if e.type == "exercise"]
    if not found:
        return False
    words = len(text.split())
    asking = words <= FOLLOW_UP_WORDS or asks_about_an_exercise(text)
    loose = words > STORY_WORDS or not asking
    content = get_content()
    return any(not (loose and content.is_bare_alias(e.text)) for e in found)


def problem_question(text: str) -> str | None:
    """What a question about a problem asks: "exercises" for it, its "outlook" (will it
    heal, how long), its "cause", or None."""
    for kind, cue in PROBLEM_QUESTION_CUES:
        if cue.search(text):
            return kind
    return None


def exercise_areas() -> frozenset[str]:
    """The body areas the article's exercises are for, its back-pain answer included."""
    return BACK_AREAS | {part for e in get_content().exercises.values() for part in e.body_parts}


def is_back_concern(areas: Collection[str], conditions: Collection[str]) -> bool:
    """Back or hip trouble with no condition outside the article: the back-pain answer fits."""
    return bool(areas) and set(areas) <= BACK_AREAS and not conditions


# Classifier intents that leave a question about a musculoskeletal problem unanswered.
UNANSWERED = frozenset({NLU_FALLBACK, "out_of_scope", "ask_capabilities", ASK_EXERCISE, "ask_medication"})
NAMED = frozenset({"exercise", "body_part", "condition", *PLACES})
# A short message pointing back ("how long do I hold it?") asks about what was just
# discussed; a longer one has its own subject ("... a procedure to put it back?").
FOLLOW_UP_WORDS = 8
# Longer than this, a message tells a story rather than asking one short question.
STORY_WORDS = 30


def unplaced_problem(text: str, intent: str | None, confidence: float, entities: Collection[Entity]) -> bool:
    """A question about a musculoskeletal problem that no content entity names ("how
    bad can a bunion get?", "does damaged cartilage heal on its own?"), which the classifier
    could not place. The caller knows it is one (the triage's physical-therapy words);
    this says the classifier's answer would leave it unanswered."""
    if {e.type for e in entities} & NAMED or (refers_back(text) and len(text.split()) <= FOLLOW_UP_WORDS):
        return False
    if intent == "ask_medication":
        return not MEDICATION_CUE.search(text)
    if intent == REQUEST_HUMAN:
        return not HUMAN_CUE.search(text)
    return intent in UNANSWERED or confidence < UNSURE


def route(text: str, intent: str | None, confidence: float, entities: Collection[Entity]) -> str | None:
    """The intent the message's words call for, or None to keep the classifier's."""
    asks_for_no_one = intent == REQUEST_HUMAN and not HUMAN_CUE.search(text)
    # "my hip is very painful and the doctors found nothing": pain, but from no exercise
    pain_without_exercise = (
        intent == EXERCISE_PAIN
        and not EXERCISING_CUE.search(text)
        and not any(e.type == "exercise" for e in entities)
    )
    misheard = asks_for_no_one or pain_without_exercise
    if intent in KEPT and confidence >= UNSURE and not misheard:
        return None
    unsure = confidence < UNSURE or intent in SMALL_TALK or intent is None or misheard
    if intent == "ask_medication" and not MEDICATION_CUE.search(text):
        unsure = True  # no medicine named: the deflection alone would not answer it
    if intent == ASK_COST and not COST_CUE.search(text):
        unsure = True  # "is there a procedure for it?": no price or insurance asked
    types = {e.type for e in entities}
    words = len(text.split())
    if RESCHEDULE_CUE.search(text):
        return REQUEST_RESCHEDULE
    # A long story that mentions insurance in passing ("I have no insurance, so
    # how can I ease the pain?") asks something else, unless the classifier heard a price question.
    if COST_CUE.search(text) and (words <= STORY_WORDS or intent == ASK_COST):
        return ASK_COST
    exercise_named = names_exercise(text, entities)
    # "a stretching feeling after my fall": a bare exercise word the classifier took at its word
    exercise_misread = intent == ASK_EXERCISE and "exercise" in types and not exercise_named
    areas = {e.key for e in entities if e.type == "body_part" and e.key}
    conditions = {e.key for e in entities if e.type == "condition" and e.key}
    health_words = bool(areas or conditions)
    if (
        BOOK_CUE.search(text)
        and not NOT_BOOKING_CUE.search(text)
        and intent != "cancel"
        and words <= 12
        and not exercise_named
        and (unsure or intent in {ASK_BACK_PAIN_HELP, "ask_diagnosis", "ask_condition_info"})
    ):
        return REQUEST_APPOINTMENT
    if types & PLACES and not (health_words or exercise_named):
        # "inform" is an answer to a form's question; outside a form the
        # fallback action shows the clinics for it (actions/fallback_actions.py).
        if intent in {
            "ask_clinic_hours",
            "ask_clinic_phone",
            "ask_clinic_address",
            REQUEST_APPOINTMENT,
            "inform",
        }:
            return None
        if unsure and (words <= 4 or (LOCATION_CUE.search(text) and intent != "out_of_scope")):
            return FIND_CLINIC
        return None
    if exercise_named:
        return ASK_EXERCISE if unsure or asks_for_pictures(text) else None
    if asks_for_pictures(text) and not health_words:
        return ASK_EXERCISE  # "show me a picture": of the exercise under discussion
    if not health_words:
        # A price or insurance answer to a message that asks neither helps no one, nor
        # a person's number to a message that asks for no one.
        return NLU_FALLBACK if intent == ASK_COST or asks_for_no_one else None
    if intent == "inform" and not (words > 10 and (reports_pain(text) or conditions)):
        return None  # "my lower back": an answer to the intake form's question
    story = reports_pain(text) and words > 3 and not (intent == ASK_EXERCISE and asks_why(text))
    misread = (
        unsure
        or (story and intent in {ASK_EXERCISE, ASK_BACK_PAIN_HELP, ASK_PT_CONCERN, "ask_condition_info"})
        # "what happens if tennis elbow is left untreated?": no exercise to explain
        or (intent == ASK_EXERCISE and bool(conditions))
        or exercise_misread
        # "how long does drop foot go on?": no exercise here is for that area
        or (intent == ASK_EXERCISE and bool(areas) and not areas & exercise_areas())
        # "27 year old, may have osteoarthritis": no place and no clinic sought
        or (intent == FIND_CLINIC and not types & PLACES and not CLINIC_SEARCH_CUE.search(text))
    )
    if not misread or (intent == "ask_condition_info" and conditions):
        return None
    if conditions - {ASSESSMENT_TOPIC}:
        return None if intent == "ask_condition_info" else "ask_condition_info"
    chosen = ASK_BACK_PAIN_HELP if is_back_concern(areas, conditions) else ASK_PT_CONCERN
    # The same intent as the classifier's still needs saying when it was unsure:
    # the fallback classifier would otherwise turn it into "didn't catch that".
    return None if chosen == intent and not unsure else chosen
