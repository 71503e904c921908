"""The KS/SSB indicator taxonomy: 33 indicator sets published by KS as SKOS/RDF Turtle.

Each indicator carries goal, target, TBL, development area, evaluation step, quality class,
geography level, periodicity, source, unit and cross-links. The published files have quirks
(see the mirror README) that are handled here and counted in the report; anything that cannot
be mapped is reported with the set, the indicator and the value, never dropped silently.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from sqlalchemy import select
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog import properties as props
from localsdg.catalog.crosswalk import un_series_code
from localsdg.catalog.ks_vocabulary import (
    DC_ODD,
    DCT,
    DQV,
    GEOGRAPHY,
    KS,
    LINK_KINDS,
    LINK_SOURCE,
    SDG,
    SDGO,
    UN_LINK_SOURCE,
    VOCABULARY_TERM,
    XKOS,
)
from localsdg.catalog.store import (
    CODE_TEXT,
    SET_FIELDS,
    IndicatorRecord,
    LinkRecord,
    SaveReport,
    SetRecord,
    known_targets,
    save_links,
    save_set,
    start_batch,
)
from localsdg.db.schema import Indicator
from localsdg.errors import UserError
from localsdg.sources.http import fetch
from localsdg.sources.un_framework import SET_ID as UN_SET

BASE = "https://esg.arkitektum.no/vocabulary/esg-indicator"
SYNC_BY = "sync ks-taxonomy (KS, esg.arkitektum.no)"

# The sets KS publishes (file names, which are also our set ids), with the level of each set.
SETS: dict[str, str] = {
    "De-norske-målepunktene": "national",
    "UN-SDG-indicators": "global",
    "OECD-A-Territorial-Approach-to-the-SDGs": "global",
    "U4SSC": "global",
    "The-EU-JRC-VLR-handbook-indicators-2020": "global",
    "The-EU-JRC-VLR-handbook-indicators-2022": "global",
    **{name: "local" for name in (
        "Areal---Areal-av-land-og-ferskvatn", "Areal---Arealbruk-og-arealressurser",
        "Areal---Fritidsbyggområder", "Areal---Miljøforvaltning",
        "Areal---Plan--og-byggesaksbehandlinger", "Areal---Rekreasjonsareal-og-nærturterreng",
        "Areal---Tettsteders-befolkning-og-areal", "Areal--Byggeaktivitet-i-strandsonen",
        "Arkivverkets-kommuneundersøkelse", "Avfall---Avfall-fra-husholdninger",
        "Barnefattigdom-kommunemonitor", "Barnevern-SSB", "Barnevern-kommunemonitor",
        "Boligsosial-monitor", "DSB-Kommuneundersøkelsen",
        "Elevundersøkelsen-(5.-10.-trinn-og-vg1-vg3)", "Foreldreundersøkelsen-i-barnehagen",
        "Forurensning-og-klima---kommunalt-avløp", "Kjønnslikestilling-i-kommunene",
        "Kommunehelsa-statistikkbank", "Nettoforbruk-av-elektrisk-kraft",
        "Statistikk-om-kommuneansatte", "Ungdata", "Utslipp-av-klimagasser-i-kommuner-og-fylker",
        "Vann-og-avløp---kommunal-vannforsyning", "Vann-og-avløp---kommunalt-avløp",
        "Åpenhetsbarometeret",
    )},
}
VOCABULARIES = {
    "evaluation_steps": "Evaluation/Evaluation.ttl",
    "geography_level": "Levelofgeography/Levelofgeography.ttl",
    "development_areas": "developmentsector/developmetsector.ttl",  # sic, as published
    "quality_class": "quality/quality.ttl",
    "tbl": "triplebottomline/triplebottomline.ttl",
}

HANDLED = {RDF.type, SDGO.hasGoal, SDGO.isIndicatorOf, DC_ODD.identifier, DC_ODD.title,
           DCT.title, DCT.identifier, DCT.accrualPeriodicity, DCT.coverage, DCT.source,
           DCT.subject, DCT.type, XKOS.depth, SKOS.inScheme, SKOS.notation,
           DQV.hasQualityMeasurement, KS.hasEvaluation, KS.hasImpact, SKOS.definition,
           *LINK_KINDS}

PERIODICITY = {"12": "yearly", "yearly": "yearly", "annually": "yearly", "24": "biennial",
               "every other year": "biennial", "36": "triennial", "monthly": "monthly",
               "quarterly": "quarterly", "half year": "half_yearly", "daily": "daily",
               "other": "other", "1": "monthly", "3": "quarterly", "6": "half_yearly",
               "every third year": "triennial", "half-yearly": "half_yearly"}
UNKNOWN_WORDS = {"n/a", "not found", "not available.", "not available", "data unavailable.",
                 "no data found"}
NORWEGIAN_WORDS = re.compile(
    r"\b(og|i|av|som|med|til|på|antall|andel|andelen|etter|eller|ikke|har|fra|innen|blant|"
    r"kommune\w*|barn\w*|totalt?|årlig|utvikling)\b|[æøå]", re.IGNORECASE)
ENGLISH_WORDS = re.compile(r"\b(the|of|and|by|in|to|with|for|per|on|from|or|share|number|"
                           r"proportion|rate|total|population|people)\b", re.IGNORECASE)
UN_CODE_IN_TITLE = re.compile(r"^\s*(\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2})\b")


def set_url(set_id: str) -> str:
    return f"{BASE}/{quote(set_id)}.ttl"


@dataclass
class SyncReport:
    sets: dict[str, dict] = field(default_factory=dict)
    quirks: Counter = field(default_factory=Counter)
    unmapped: list[str] = field(default_factory=list)
    unresolved_links: list[str] = field(default_factory=list)
    un_links: int = 0
    not_in_file: list[str] = field(default_factory=list)
    totals: SaveReport = field(default_factory=SaveReport)

    def as_dict(self) -> dict:
        return {
            "sets": self.sets, "indicators": sum(s["indicators"] for s in self.sets.values()),
            **self.totals.__dict__, "quirks_handled": dict(self.quirks),
            "unmapped": self.unmapped, "unresolved_links": self.unresolved_links,
            "links_to_un_global": self.un_links, "no_longer_published": self.not_in_file,
        }


@dataclass
class ParsedSet:
    record: SetRecord
    indicators: list[IndicatorRecord]
    links: list[tuple[str, str, str]]  # (from code, kind, target URI)
    checksum: str


def sync_ks_taxonomy(session: Session, only: list[str] | None = None, by: str = SYNC_BY
                     ) -> dict:
    unknown = [s for s in only or [] if s not in SETS]
    if unknown:
        raise UserError(f"unknown KS set(s): {', '.join(unknown)}; known: {', '.join(SETS)}")
    names = only or list(SETS)
    report = SyncReport()
    _check_vocabularies(report)
    targets = known_targets(session)
    if not targets:
        raise UserError("the UN framework is not loaded; run `localsdg sync framework` first")
    parsed = [_parse_set(name, targets, report) for name in names]
    checksum = hashlib.sha256("".join(p.checksum for p in parsed).encode()).hexdigest()
    batch = start_batch(session, "ks-taxonomy", " ".join(set_url(n) for n in names), by,
                        checksum)
    for p in parsed:
        result = save_set(session, p.record, p.indicators, changed_by=by, batch=batch)
        report.totals.add(result)
        report.sets[p.record.id] = {"indicators": len(p.indicators), **result.__dict__}
        report.not_in_file += _missing_from_file(session, p)
    _link(session, parsed, report)
    batch.summary = report.as_dict()
    return batch.summary


def _graph(url: str) -> tuple[Graph, str]:
    fetched = fetch(url)
    graph = Graph()
    try:  # a byte-order mark before the first prefix is allowed (utf-8-sig)
        graph.parse(data=fetched.content.decode("utf-8-sig"), format="turtle")
    except Exception as exc:  # rdflib raises many kinds for broken text (IndexError for '@')
        raise UserError(f"{fetched.location}: not valid Turtle: {type(exc).__name__}: "
                        f"{str(exc)[:300]}") from exc
    if not len(graph):
        raise UserError(f"{fetched.location}: the Turtle file holds no statements; nothing "
                        "was read from it")
    return graph, hashlib.sha256(fetched.content).hexdigest()


def _check_vocabularies(report: SyncReport) -> None:
    """Every concept KS defines must map to our code lists; report any that does not."""
    for prop, path in VOCABULARIES.items():
        graph, _ = _graph(f"{BASE}/{path}")
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            if _vocab_value(prop, str(concept)) is None:
                report.unmapped.append(f"{path}: concept {concept} has no code in {prop}")


def _vocab_value(prop: str, uri: str) -> str | None:
    m = VOCABULARY_TERM.match(uri)
    if not m:
        return None
    local = m[2]
    if prop == "evaluation_steps":
        return tx.EVALUATION_STEPS.normalise(local.split("-", 1)[-1])
    if prop == "geography_level":
        return GEOGRAPHY.get(local)
    if prop == "quality_class":
        return tx.QUALITY_CLASSES.normalise(local.removeprefix("Class_"))
    if prop == "tbl":
        return tx.TBL.normalise(local)
    code = local.lower()
    return code if code in tx.DEVELOPMENT_AREAS.allowed else None


def _parse_set(set_id: str, targets: set[str], report: SyncReport) -> ParsedSet:
    graph, checksum = _graph(set_url(set_id))
    scheme = next(graph.subjects(RDF.type, SKOS.ConceptScheme), None)
    record = SetRecord(id=set_id, publisher="KS", level=SETS[set_id], url=set_url(set_id))
    if scheme is not None:
        record.name_nb = _literal(graph, scheme, (DC_ODD.title, DCT.title), "no")
        record.name_en = _literal(graph, scheme, (SKOS.prefLabel,), "en")
        modified = graph.value(scheme, DC_ODD.modified) or graph.value(scheme, DCT.modified)
        record.version = str(modified) if modified else None
    record.name_nb = record.name_nb or record.name_en or set_id.replace("-", " ")
    indicators, links = [], []
    subjects = sorted(set(graph.subjects(RDF.type, SDGO.Indicator)), key=str)
    for subject, names in zip(subjects, _titles(graph, subjects, report), strict=True):
        code = re.split(r"[#/]", str(subject))[-1]
        where = f"{set_id} indicator {code}"
        values = {**names, **_values(graph, subject, where, targets, report)}
        indicators.append(IndicatorRecord(code, values, uri=str(subject)))
        for pred, kind in LINK_KINDS.items():
            links += [(code, kind, str(o)) for o in graph.objects(subject, pred)]
        for pred in {p for p in graph.predicates(subject) if p not in HANDLED}:
            report.unmapped.append(f"{where}: property {pred} is not mapped")
    if problems := _unstorable(record, indicators):
        raise UserError(f"{set_id}.ttl: {len(problems)} value(s) cannot be stored; nothing was "
                        "synced", details=problems)
    return ParsedSet(record, indicators, links, checksum)


def _unstorable(record: SetRecord, indicators: list[IndicatorRecord]) -> list[str]:
    """Codes that are no codes, and texts that are no texts to store (a control character,
    more than a field holds), each with its place."""
    out = [f"{record.id} indicator {r.code[:40]}: not a valid indicator code (at most 200 "
           "characters, no '|' or control characters)" for r in indicators
           if not CODE_TEXT.match(r.code)]
    places = [(record.id, {k: getattr(record, k) for k in SET_FIELDS}),
              *((f"{record.id} indicator {r.code[:40]}", {**r.values, "uri": r.uri})
                for r in indicators)]
    for where, values in places:
        for key, value in values.items():
            for text in value if isinstance(value, list) else [value]:
                if not isinstance(text, str):
                    continue
                try:
                    props.checked_text(text)
                except ValueError as exc:
                    out.append(f"{where}, {key}: {exc}")
    return out


def _literal(graph: Graph, subject, preds, prefer: str) -> str | None:
    values = [o for p in preds for o in graph.objects(subject, p) if isinstance(o, Literal)]
    values.sort(key=lambda lit: lit.language != prefer)
    return str(values[0]).strip() if values else None


def _values(graph: Graph, s: URIRef, where: str, targets: set[str], report: SyncReport) -> dict:
    v: dict[str, object] = {"goals": set(), "targets": set()}
    for pred, wrong, quirk in ((SDGO.hasGoal, True, "target given as goal"),
                               (SDGO.isIndicatorOf, False, "goal given as target")):
        for o in graph.objects(s, pred):
            code = str(o).removeprefix(SDG)
            report.quirks[quirk] += ("." in code) == wrong
            _goal_or_target(code, v, where, targets, report)
    v["goals"] |= {t.split(".")[0] for t in v["targets"]}  # type: ignore[operator]
    for prop, pred in (("tbl", KS.hasImpact), ("development_areas", DCT.subject),
                       ("evaluation_steps", KS.hasEvaluation)):
        v[prop] = _vocab_list(graph, s, pred, prop, where, report)
    for prop, pred in (("quality_class", DQV.hasQualityMeasurement),
                       ("geography_level", DCT.coverage)):
        found = _vocab_list(graph, s, pred, prop, where, report)
        if len(found) > 1:
            report.unmapped.append(f"{where}: several {prop} values {found}; kept the first")
        v[prop] = found[0] if found else None
    v["periodicity"] = _periodicity(graph, s, where, report)
    v.update(_source(graph, s, report))
    unit = graph.value(s, DCT.type)
    v["unit"] = str(unit).strip() or None if unit is not None else None
    for lit in graph.objects(s, SKOS.definition):
        key = "description_en" if getattr(lit, "language", None) == "en" else "description_nb"
        v[key] = " ".join(str(lit).split())
    notation = graph.value(s, SKOS.notation)
    v["notation"] = str(notation).strip() if notation is not None else None
    for key in ("goals", "targets"):
        v[key] = props.get(key).parse(sorted(v[key]), targets)  # type: ignore[arg-type]
    return v


def _goal_or_target(code: str, v: dict, where: str, targets: set[str], report: SyncReport):
    if code in targets:
        v["targets"].add(code)
    elif code in tx.GOALS.allowed:
        v["goals"].add(code)
    else:
        report.unmapped.append(f"{where}: goal/target '{code}' is not a UN goal or target")


def _vocab_list(graph, s, pred, prop: str, where: str, report: SyncReport) -> list[str]:
    out = []
    for o in graph.objects(s, pred):
        if "developmentsector/" in str(o):
            report.quirks["developmentsector vs developmetsector URI"] += 1
        code = _vocab_value(prop, str(o))
        if code is None:
            report.unmapped.append(f"{where}: {prop} value {o} is not in the code list")
        elif code not in out:
            out.append(code)
    return sorted(out, key=props.get(prop).sort_key) if prop != "quality_class" else out


def _titles(graph: Graph, subjects: list[URIRef], report: SyncReport) -> list[dict]:
    """Titles by language. KS tags the Norwegian titles of whole sets @en: when most @en
    titles of a set read as Norwegian, all of that set's @en titles are taken as Bokmål."""
    tagged = [[(" ".join(str(lit).split()), lit.language) for lit in graph.objects(s, DC_ODD.title)]
              for s in subjects]
    english = [text for titles in tagged for text, lang in titles if lang == "en"]
    norwegian_set = sum(map(_looks_norwegian, english)) > len(english) / 2
    out = []
    for titles in tagged:
        names: dict[str, str] = {}
        for text, lang in titles:
            key = "name_nb" if lang in ("no", "nb", "nn") or norwegian_set else "name_en"
            report.quirks["Norwegian title tagged @en"] += lang == "en" and norwegian_set
            names.setdefault(key, text)
        out.append(names)
    return out


def _looks_norwegian(text: str) -> bool:
    """KS tags some Norwegian titles @en; count telling words of each language to decide."""
    return len(NORWEGIAN_WORDS.findall(text)) > len(ENGLISH_WORDS.findall(text))


def _periodicity(graph: Graph, s: URIRef, where: str, report: SyncReport) -> str | None:
    raw = graph.value(s, DCT.accrualPeriodicity)
    if raw is None:
        return None
    text = str(raw).strip()
    if text.startswith("['"):
        report.quirks["list literal artefact"] += 1
        text = text.strip("[]'\" ")
    if text.casefold() in UNKNOWN_WORDS:
        report.quirks["periodicity given as 'not available': left unknown"] += 1
        return None
    code = PERIODICITY.get(text.casefold())
    if code is None:
        report.unmapped.append(f"{where}: periodicity '{text}' is not in the code list")
    return code


def _source(graph: Graph, s: URIRef, report: SyncReport) -> dict:
    raw = graph.value(s, DCT.source)
    if raw is None:
        return {"source_url": None, "source_note": None}
    text = " ".join(str(raw).split())
    urls = re.findall(r"https?://[^\s,]+", text)
    out = {"source_url": urls[0] if urls else None, "source_note": None}
    if text != out["source_url"]:
        out["source_note"] = None if text.casefold() in UNKNOWN_WORDS else text
        report.quirks["source given as text, not a single URL"] += 1
    if out["source_url"]:
        host = urlsplit(out["source_url"]).netloc.lower().removeprefix("www.")
        owner = tx.DATA_OWNER_HOSTS.get(host)
        if owner:
            out["data_owner"] = owner
            report.quirks["data owner derived from source URL host"] += 1
    return out


def _missing_from_file(session: Session, parsed: ParsedSet) -> list[str]:
    codes = {r.code for r in parsed.indicators}
    have = session.scalars(select(Indicator.code).where(Indicator.set_id == parsed.record.id))
    return [f"{parsed.record.id}/{c}" for c in have if c not in codes]


def _link(session: Session, parsed: list[ParsedSet], report: SyncReport) -> None:
    by_uri = {ind.uri: (p.record.id, ind.code) for p in parsed for ind in p.indicators}
    links = []
    for p in parsed:
        for code, kind, uri in p.links:
            target = by_uri.get(uri) or _un_target(uri)
            if target is None:
                report.unresolved_links.append(f"{p.record.id}/{code} {kind} {uri}")
            else:
                links.append(LinkRecord(p.record.id, code, kind, *target))
    unresolved = save_links(session, links, proposed_by=LINK_SOURCE,
                            scope_sets={p.record.id for p in parsed})
    report.unresolved_links += [f"{lk.from_set}/{lk.from_code} {lk.kind} {lk.to_set}/"
                                f"{lk.to_code} (not in the catalog)" for lk in unresolved]
    un = [LinkRecord(p.record.id, ind.code, "exact", UN_SET, m[1])
          for p in parsed if p.record.id == "UN-SDG-indicators" for ind in p.indicators
          if (m := UN_CODE_IN_TITLE.match(str(ind.values.get("name_en") or "")))]
    unlinked = save_links(session, un, proposed_by=UN_LINK_SOURCE, scope_sets={"UN-SDG-indicators"})
    report.un_links = len(un) - len(unlinked)
    report.unresolved_links += [f"{lk.from_set}/{lk.from_code}: UN code {lk.to_code} from its "
                                "title is not in un-global" for lk in unlinked]
    if any(p.record.id == "UN-SDG-indicators" for p in parsed):
        linked = {lk.from_code for lk in un}
        report.unresolved_links += [
            f"UN-SDG-indicators/{ind.code}: no UN code in its title"
            for p in parsed if p.record.id == "UN-SDG-indicators" for ind in p.indicators
            if ind.code not in linked]


def _un_target(uri: str) -> tuple[str, str] | None:
    """metadata.un.org/sdg/C030c01 -> ('un-global', '3.c.1')."""
    series = un_series_code(uri.removeprefix(SDG)) if uri.startswith(SDG) else None
    return (UN_SET, series[0]) if series else None
