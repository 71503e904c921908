"""Target suggestions: cross-validated accuracy on the real catalog, and speed.

    uv run python benchmarks/suggest_bench.py [--database-url URL] [--sweep]

Loads the real catalog (UN framework + all KS sets) into a fresh SQLite database, unless a
database that holds it is given. Then, for three ways of cutting the classified indicators into
5 folds — at random; with linked indicators (indicator_link) in one fold; and also with the
"families" of a set (names equal before " - ", e.g. "... - Kvinner" / "... - Menn") in one fold —
each indicator of a fold is suggested targets and goals by its own text with every SDG code
(13.2.2, 13.2) stripped, only the other folds' indicators voting. Prints top-1 and top-3
accuracy (the true targets hold the first / one of the first three), by language of the
indicator's text, the precision and coverage of `confident` suggestions for several thresholds,
and timings. `--sweep` also prints the choices the constants were picked from (the mix of words
and n-grams, the number of voting neighbours, the weight of the target's own text).
The IDF is learned from the whole catalog, labels are not: that leak is unsupervised and small.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics as st
import time
from collections import defaultdict

import numpy as np
from real_catalog import real_catalog
from sqlalchemy import select

from localsdg.catalog import similarity, suggest
from localsdg.catalog.analysis import connected
from localsdg.catalog.similarity import SDG_CODE, TextModel, indicator_fields
from localsdg.db.schema import Indicator, IndicatorLink
from localsdg.db.session import session_scope
from localsdg.db.state import catalog_version

FOLDS = 5
TEXTS = ["Kommunen skal redusere klimagassutslippene fra veitrafikken med 50 prosent innen "
         "2030 gjennom flere ladepunkter, bedre kollektivtilbud og trygge sykkelveier.",
         "andel barn i lavinntektsfamilier", "Reduce food waste in schools and kindergartens",
         "Vi vil sikre rent drikkevann og fornye ledningsnettet for avløp.",
         "Flere unge skal fullføre videregående opplæring."]


def folds(groups: np.ndarray | None, size: int, rng: random.Random) -> np.ndarray:
    """Each row's fold; a group's rows share one, groups spread to keep folds even."""
    if groups is None:
        return np.array([rng.randrange(FOLDS) for _ in range(size)])
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        members[int(groups[i])].append(i)
    blocks = sorted(members.values(), key=lambda b: (-len(b), rng.random()))
    fold, load = np.zeros(size, int), [0] * FOLDS
    for block in blocks:
        f = load.index(min(load))
        fold[block] = f
        load[f] += len(block)
    return fold


def schemes(session, model: TextModel, inds: list[Indicator]) -> dict[str, np.ndarray]:
    rng = random.Random(16)
    row = {ind.id: model.row[(ind.set_id, ind.code)] for ind in inds}
    links = [(row[a], row[b]) for a, b in session.execute(
        select(IndicatorLink.from_id, IndicatorLink.to_id))]
    heads: dict[tuple[str, str], int] = {}
    names = [(row[ind.id], heads.setdefault((ind.set_id, (ind.name_nb or ind.name_en or "")
                                             .split(" - ")[0].strip().casefold()), row[ind.id]))
             for ind in inds]
    size = len(model.keys)
    return {"random": folds(None, size, rng),
            "links": folds(connected(size, links), len(inds), rng),
            "links+families": folds(connected(size, links + names), len(inds), rng)}


def language(ind: Indicator) -> str:
    nb = bool(ind.name_nb or ind.description_nb)
    en = bool(ind.name_en or ind.description_en)
    return "nb+en" if nb and en else "nb" if nb else "en"


def queries(model: TextModel, inds: list[Indicator]) -> list:
    """Each indicator's vector from its own text with every SDG code stripped, in row order."""
    out = [None] * len(model.keys)
    for ind in inds:
        fields = [(SDG_CODE.sub(" ", t), w) for t, w in indicator_fields(ind) if t]
        out[model.row[(ind.set_id, ind.code)]] = model.fields_vector(fields)
    return out


def evaluate(model: TextModel, vectors: list, fold: np.ndarray, level: str, **knobs
             ) -> list[tuple[int, list[tuple[float, bool]]]]:
    """For each classified row: the row and its top-5 (score, right) pairs."""
    labels = model.target_labels if level == "target" else model.goal_labels
    results = []
    for f in range(FOLDS):
        pool = fold != f
        for r in np.flatnonzero((fold == f) & labels.any(axis=1)):
            score, _ = suggest.scores(model, vectors[r], level=level, pool=pool, **knobs)
            top = np.argsort(-score, kind="stable")[:5]
            results.append((int(r), [(float(score[c]), bool(labels[r, c])) for c in top]))
    return results


def accuracy(results: list, rows: set[int] | None = None) -> str:
    chosen = [hits for r, hits in results if rows is None or r in rows]
    if not chosen:
        return "     -        -     (n=0)"
    top1 = sum(h[0][1] for h in chosen) / len(chosen)
    top3 = sum(any(ok for _, ok in h[:3]) for h in chosen) / len(chosen)
    return f"{top1:6.3f}   {top3:6.3f}   (n={len(chosen)})"


def report(model: TextModel, vectors: list, fold: np.ndarray, by_language: dict) -> dict:
    out = {}
    for level in ("goal", "target"):
        out[level] = results = evaluate(model, vectors, fold, level)
        print(f"  {level + 's':8} all      top-1/top-3 {accuracy(results)}")
        for lang, rows in sorted(by_language.items()):
            print(f"  {'':8} {lang:8} top-1/top-3 {accuracy(results, rows)}")
    return out


def thresholds(results: list) -> None:
    print("  threshold  precision  coverage  (targets; over the top-5 suggestions)")
    for th in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        shown = [ok for _, hits in results for s, ok in hits if s >= th]
        covered = sum(any(s >= th for s, _ in hits) for _, hits in results)
        mark = "  <- CONFIDENT" if abs(th - suggest.CONFIDENT) < 1e-9 else ""
        print(f"  {th:9.2f}  {sum(shown) / max(len(shown), 1):9.3f}  "
              f"{covered / len(results):8.3f}  (n={len(shown)}){mark}")


def sweep(session, model: TextModel, vectors: list, fold: np.ndarray, inds: list) -> None:
    print("\nsweep (links folds; target top-1/top-3):")
    for share in (1.0, 0.0, 0.2, 0.4, 0.6):
        alt = similarity.build(session, model.version, word_share=share)
        results = evaluate(alt, queries(alt, inds), fold, "target")
        print(f"  word share {share:.1f}:            {accuracy(results)}")
    for k in (5, 10, 20):
        for tw in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 1.0):
            results = evaluate(model, vectors, fold, "target", neighbours=k, text_weight=tw)
            print(f"  neighbours {k:2} text weight {tw:.1f}: {accuracy(results)}")


def timings(session, model: TextModel) -> None:
    rng = random.Random(7)
    refs = rng.sample(model.keys, 200)
    times = []
    for i in range(400):
        t = time.perf_counter()
        if i % 2:
            suggest.suggest_for_indicator(session, *refs[i // 2])
        else:
            suggest.suggest_targets(session, TEXTS[i // 2 % len(TEXTS)])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"suggestion (with reasons, 200 texts + 200 indicators): median "
          f"{st.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms")


def measure(url: str, with_sweep: bool) -> None:
    with session_scope(url) as s:
        t = time.perf_counter()
        model = similarity.build(s, catalog_version(s))
        print(f"model build: {time.perf_counter() - t:.2f} s ({len(model.keys)} indicators, "
              f"{len(model.targets)} targets, {model.vectors.shape[1]} features)")
        inds = list(s.scalars(select(Indicator).order_by(Indicator.set_id, Indicator.id)))
        vectors = queries(model, inds)
        by_language: dict[str, set[int]] = defaultdict(set)
        for ind in inds:
            by_language[language(ind)].add(model.row[(ind.set_id, ind.code)])
        cuts = schemes(s, model, inds)
        for name, fold in cuts.items():
            print(f"\n{FOLDS}-fold, {name}:")
            results = report(model, vectors, fold, by_language)
            if name == "links":
                thresholds(results["target"])
        if with_sweep:
            sweep(s, model, vectors, cuts["links"], inds)
        similarity.text_model(s)
        print()
        timings(s, model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    with real_catalog(args.database_url) as url:
        measure(url, args.sweep)


if __name__ == "__main__":
    main()
