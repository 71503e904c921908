"""Jinja2 environments for pages and reports: one per template folder and language, with the
reader's translations, number formats and the labels of goals, statuses and trends."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from localsdg import taxonomy as tx
from localsdg.catalog.indicators import indicator_name
from localsdg.messages import located, said
from localsdg.present import labels
from localsdg.present.formats import change, decimal_mark, estimate, number, score
from localsdg.present.i18n import LANGUAGES, translations


@cache
def environment(folder: Path, lang: str) -> Environment:
    # Templates ship with the package: no look at their files' times on every page.
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["said"] = lambda text: said(text, translations(lang).gettext, decimal_mark(lang))
    env.filters["located"] = lambda text: located(text, translations(lang).gettext,
                                                  decimal_mark(lang))
    env.filters["number"] = lambda value: number(value, lang)
    env.filters["score"] = lambda value: score(value, lang)
    env.filters["estimate"] = lambda value: estimate(value, lang)
    env.filters["change"] = lambda value: change(value, lang)
    env.globals.update(languages=LANGUAGES, tx=tx, goal_colours=tx.GOAL_COLOURS,
                       status=labels.status, status_colours=labels.STATUS_COLOURS,
                       trend=labels.TREND, arrows=labels.ARROWS,
                       not_measured=labels.NOT_MEASURED,
                       basis=lambda b: labels.basis_text(b, lang),
                       breakdown=labels.breakdown_label,
                       evidence=lambda item: labels.evidence_text(item, lang),
                       decision=lambda proposal: labels.decision_text(proposal, lang),
                       # stored text of ours (a profile set's notes): translated where we can
                       translate=translations(lang).gettext,
                       goal_name=lambda g: labels.goal_name(g, lang),
                       indicator_name=lambda ind: indicator_name(ind, lang),
                       group_title=lambda group, name: labels.group_title(
                           group, name, translations(lang).gettext),
                       group_method=lambda group, method, criteria=None: labels.group_method(
                           group, method, translations(lang).gettext, criteria),
                       criterion=lambda key: labels.first_upper(translations(lang).gettext(
                           labels.CRITERIA[key])))
    return env
