"""What a caller (or a persona) did in a line, recognised from normalised wording.

These are the observations the rubric weighs: a stated reason for the call, something given before
asking, entitlement, a feature dump, an objection, an acknowledgement, a canned rebuttal, a concrete
proposal for the next contact, a passive hand-off. Phrases are written normalised (lower case, no
apostrophes: "ill" is "I'll"), so they match typed and transcribed speech alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.scoring.language import (
    contains_phrase,
    find_phrases,
    find_questions,
    persona_questions,
    research_mentions,
    words,
)
from simulator.transcript import Transcript

REASON_PHRASES = (
    "reason im calling", "reason i am calling", "reason for my call", "reason for the call", "reason i called",
    "reason i rang", "im calling because", "im calling about", "im calling to", "i am calling because",
    "i am calling about", "calling because", "calling about", "the reason", "i noticed", "i saw that",
    "i read that", "i read about", "i see that", "we help", "we work with", "its about", "its regarding",
    "regarding your", "i wanted to share", "i wanted to offer", "i have something", "ive got something",
)  # fmt: skip

# Giving before asking: an insight, a benchmark, an introduction that helps whether or not they buy.
GIVE_STRONG = (
    "benchmark", "benchmarks", "benchmarked", "we found", "weve found", "we measured", "weve seen", "we saw",
    "our data", "the data", "study", "analysis", "we analysed", "we analyzed", "introduce you", "introduction",
    "compared", "comparison", "percent", "case study", "one thing we learned", "peers",
)  # fmt: skip
GIVE_SOFT = (
    "happy to share", "glad to share", "can share", "could share", "i share", "share that", "share it",
    "share the findings", "i can send", "insight", "idea", "ideas", "whether or not",
    "either way", "regardless", "no strings", "no obligation", "for free", "worth knowing", "useful for you",
    "might help", "could help you", "other companies", "companies like yours", "teams like yours",
)  # fmt: skip
BENEFIT_WORDS = (
    "save", "saves", "saving", "savings", "reduce", "reduced", "reduces", "cut", "cuts", "lower", "fewer",
    "faster", "avoid", "grow", "increase", "protect", "free up", "less time", "more time", "margin",
    "margins", "risk", "costs", "on time",
)  # fmt: skip
ENTITLEMENT = (
    "just need five minutes", "just need two minutes", "just need a minute", "just need a few minutes",
    "need five minutes", "need two minutes", "i just need", "put me through", "put me thru",
    "patch me through", "transfer me", "connect me", "direct line", "direct number", "direct dial",
    "cell number", "mobile number", "cell phone", "her email", "his email", "email address",
    "give me her", "give me his", "i need to speak", "i need to talk", "i have to speak", "let me speak",
    "let me talk", "she will want to", "shell want to", "hell want to", "he will want to", "its urgent",
    "i insist", "just put", "only take a minute", "wont take long", "she needs to hear", "he needs to hear",
)  # fmt: skip
FEATURE_WORDS = (
    "platform", "feature", "features", "module", "modules", "dashboard", "dashboards", "integrates",
    "integration", "integrations", "api", "ai", "powered", "automated", "automation", "real time",
    "realtime", "cloud", "analytics", "reporting", "workflow", "workflows", "plugin", "seamless",
    "end to end", "solution", "suite", "functionality", "customizable", "customisable", "best in class",
    "cutting edge", "state of the art", "mobile app", "single pane",
)  # fmt: skip
SELF_WORDS = frozenset({"i", "we", "our", "ours", "us", "my", "me", "im", "were", "weve", "ive", "id", "ill"})
OTHER_WORDS = frozenset({"you", "your", "yours", "youre", "youve", "youll", "youd"})

OBJECTIONS = (
    "not interested", "no interest", "we already have", "already have", "already use", "already work with",
    "happy with", "no budget", "dont have budget", "dont have the budget", "send me an email",
    "send an email", "send me something", "email me", "just email", "shes busy", "hes busy",
    "in a meeting", "not available", "doesnt take", "dont take", "cold calls", "sales calls",
    "not a good time", "bad time", "no time", "dont have time", "not the right person", "too expensive",
    "no thanks", "no thank you", "not right now", "all set", "not a priority", "i dont think so",
    "not looking", "we handle that", "we do that in house", "doesnt take calls", "cant put you through",
    "busy", "swamped", "back to back", "in meetings", "tied up", "not taking calls", "wont take",
    "cant give", "dont give", "not sure we need", "we built our own", "in house", "have something already",
)  # fmt: skip
ACKNOWLEDGEMENTS = (
    "understand", "understood", "fair", "makes sense", "hear you", "totally", "of course", "no problem",
    "thats fine", "got it", "appreciate", "completely", "i get", "sounds like", "good point", "absolutely",
    "respect", "that helps", "sorry", "thanks for", "thank you for", "i see", "thats helpful", "good to know",
    "glad", "no worries", "totally fair", "i know",
)  # fmt: skip
CANNED_REBUTTALS = (
    "i understand but", "i understand however", "i completely understand but", "i totally understand but",
    "thats exactly why", "thats exactly what", "thats why im calling", "most of our clients said",
    "most of my clients", "a lot of people tell me", "i hear that a lot", "i hear that all the time",
    "if i could show you", "what if i told you", "dont you want", "wouldnt you agree", "felt the same way",
    "fair enough but", "i totally get that but", "im sure you", "you owe it to",
    "everyone says that", "thats what everyone says", "trust me",
)  # fmt: skip
ANSWER_STARTS = frozenset(
    {"yes", "yeah", "yep", "no", "nope", "not", "sure", "absolutely", "actually", "honestly", "correct",
     "right", "both", "neither", "depends", "maybe", "probably", "definitely", "certainly", "mostly",
     "partly", "fine", "good", "great", "of", "course", "indeed", "exactly"}
)  # fmt: skip
# Questions about what the call is for: the answer has to say it (a reason, research, or something
# new about the topic). "Put me through" or "Is Daniel around?" ignores them.
PURPOSE_QUESTIONS = (
    "what do you need", "what do you want", "whats the idea", "what is the idea", "what is it",
    "whats it about", "what is this about", "whats this about", "what is it about", "regarding", "purpose",
    "in reference to", "why are you calling", "what are you calling about", "whats this for", "what for",
)  # fmt: skip
# Open invitations to talk: any reply that offers something takes them up, except a bare demand.
INVITATIONS = (
    "help you", "do for you", "i help", "can i help", "may i help", "how are you", "hello", "in mind",
    "on your mind", "go on", "go ahead", "whats up", "what can i do", "hows it going", "how is it going",
)  # fmt: skip

DAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "mondays",
     "tuesdays", "wednesdays", "thursdays", "fridays", "tonight"}
)  # fmt: skip
# "today" alone is small talk ("how are you today?"); it names a day only in a proposal's words.
DAY_PHRASES = (
    "next week", "this week", "end of the week", "later today", "this afternoon", "this evening", "first thing",
    "today at", "today or", "call today", "talk today", "speak today", "meet today", "free today",
    "today works", "today work",
)  # fmt: skip
TIME_WORDS = frozenset({"am", "pm", "oclock", "noon", "morning", "afternoon", "evening", "midday"})
NUMBER_WORDS = frozenset(
    {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
     "fifteen", "twenty", "thirty", "forty", "fortyfive", "half", "quarter"}
)  # fmt: skip
DURATION_UNITS = frozenset({"minute", "minutes", "min", "mins", "hour"})
FORMATS = frozenset(
    {"call", "video", "zoom", "teams", "meeting", "coffee", "demo", "invite", "calendar", "walkthrough",
     "chat", "meet", "session", "webex"}
)  # fmt: skip
PROPOSAL_PHRASES = (
    "how about", "would", "could we", "can we", "lets", "shall we", "does", "works for", "are you free",
    "is she free", "is he free", "i could do", "how does", "what about", "book", "put in", "pencil",
    "suggest", "propose",
)  # fmt: skip
# Saying yes to a next contact: these commit to it wherever they come...
AGREEMENTS = (
    "that works", "works for me", "works", "lets do", "i can do", "put it in", "book it", "send the invite",
    "send me the invite", "send an invite", "shes free", "hes free", "try her", "try him", "call back",
    "fine by me", "see you", "thats booked", "youre booked", "its booked", "ive booked", "put that in",
    "in his diary", "in her diary", "in my diary", "in the diary", "in his calendar", "in her calendar",
    "send you an invite", "looking forward", "talk then", "speak then", "sounds good",
)  # fmt: skip
# ...these only right after the proposal, and not when they just let the caller go on talking.
SOFT_AGREEMENTS = (
    "sure", "okay", "ok", "fine", "yes", "yeah", "go ahead", "alright", "all right", "perfect", "deal",
    "lovely", "great", "done",
)  # fmt: skip
GO_ON = (
    "go on", "youve got", "you have", "make it quick", "be quick", "keep it short", "im listening",
    "quickly", "briefly", "in a nutshell", "what is it", "whats it about", "whats this about",
)  # fmt: skip
REFUSALS = (
    "doesnt work", "cant do", "not interested", "wont work", "not possible", "no thanks", "no thank you",
    "dont think", "not sure", "why would i", "why should i", "never", "no way", "not for me", "not going to",
)  # fmt: skip
# Words that turn a yes into a no or a counter-offer: "Sure, but she's away Thursday", "Friday instead".
_BUT_NOT = frozenset(
    {"not", "no", "cant", "cannot", "wont", "isnt", "doesnt", "dont", "away", "instead", "unless", "but", "out",
     "off", "busy", "booked", "full", "meeting", "meetings", "travelling", "traveling", "holiday", "leave"}
)  # fmt: skip
# When a follow-up happens, said without a day or clock time: "I'll send the invite now".
FOLLOW_UP_WHEN = (
    "now", "today", "this afternoon", "this morning", "this evening", "tonight", "right after", "straight after",
    "right away", "straight away", "end of the day", "end of day", "within the hour", "shortly",
)  # fmt: skip
FOLLOW_UPS = (
    "ill call", "i will call", "ill ring", "ill send", "i will send", "ill follow up", "i will follow up",
    "ill email", "ill reach out", "ill be in touch", "ill get back", "ill put", "ill book", "ill try",
    "ill phone", "ill give her a call", "ill give him a call", "ill give you a call", "youll get",
    "ill have", "ill set up", "ill forward", "ill pass",
)  # fmt: skip
PASSIVE = (
    "reach out if", "get back to me", "let me know if", "if youre interested", "if interested",
    "if it sounds", "if youd like", "give me a call", "call me if", "feel free", "sometime", "some time",
    "at some point", "whenever", "down the road", "in the future", "have a look", "take a look",
    "keep me in mind", "ill email you", "send you some information", "send you some info",
    "send some information", "maybe we can", "hopefully we can", "if you ever", "my number is",
)  # fmt: skip
NAME_ASKS = (
    "who is the right person", "whos the right person", "who handles", "who looks after", "who should i",
    "who would be", "whats her name", "whats his name", "who is responsible", "whos responsible",
    "who runs", "who owns", "best person", "right person", "who manages", "who is in charge",
    "her name", "his name", "spell her", "spell his", "who else", "anyone else",
)  # fmt: skip
CALLBACK_ASKS = (
    "good time", "best time", "better time", "when is she", "when will she", "when would she",
    "when does she", "when is he", "when will he", "when would he", "when does he", "when could i",
    "when should i", "what time", "what day", "when might", "when can i", "when is a",
)  # fmt: skip


def reason_position(transcript: Transcript) -> tuple[int, int] | None:
    """(turn number, word index) where the caller first states why they call, or None if they never do."""
    for number, turn in transcript.caller_turns():
        tokens = words(turn.text)
        starts = [contains_phrase(tokens, phrase) for phrase in REASON_PHRASES]
        hits = [start for start in starts if start >= 0]
        if hits:
            return number, min(hits)
        if research_mentions(turn.text, transcript.research):
            return number, 0
    return None


_CLOCK = re.compile(r"^\d{1,2}(am|pm)?$")
_GREETINGS = frozenset({"morning", "afternoon", "evening"})
_NOT_TIMES = frozenset({"year", "month", "week", "day", "of", "more", "other"})


def concrete_when(tokens: Sequence[str]) -> tuple[bool, bool]:
    """(names a day, names a time of day) in a line: "thursday", "next week"; "at ten", "3pm", "9 30"."""
    day = False
    for index, word in enumerate(tokens):
        if word in DAYS and (index == 0 or tokens[index - 1] not in {"last", "past", "yesterday"}):
            day = True
    day = day or bool(find_phrases(tokens, DAY_PHRASES))
    time = any(_names_time(tokens, index) for index in range(len(tokens)))
    return day, time


# "at three engineering firms": a number before a describing word counts things, it is not a time.
_COUNTED_THINGS = frozenset({"engineering", "food", "logistics", "freight", "retail", "other", "different", "big",
                             "large", "small", "new", "of", "major", "regional", "local", "similar"})  # fmt: skip


def _names_time(tokens: Sequence[str], index: int) -> bool:
    word = tokens[index]
    before = tokens[index - 1] if index else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    if word in TIME_WORDS:  # not "good morning", nor "Morning Sam" opening a line
        return word != "am" and before not in {"good", "this", "the"} and (index > 0 or word not in _GREETINGS)
    after2 = tokens[index + 2] if index + 2 < len(tokens) else ""
    if _CLOCK.match(word):
        return (
            before in {"at", "around", "by", "from"}
            or word.endswith(("am", "pm"))
            or (after in {"a", "p"} and after2 == "m")  # "3 p.m."
            or after in {"am", "pm", "oclock", "30", "15", "45", "thirty"}
        )
    if word in NUMBER_WORDS:
        if before in {"before", "after", "until", "till"}:  # "before nine", not "after two years"
            return after not in DURATION_UNITS and after not in _NOT_TIMES and not after.endswith("s")
        plural = after.endswith("s") and after not in DAYS and after not in {"works", "suits", "sounds", "is", "does"}
        counted = after in _NOT_TIMES or plural or after in _COUNTED_THINGS
        return (before in {"at", "around", "by"} and after not in DURATION_UNITS and not counted) or after in {
            "am",
            "pm",
            "oclock",
            "thirty",
            "fifteen",
            "fortyfive",
        }
    return False


def is_scheduling_word(word: str) -> bool:
    """Days, times, numbers, lengths and formats: the words of a proposal or a confirmation."""
    return (
        word in DAYS
        or word == "today"
        or word in TIME_WORDS
        or word in NUMBER_WORDS
        or word in DURATION_UNITS
        or word in FORMATS
        or bool(_CLOCK.match(word))
        or word in {"invite", "send", "diary", "week", "next", "then", "thirty"}
    )


def has_duration(tokens: Sequence[str]) -> bool:
    """A length for the next contact: "15 minutes", "twenty minute", "half an hour"."""
    for index, word in enumerate(tokens[:-1]):
        if (word.isdigit() or word in NUMBER_WORDS) and tokens[index + 1] in DURATION_UNITS:
            return True
    return contains_phrase(tokens, "half an hour") >= 0 or contains_phrase(tokens, "an hour") >= 0


def has_format(tokens: Sequence[str]) -> bool:
    return any(word in FORMATS for word in tokens)


def is_objection(text: str) -> list[str]:
    return find_phrases(words(text), OBJECTIONS)


def is_refusal(text: str) -> bool:
    tokens = words(text)
    return bool(find_phrases(tokens, REFUSALS)) or (tokens[:1] == ["no"] and not concrete_when(tokens)[0])


def agrees(text: str, proposal: str, right_after: bool) -> bool:
    """Whether a persona line says yes to the caller's proposal.

    "That works", "put it in the diary" or the proposed slot said back ("Fine. Friday at nine.") agree
    wherever they come. A bare "okay" or "sure" agrees only right after the proposal, and not when the
    line lets the caller go on ("Okay. You've got two minutes. Go on."), asks something back ("Okay,
    what's it about?") or turns it down ("Sure, but she's away Thursday").
    """
    tokens = words(text)
    if is_refusal(text):
        return False
    if find_phrases(tokens, AGREEMENTS):
        return True
    if persona_questions(text) or set(tokens) & _BUT_NOT:
        return False
    days, times = slot_words(tokens)
    proposed_days, proposed_times = slot_words(words(proposal))
    if days & proposed_days or times & proposed_times:
        return True
    return right_after and bool(find_phrases(tokens, SOFT_AGREEMENTS)) and not find_phrases(tokens, GO_ON)


def is_proposal(text: str) -> bool:
    """A next contact put to the other side: a day, time, length or format, asked or offered
    ("would Thursday at two work", "let's do Friday", "I'll call her at nine"), or a whole slot
    ("Tuesday at ten for fifteen minutes"); not a day mentioned in passing ("I know you're busy this
    afternoon")."""
    tokens = words(text)
    day, time = concrete_when(tokens)
    if day and time or ((day or time) and has_duration(tokens)):
        return True  # "Tuesday at ten for fifteen minutes" is a slot, however it is phrased
    if not (day or time or has_duration(tokens) or has_format(tokens)):
        return False
    return bool(find_questions(text) or find_phrases(tokens, PROPOSAL_PHRASES + FOLLOW_UPS))


_NUMBER_VALUES = {
    word: str(value)
    for value, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    )
}


def slot_words(tokens: Sequence[str]) -> tuple[set[str], set[str]]:
    """(days, times) a line names, spelt one way ("thursdays" → "thursday", "two"/"2pm" → "2"), so a
    confirmation can be checked against the slot that was agreed."""
    days = {word.removesuffix("s") for word in tokens if word in DAYS}
    days |= set(find_phrases(tokens, ("next week", "this week", "end of the week", "later today", "first thing")))
    times = set()
    for index, word in enumerate(tokens):
        if _names_time(tokens, index):
            bare = word.removesuffix("am").removesuffix("pm") or word
            times.add(_NUMBER_VALUES.get(bare, bare))
    return days, times
