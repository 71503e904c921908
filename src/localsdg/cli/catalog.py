"""`localsdg catalog ...` and `localsdg taxonomy`: the indicator catalog and its code lists."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from localsdg import taxonomy as tx
from localsdg.catalog import (
    analysis,
    classify,
    crosswalk,
    export,
    files,
    indicators,
    store,
    suggest,
)
from localsdg.catalog.index import FACETS
from localsdg.catalog.search import Selection, search
from localsdg.cli.common import (
    By,
    Format,
    Lang,
    database,
    emit,
    err,
    key_value,
    out,
    user_errors,
    who,
)
from localsdg.errors import UserError
from localsdg.planning import selection
from localsdg.present.labels import evidence_text

catalog_app = typer.Typer(help="The indicator catalog.", no_args_is_help=True)
link_app = typer.Typer(help="Curators' decisions on the crosswalk's proposals.",
                       no_args_is_help=True)
catalog_app.add_typer(link_app, name="link")

Filters = Annotated[list[str] | None, typer.Option(
    "--filter", help=f"FACET=VALUE, repeatable; facets: {', '.join(FACETS)}")]
Ref = Annotated[str, typer.Argument(help="SET/CODE, e.g. un-global/13.2.2")]
Unclassified = Annotated[list[str] | None, typer.Option(
    "--unclassified", help="only indicators without a value for this facet; repeatable")]


def _selection(q: str = "", filters: list[str] | None = None, sets: list[str] | None = None,
               unclassified: list[str] | None = None) -> Selection:
    parsed: dict[str, list[str]] = {}
    for item in filters or []:
        facet, value = key_value(item, "--filter", "FACET=VALUE, e.g. goal=13")
        parsed.setdefault(facet, []).append(value)
    if sets:
        parsed.setdefault("set", []).extend(sets)
    return Selection(q or "", parsed, list(unclassified or []))


@user_errors
def taxonomy_cmd(fmt: Format = "table", lang: Annotated[str | None, typer.Option(
        "--lang", help="only the labels in nb, nn or en (default: all three)")] = None) -> None:
    """Print the taxonomy's code lists with Bokmål, Nynorsk and English labels."""
    if lang is not None and lang not in tx.LANGUAGES:
        raise UserError(f"--lang '{lang}': use nb, nn or en")
    langs = (lang,) if lang else tx.LANGUAGES
    data = {cl.id: {"label": {l_: cl.label(l_) for l_ in langs},
                    "codes": [{"code": c.code, **{l_: c.label(l_) for l_ in langs}}
                              for c in cl.codes]}
            for cl in tx.CODE_LISTS.values()}
    rows = [{"list": k, **c} for k, v in data.items() for c in v["codes"]]
    emit(data, fmt, rows, title="Taxonomy code lists")


@catalog_app.command("sets")
@user_errors
def sets_cmd(fmt: Format = "table") -> None:
    """List the indicator sets with their number of indicators."""
    with database() as s:
        data = indicators.list_sets(s)
    emit(data, fmt, data, ["id", "name_nb", "level", "version", "indicators"], "Indicator sets")


@catalog_app.command("search")
@user_errors
def search_cmd(
    query: Annotated[str, typer.Argument(
        help="words in Bokmål, Nynorsk or English; may be empty")] = "",
    limit: Annotated[int, typer.Option(help="hits to show")] = 20,
    offset: int = 0,
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set")] = None,
    filters: Filters = None,
    unclassified: Unclassified = None,
    sort: Annotated[str, typer.Option(help="relevance, code, name or set")] = "relevance",
    fmt: Format = "table",
    lang: Lang = "nb",
) -> None:
    """Search the catalog across all sets, with filters on any facet."""
    with database() as s:
        result = search(s, _selection(query, filters, sets, unclassified), limit=limit,
                        offset=offset, sort=sort, lang=lang, facets=fmt == "json")
    emit(result, fmt, result["hits"], ["set_id", "code", "name", "goals", "targets", "score"],
         f"{result['total']} indicators")


@catalog_app.command("choose")
@user_errors
def choose_cmd(
    targets: Annotated[list[str], typer.Option(
        "--targets", help="goals or targets, e.g. 11.2,13.2,3 (repeatable)")],
    area: Annotated[str | None, typer.Option(
        "--area", help="prefer indicators with data for this area")] = None,
    save: Annotated[str | None, typer.Option(
        "--save", help="store the choice as a profile set with this id")] = None,
    by: By = None,
    fmt: Format = "table",
) -> None:
    """The smallest set of good indicators (outcome or impact, quality class 1, else 2) with at
    least one for each goal or target, chosen exactly; and the priorities none covers."""
    with database() as s:
        found = selection.choose(s, selection.parse_priorities(s, targets), area)
        if save:
            selection.save(s, found, save, save, who(by))
        data = selection.as_data(found)
    emit(data, fmt, data["chosen"], ["indicator", "name_nb", "covers", "steps", "quality_class",
                                     "geography_level", "has_data"],
         f"{len(found.chosen)} indicators cover {len(found.priorities) - len(found.gaps)} of "
         f"{len(found.priorities)} priorities")
    if fmt == "table" and found.gaps:
        err.print("not covered (a gap to report to KS/SSB): " + ", ".join(found.gaps))
    if save:
        err.print(f"saved as profile set {save}")


@catalog_app.command("suggest")
@user_errors
def suggest_cmd(
    text: Annotated[str, typer.Argument(
        help="a text in Norwegian or English: a paragraph of a plan, a measure, a name")] = "",
    indicator: Annotated[str | None, typer.Option(
        "--indicator", help="suggest for this indicator (SET/CODE) instead of a text")] = None,
    goals: Annotated[bool, typer.Option("--goals", help="suggest goals, not targets")] = False,
    limit: Annotated[int, typer.Option(help="suggestions to show (1–50)")] = 5,
    fmt: Format = "table",
) -> None:
    """The SDG targets (or goals) a text or an indicator most likely concerns, with a score, the
    words that matched and the nearest classified indicators. Those marked confident were right
    four times in five when tried on the catalog's own classified indicators."""
    level = "goal" if goals else "target"
    with database() as s:
        if indicator:
            set_id, code = indicators.split_ref(indicator)
            found = suggest.suggest_for_indicator(s, set_id, code, limit=limit, level=level)
        else:
            found = suggest.suggest_targets(s, text, limit=limit, level=level)
    data = [f.as_data() for f in found]
    rows = [{"code": d["code"], "score": d["score"], "confident": d["confident"],
             "words": ", ".join(d["words"]),
             "nearest": ", ".join(f"{n['set_id']}/{n['code']}" for n in d["neighbours"])}
            for d in data]
    emit(data, fmt, rows, ["code", "score", "confident", "words", "nearest"],
         "Suggested goals" if goals else "Suggested targets")


@catalog_app.command("similar")
@user_errors
def similar_cmd(
    indicator: Ref,
    limit: Annotated[int, typer.Option(help="proposals to show")] = 20,
    fmt: Format = "table",
) -> None:
    """The crosswalk of one indicator: the same (exact), nearly the same (close) or related
    indicators of other sets, each with its confidence, evidence and the curator's decision."""
    with database() as s:
        found = crosswalk.similar(s, *indicators.split_ref(indicator), limit=limit)
    data = [p.as_dict() for p in found]
    rows = [{"status": p.status, "kind": p.kind, "confidence": p.confidence,
             "indicator": p.ref, "name": p.name_nb or p.name_en,
             "evidence": "; ".join(evidence_text(e, "en") for e in p.evidence)} for p in found]
    emit(data, fmt, rows, ["status", "kind", "confidence", "indicator", "name", "evidence"],
         f"Crosswalk of {indicator}")


def _pair(first: str, second: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return indicators.split_ref(first), indicators.split_ref(second)


@link_app.command("confirm")
@user_errors
def confirm_cmd(
    first: Ref,
    second: Ref,
    kind: Annotated[str, typer.Option(help="exact, close, related_match or related")] = "exact",
    by: By = None,
) -> None:
    """Confirm that two indicators are linked as KIND (take it back with `reopen`)."""
    with database() as s:
        store.confirm(s, *_pair(first, second), kind, who(by))
    err.print(f"confirmed: {first} and {second} are linked as {kind}")


@link_app.command("reject")
@user_errors
def reject_cmd(
    first: Ref,
    second: Ref,
    reason: Annotated[str | None, typer.Option(help="why they are not the same")] = None,
    by: By = None,
) -> None:
    """Reject linking two indicators: the crosswalk never proposes the pair again."""
    with database() as s:
        store.reject(s, *_pair(first, second), who(by), reason)
    err.print(f"rejected: {first} and {second} are not linked")


@link_app.command("reopen")
@user_errors
def reopen_cmd(
    first: Ref,
    second: Ref,
    by: By = None,
) -> None:
    """Take a decision on two indicators back: the pair is a proposal again."""
    with database() as s:
        store.reopen(s, *_pair(first, second), who(by))
    err.print(f"reopened: {first} and {second} are a proposal again")


@catalog_app.command("overlaps")
@user_errors
def overlaps_cmd(
    sets: Annotated[list[str] | None, typer.Option("--set", help="only these sets")] = None,
    fmt: Format = "table",
) -> None:
    """Where sets measure the same thing: how many groups of the same indicator each combination
    of sets shares (confirmed exact links and strong exact proposals)."""
    with database() as s:
        data = analysis.overlaps(s, sets)
    rows = [{"sets": ", ".join(c["sets"]), "same": c["same"]} for c in data["combinations"]]
    emit(data, fmt, rows, ["sets", "same"], "Indicators measured alike in several sets")
    if fmt == "table" and data["shared_by_all"] is not None:
        err.print(f"these {len(data['sets'])} sets measure the same thing "
                  f"{data['shared_by_all']} times")


@catalog_app.command("namesakes")
@user_errors
def namesakes_cmd(set_id: str, fmt: Format = "table") -> None:
    """Indicators of one set with the same name, and what tells them apart (or a flag)."""
    with database() as s:
        found = crosswalk.namesakes(s, set_id)
    data = [asdict(n) for n in found]
    rows = [{"name": n.name, "codes": n.codes, "differ in": sorted(n.differences),
             "flag": n.flag or ""} for n in found]
    emit(data, fmt, rows, ["name", "codes", "differ in", "flag"], f"Namesakes in {set_id}")


@catalog_app.command("show")
@user_errors
def show_cmd(set_id: str, code: str, fmt: Format = "table", lang: Lang = "nb") -> None:
    """Show one indicator: every property, its links and its change history."""
    with database() as s:
        data = indicators.detail(s, set_id, code, lang)
        data["history"] = indicators.history(s, set_id, code)
    rows = [{"property": k, "value": v, "label": data["labels"].get(k)}
            for k, v in data["values"].items()]
    rows += [{"property": f"link ({lk['kind']}, {lk['direction']})",
              "value": f"{lk['set_id']}/{lk['code']}", "label": lk["proposed_by"]}
             for lk in data["links"]]
    emit(data, fmt, rows, ["property", "value", "label"], f"{set_id} / {code}")
    if fmt == "table":
        emit(None, "table", data["history"], ["at", "by", "property", "old", "new"], "History")


@catalog_app.command("history")
@user_errors
def history_cmd(set_id: str, code: str, fmt: Format = "table") -> None:
    """List every recorded change of one indicator (who, when, property, old → new)."""
    with database() as s:
        rows = indicators.history(s, set_id, code)
    emit(rows, fmt, rows, ["at", "by", "property", "old", "new"], f"History of {set_id}/{code}")


@catalog_app.command("stats")
@user_errors
def stats_cmd(
    sets: Annotated[list[str] | None, typer.Option("--set", help="only this set")] = None,
    query: Annotated[str, typer.Option("--query", "-q")] = "",
    filters: Filters = None,
    unclassified: Unclassified = None,
    fmt: Format = "table",
    lang: Lang = "nb",
) -> None:
    """Counts per set, goal, target, TBL, evaluation step, quality class, development area and
    geography level, with the unclassified share of each, and the set-by-set comparison."""
    with database() as s:
        data = analysis.statistics(s, _selection(query, filters, sets, unclassified), lang)
    if fmt != "table":
        emit(data, fmt, analysis.statistics_rows(data),
             ["dimension", "value", "label", "count", "share"])
        return
    out.print(f"[bold]{data['total']}[/] indicators")
    for dim in analysis.DIMENSIONS:
        if dim == "target":
            continue
        rows = [{"value": r["label"], "count": r["count"], "share": f"{r['share']:.0%}"}
                for r in data["counts"][dim]]
        emit(None, "table", rows, ["value", "count", "share"], dim.replace("_", " "))
    _print_comparison(data)


def _print_comparison(data: dict) -> None:
    rows = [{"set": r["set_id"], "indicators": r["indicators"], "goals": r["goals_covered"],
             "targets": r["targets_covered"],
             "no evaluation step": f"{r['unclassified_share']['evaluation_step']:.0%}",
             "no quality class": f"{r['unclassified_share']['quality_class']:.0%}"}
            for r in data["sets"]]
    emit(None, "table", rows, title="Sets compared")
    t = data["targets"]
    out.print(f"targets covered: {t['covered']} of {t['total']}; by several sets: "
              f"{len(t['covered_by_several_sets'])}")
    out.print(f"targets with no indicator: {', '.join(t['without_indicator']) or 'none'}")
    out.print("targets with no quality class 1 indicator: "
              f"{', '.join(t['without_quality_class_1']) or 'none'}")


@catalog_app.command("export")
@user_errors
def export_cmd(
    output: Annotated[Path, typer.Option("--output", "-o", help="file to write")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="set id; repeatable; "
                                                   "default all")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, xlsx, json or ttl")] = "csv",
) -> None:
    """Export whole indicator sets in the catalog layout, or as SKOS/Turtle."""
    with database() as s:
        n = export.export(s, fmt, output, sets)
    err.print(f"wrote {n} indicators to {output}")


@catalog_app.command("import")
@user_errors
def import_cmd(file: Path, by: By = None, fmt: Format = "table") -> None:
    """Import indicator sets from CSV, XLSX or JSON; all or nothing."""
    with database(loads=True) as s:
        summary = files.import_file(s, file, who(by))
    emit(summary, fmt, [summary], title=f"Imported {file.name}")


@catalog_app.command("template")
@user_errors
def template_cmd(
    output: Annotated[Path, typer.Option("--output", "-o")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx, csv or json")] = "xlsx",
) -> None:
    """Write an empty import file with every column (and, in Excel, the allowed values)."""
    if fmt not in files.FORMATS:
        raise UserError(f"--format '{fmt}' unknown; use xlsx, csv or json")
    export.write_rows([], fmt, output)
    err.print(f"wrote template {output}")


@catalog_app.command("classify")
@user_errors
def classify_cmd(
    targets: Annotated[list[str] | None, typer.Argument(
        help="indicators as SET_ID/CODE; or use --query/--filter for a selection")] = None,
    query: Annotated[str, typer.Option("--query", "-q")] = "",
    filters: Filters = None,
    unclassified: Unclassified = None,
    assign: Annotated[list[str] | None, typer.Option(
        "--assign", help="PROPERTY=VALUE: set the value (several values: a|b)")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="PROPERTY=VALUE")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="PROPERTY=VALUE")] = None,
    clear: Annotated[list[str] | None, typer.Option("--clear", help="PROPERTY")] = None,
    by: By = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, do not save")] = False,
    fmt: Format = "table",
) -> None:
    """Set, add, remove or clear a property on indicators; every change is recorded."""
    changes = [_change(op, item) for op, items in (("set", assign), ("add", add),
                                                    ("remove", remove)) for item in items or []]
    changes += [classify.Change(p, "clear") for p in clear or []]
    keys = [indicators.split_ref(t) for t in targets] if targets else None
    if keys is not None and (query or filters or unclassified):
        raise UserError("name indicators as SET_ID/CODE or select them with --query/--filter, "
                        "not both")
    if keys is None and not (query or filters or unclassified):
        raise UserError("name indicators as SET_ID/CODE, or select with --query/--filter")
    with database() as s:
        inds = classify.resolve(s, keys, None if keys else
                                _selection(query, filters, None, unclassified))
        result = classify.apply(s, inds, changes, who(by), dry_run=dry_run)
    emit(result, fmt, result["changes"], ["set_id", "code", "property", "old", "new"],
         f"{result['changed_indicators']} of {result['indicators']} indicators "
         f"{'would change' if dry_run else 'changed'}")


def _change(op: str, item: str) -> classify.Change:
    prop, value = key_value(item, f"--{'assign' if op == 'set' else op}",
                            "PROPERTY=VALUE, e.g. evaluation_steps=output")
    return classify.Change(prop, op, value)
