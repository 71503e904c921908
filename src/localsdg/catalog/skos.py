"""Export indicator sets as SKOS/RDF Turtle in the shape KS publishes, so KS's own tools and
anyone reading the published taxonomy can read ours."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from sqlalchemy.orm import Session

from localsdg import taxonomy as tx
from localsdg.catalog.ks_vocabulary import (
    DC_ODD,
    DCT,
    DQV,
    EVALUATION_LOCAL,
    GEOGRAPHY_LOCAL,
    KS,
    LINK_PREDICATES,
    SDG,
    SDGO,
    VOCABULARY,
    XKOS,
)
from localsdg.catalog.rows import export_rows, split_link


def indicator_uri(row: dict) -> URIRef:
    if row.get("uri"):
        return URIRef(row["uri"])
    base = (row.get("set_url") or f"urn:localsdg:{quote(row['set_id'])}").removesuffix(".ttl")
    return URIRef(f"{base}#{quote(row['code'])}")


def write_turtle(session: Session, set_ids: list[str] | None, out_path: Path) -> int:
    rows = export_rows(session, set_ids)
    uris = {(r["set_id"], r["code"]): indicator_uri(r) for r in rows}
    g = Graph()
    for prefix, ns in (("sdgo", SDGO), ("dct", DC_ODD), ("dcterms", DCT), ("dqv", DQV),
                       ("xkos", XKOS), ("my", KS), ("skos", SKOS)):
        g.bind(prefix, ns)
    for row in rows:
        _add_indicator(g, row, uris[(row["set_id"], row["code"])])
        for link in row.get("links") or []:
            kind, set_id, code = split_link(link)
            target = uris.get((set_id, code)) or _other_uri(session, set_id, code)
            g.add((uris[(row["set_id"], row["code"])], LINK_PREDICATES[kind], target))
    for set_id in dict.fromkeys(r["set_id"] for r in rows):
        _add_scheme(g, next(r for r in rows if r["set_id"] == set_id),
                    [uris[(r["set_id"], r["code"])] for r in rows if r["set_id"] == set_id])
    out_path.write_text(g.serialize(format="turtle"), encoding="utf-8")
    return len(rows)


def _other_uri(session: Session, set_id: str, code: str) -> URIRef:
    rows = export_rows(session, [set_id], codes={(set_id, code)})
    return indicator_uri(rows[0]) if rows else URIRef(f"urn:localsdg:{quote(set_id)}#{quote(code)}")


def _scheme_uri(row: dict) -> URIRef:
    url = row.get("set_url") or f"urn:localsdg:{quote(row['set_id'])}"
    return URIRef(url.removesuffix(".ttl"))


def _add_scheme(g: Graph, row: dict, members: list[URIRef]) -> None:
    scheme = _scheme_uri(row)
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DC_ODD.identifier, scheme))
    if row.get("set_name_nb"):
        g.add((scheme, DC_ODD.title, Literal(row["set_name_nb"], lang="no")))
    if row.get("set_name_en"):
        g.add((scheme, SKOS.prefLabel, Literal(row["set_name_en"], lang="en")))
    if row.get("set_version"):
        g.add((scheme, DC_ODD.modified, Literal(row["set_version"])))
    g.add((scheme, XKOS.numberOfLevels, Literal(1, datatype=XSD.integer)))
    for m in members:
        g.add((scheme, URIRef("http://purl.org/umu/uneskos#contains"), m))


def _add_indicator(g: Graph, row: dict, s: URIRef) -> None:
    g.add((s, RDF.type, SDGO.Indicator))
    g.add((s, RDF.type, SKOS.Concept))
    g.add((s, DC_ODD.identifier, s))
    g.add((s, SKOS.inScheme, _scheme_uri(row)))
    g.add((s, XKOS.depth, Literal(1, datatype=XSD.integer)))
    if row.get("name_nb"):
        g.add((s, DC_ODD.title, Literal(row["name_nb"], lang="no")))
    if row.get("name_en"):
        g.add((s, DC_ODD.title, Literal(row["name_en"], lang="en")))
    for goal in row["goals"]:
        g.add((s, SDGO.hasGoal, URIRef(f"{SDG}{goal}")))
    for target in row["targets"]:
        g.add((s, SDGO.isIndicatorOf, URIRef(f"{SDG}{target}")))
    for tbl in row["tbl"]:
        g.add((s, KS.hasImpact, URIRef(f"{VOCABULARY}triplebottomline/{tbl.capitalize()}")))
    for area in row["development_areas"]:
        g.add((s, DCT.subject, URIRef(f"{VOCABULARY}developmentsector/{area.capitalize()}")))
    for step in row["evaluation_steps"]:
        g.add((s, KS.hasEvaluation, URIRef(f"{VOCABULARY}Evaluation/{EVALUATION_LOCAL[step]}")))
    if row.get("quality_class"):
        g.add((s, DQV.hasQualityMeasurement,
               URIRef(f"{VOCABULARY}quality/Class_{row['quality_class']}")))
    if row.get("geography_level"):
        g.add((s, DCT.coverage,
               URIRef(f"{VOCABULARY}Levelofgeography/{GEOGRAPHY_LOCAL[row['geography_level']]}")))
    if row.get("periodicity"):
        label = tx.PERIODICITY.get(row["periodicity"])
        g.add((s, DCT.accrualPeriodicity, Literal(label.en if label else row["periodicity"])))
    source = row.get("source_url") or row.get("source_note")
    if source:
        g.add((s, DCT.source, Literal(source)))
    if row.get("unit"):
        g.add((s, DCT.type, Literal(row["unit"])))
    if row.get("notation"):
        g.add((s, SKOS.notation, Literal(row["notation"])))
    for lang in ("nb", "en"):
        if row.get(f"description_{lang}"):
            g.add((s, SKOS.definition, Literal(row[f"description_{lang}"],
                                               lang="no" if lang == "nb" else "en")))
