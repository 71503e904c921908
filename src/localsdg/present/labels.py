"""The words for dashboard colours and trend arrows, shared by the pages and the reports.

Texts are English message ids marked with `N_` so Babel extracts them; they are translated
where they are shown. A status is never shown by colour alone: each has a label, and each trend
an arrow and a label.
"""

from __future__ import annotations

from localsdg import taxonomy as tx
from localsdg.catalog.ks_vocabulary import LINK_SOURCE, UN_LINK_SOURCE
from localsdg.catalog.store import CROSSWALK
from localsdg.observations.store import dims_dict
from localsdg.present.formats import number
from localsdg.present.i18n import translations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    return text


STATUS = {
    "green": N_("SDG achieved"),
    "yellow": N_("Challenges remain"),
    "orange": N_("Significant challenges remain"),
    "red": N_("Major challenges remain"),
    None: N_("Information unavailable"),
}
STATUS_COLOURS = {  # SDSN's dashboard colours, darkened where needed to show on white
    "green": "#1B873F", "yellow": "#E5B800", "orange": "#E0731A", "red": "#C62828",
    None: "#9E9E9E",
}
TREND = {
    "on_track": N_("On track"),
    "moderately_improving": N_("Moderately improving"),
    "stagnating": N_("Stagnating"),
    "decreasing": N_("Decreasing"),
    None: N_("Trend unavailable"),
}
ARROWS = {"on_track": "↑", "moderately_improving": "↗", "stagnating": "→", "decreasing": "↓",
          None: "–"}
def goal_name(goal: int, lang: str) -> str:
    return tx.GOALS.get(str(goal)).label(lang)  # type: ignore[union-attr]


GROUP_TITLES = {  # groups made on the spot (scoring.groups), by the part of the name before ':'
    "county": N_("the municipalities of county %(arg)s"),
    "all": N_("all municipalities"),
    "all:county": N_("all counties"),
    "similar": N_("the municipalities most like it"),
    "size:small": N_("municipalities with fewer than 5,000 inhabitants"),
    "size:medium": N_("municipalities with 5,000 to 19,999 inhabitants"),
    "size:large": N_("municipalities with 20,000 inhabitants or more"),
}


GROUP_METHODS = {
    "county": N_("The comparison group is the municipalities of county %(arg)s as they are "
                 "today."),
    "all": N_("The comparison group is all municipalities as they are today."),
    "all:county": N_("The comparison group is all counties as they are today; a county's figure "
                     "is the agency's own where it publishes one, else estimated from its "
                     "municipalities."),
    "similar": N_("The comparison group is the ten municipalities most like it in %(arg)s (the "
                  "latest figures, population and density on a logarithmic scale, each "
                  "criterion weighted equally), with the municipality itself first."),
    "size:small": N_("The comparison group is the municipalities with fewer than 5,000 "
                     "inhabitants (latest population), as KOSTRA's size bands."),
    "size:medium": N_("The comparison group is the municipalities with 5,000 to 19,999 "
                      "inhabitants (latest population), as KOSTRA's size bands."),
    "size:large": N_("The comparison group is the municipalities with 20,000 inhabitants or "
                     "more (latest population), as KOSTRA's size bands."),
}


def group_title(group: str, name: str, gettext) -> str:
    """A comparison group's name in the reader's language where the group is one made on the
    spot (county:40, all:municipality); a stored group keeps its own name."""
    return _spot_text(GROUP_TITLES, group, gettext) or name


AND = N_("and")
SIMILAR_METHOD = GROUP_METHODS["similar"]
# What similar municipalities are chosen by (scoring.groups.structure), as words in a sentence
CRITERIA = {"population": N_("population"), "density": N_("inhabitants per km²"),
            "growth": N_("growth over five years (%)"), "aged": N_("share aged 67 or older (%)")}


def first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def group_method(group: str, method: str, gettext, criteria: list[str] | None = None) -> str:
    """How a comparison group was made, in the reader's language for groups made on the spot;
    for similar municipalities, with the criteria they were chosen by."""
    if group.startswith("similar:") and criteria:
        named = [gettext(CRITERIA[c]) for c in criteria]
        words = f"{', '.join(named[:-1])} {gettext(AND)} {named[-1]}" if len(named) > 1 \
            else named[0]
        return gettext(SIMILAR_METHOD) % {"arg": words}
    return _spot_text(GROUP_METHODS, group, gettext) or method


def _spot_text(texts: dict[str, str], group: str, gettext) -> str | None:
    kind, _, arg = group.partition(":")
    key = group if group in texts else kind
    return gettext(texts[key]) % {"arg": arg} if key in texts and arg else None


NOT_MEASURED = N_("No indicator in this profile")
OLDER = N_("older data, not scored")  # a value before the profile's window
ESTIMATED = N_("estimated from its municipalities, weighted by population")  # a county's
# A score without a status: the profile gives no thresholds (or too few of its indicators have
# them). The score is relative to the bounds; a status needs thresholds.
NO_THRESHOLDS = N_("No status: thresholds not set")


# green where no target stands behind it, only the best quarter of the group: not "achieved"
AMONG_THE_BEST = N_("Among the best")


def status(colour: str | None, score: float | None, relative: bool = False) -> str:
    """The status label: information unavailable only where there is no score either; green
    that is `relative` (thresholds from the group's distribution, no target) is among the
    best, not the goal achieved."""
    if colour == "green" and relative:
        return AMONG_THE_BEST
    return NO_THRESHOLDS if colour is None and score is not None else STATUS[colour]


BASES = {
    "distribution": N_("No national target: 0 at %(lower)s (the 2.5th percentile from the worst "
                       "end) and 100 at %(upper)s (the mean of the best five) among %(areas)d "
                       "municipalities in %(period)s; green from %(green)s (the best quarter), "
                       "red beyond %(red)s (the worst quarter)."),
    "target": N_("Target: %(target)s. 100 and green at %(upper)s; 0 at %(lower)s (the 2.5th "
                 "percentile from the worst end among %(areas)d municipalities in %(period)s); "
                 "red beyond %(red)s (the worst quarter)."),
    "fixed": N_("Target: %(target)s. 100 and green at %(upper)s, 0 and red at %(lower)s."),
    "reference": N_("Published bounds: %(target)s. 100 at %(upper)s, green up to %(green)s, red "
                    "beyond %(red)s, 0 at %(lower)s."),
}


def basis_text(basis: dict, lang: str) -> str:
    """What an indicator's bounds and thresholds rest on, with their numbers, in the reader's
    language (a stored basis of the national profile: kind, period, areas, the four values and
    the target's wording)."""
    translate = translations(lang).gettext
    args = {k: number(basis[k], lang) for k in ("lower", "upper", "green", "red")}
    text = translate(BASES[basis["kind"]])
    target = translate(basis["target"]) if basis.get("target") else ""  # "" is the header
    return text % {**args, "areas": basis.get("areas") or 0, "period": basis.get("period") or "",
                   "target": target}


EVIDENCE = {
    "un_code": N_("Both name UN indicator %(code)s"),
    "link": N_("Linked as “%(link)s” by %(by)s"),
    "link_confirmed": N_("Linked as “%(link)s” by %(by)s, confirmed"),
    "shared_targets": N_("Both measure target %(targets)s"),
    "similar_text": N_("Names and definitions %(percent)s alike: %(words)s"),
}
PROPOSERS = {LINK_SOURCE: N_("KS's published taxonomy"),
             UN_LINK_SOURCE: N_("localsdg, from the UN code in the title of KS's copy"),
             CROSSWALK: N_("a curator, from the crosswalk")}
DECISIONS = {"confirmed": N_("Confirmed by %(by)s"), "rejected": N_("Rejected by %(by)s"),
             "open": N_("Proposed, not yet decided")}


def evidence_text(item: dict, lang: str) -> str:
    """One item of a crosswalk proposal's evidence in the reader's language."""
    translate = translations(lang).gettext
    kind = item["kind"]
    if kind == "link":
        link = tx.LINK_KINDS.get(item["link"])
        by = translate(PROPOSERS[item["by"]]) if item["by"] in PROPOSERS else item["by"]
        return translate(EVIDENCE["link_confirmed" if item["confirmed"] else "link"]) % {
            "link": link.label(lang) if link else item["link"], "by": by}
    return translate(EVIDENCE[kind]) % {
        "code": item.get("code"), "targets": ", ".join(item.get("targets", [])),
        "percent": f"{number(round(100 * item.get('similarity', 0)), lang)} %",
        "words": ", ".join(item.get("words", []))}


def decision_text(proposal: dict, lang: str) -> str:
    """Who decided on a crosswalk proposal, and why, in the reader's language."""
    decision, message = proposal["decision"] or {}, DECISIONS[proposal["status"]]
    by = decision.get("by")
    translate = translations(lang).gettext
    text = translate(message) % {"by": translate(PROPOSERS[by]) if by in PROPOSERS else by}
    return text + (f": {decision['reason']}" if decision.get("reason") else "")


def breakdown_label(key: str) -> str:
    """A stored breakdown as a reader writes it: 'kjønn: Kvinner, alder: 0-5' (the stored key
    escapes the publisher's ';', '=' and '%')."""
    return ", ".join(f"{name}: {value}" for name, value in dims_dict(key).items())

