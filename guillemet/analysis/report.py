"""The HTML report: one self-contained page, charts as inline SVG drawn by matplotlib, no script.

Every chart mark (a bar, a point) carries an SVG id ``<chart>-mark-<n>`` so that a reader (and the
browser test) can count them.
"""

from __future__ import annotations

import html
import io
from collections import Counter, defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: SVG only
import matplotlib.pyplot as plt  # noqa: E402

from guillemet.analysis.runs import Archive, article_day  # noqa: E402

plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "guillemet", "font.size": 9})
_BLUE, _ORANGE = "#3b6ea8", "#d9822b"


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _barh(name: str, labels: list[str], values: list[float], xlabel: str, percent: bool = False) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 0.45 * len(labels) + 0.9))
    bars = axes.barh(labels[::-1], values[::-1], color=_BLUE)
    for index, bar in enumerate(bars):
        bar.set_gid(f"{name}-mark-{index}")
    for bar, value in zip(bars, values[::-1], strict=True):
        shown = f"{value:.0%}" if percent else f"{value:g}"
        axes.annotate(
            shown,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    axes.set_xlabel(xlabel)
    if percent:
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _days_bars(name: str, days: list[str], values: list[int], ylabel: str) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 2.6))
    bars = axes.bar(days, values, color=_BLUE)
    for index, bar in enumerate(bars):
        bar.set_gid(f"{name}-mark-{index}")
    axes.set_ylabel(ylabel)
    axes.tick_params(axis="x", labelrotation=45)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _points(name: str, days: list[str], shares: list[float], ylabel: str) -> str:
    figure, axes = plt.subplots(figsize=(6.5, 2.6))
    axes.plot(days, shares, color=_ORANGE, linewidth=1.5)
    for index, (day, share) in enumerate(zip(days, shares, strict=True)):
        (point,) = axes.plot([day], [share], "o", color=_ORANGE)
        point.set_gid(f"{name}-mark-{index}")
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_ylabel(ylabel)
    axes.tick_params(axis="x", labelrotation=45)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>none</td></tr>'}</tbody></table>"


def figures(archive: Archive, quotes: list[dict[str, Any]]) -> dict[str, Any]:
    """The numbers the page shows (the tests compare the marks with them)."""
    counted = [q for q in quotes if not q["duplicate_of"]]  # a wire story counts once
    per_site = Counter(q["site"] for q in counted)
    per_day = Counter(
        article_day({"published_at": q["published_at"] and q["published_at"].isoformat()}) for q in counted
    )
    gendered = [q for q in counted if q["gender"] in ("F", "M")]
    women_site: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    women_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for quote in gendered:
        women_site[quote["site"]][0] += quote["gender"] == "F"
        women_site[quote["site"]][1] += 1
        day = quote["published_at"].date().isoformat() if quote["published_at"] else "?"
        women_day[day][0] += quote["gender"] == "F"
        women_day[day][1] += 1
    return {
        "per_site": dict(per_site.most_common()),
        "per_day": {str(day): n for day, n in sorted(per_day.items(), key=lambda item: str(item[0]))},
        "women_site": {site: f / n for site, (f, n) in sorted(women_site.items())},
        "women_day": {day: f / n for day, (f, n) in sorted(women_day.items())},
        "gendered": len(gendered),
        "counted": len(counted),
    }


def render(archive: Archive, quotes: list[dict[str, Any]], title: str = "guillemet report") -> str:
    """The whole page, given the archive and its quote rows (``tables.quote_rows``)."""
    numbers = figures(archive, quotes)
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class=lead>{len(archive.runs)} committed runs, {len(archive.articles)} articles, "
        f"{numbers['counted']} quotes (near-duplicate articles counted once), "
        f"{numbers['gendered']} with a speaker of known gender.</p>",
    ]
    if numbers["per_site"]:
        sections.append(
            "<h2>Quotes per outlet</h2>"
            + _barh("per-site", list(numbers["per_site"]), list(numbers["per_site"].values()), "quotes")
        )
        sections.append(
            "<h2>Quotes per day</h2>"
            + _days_bars("per-day", list(numbers["per_day"]), list(numbers["per_day"].values()), "quotes")
        )
    if numbers["women_site"]:
        sections.append(
            "<h2>Share of women among quoted speakers, per outlet</h2>"
            + _barh(
                "women-site",
                list(numbers["women_site"]),
                list(numbers["women_site"].values()),
                "share of quotes whose speaker is a woman",
                percent=True,
            )
        )
        sections.append(
            "<h2>Share of women over time</h2>"
            + _points("women-day", list(numbers["women_day"]), list(numbers["women_day"].values()), "women")
        )
    else:
        sections.append("<h2>Share of women</h2><p>No speaker has a known gender in these runs.</p>")
    people: dict[str, dict[str, Any]] = {}
    for quote in quotes:
        if quote["speaker_name"] and not quote["duplicate_of"]:
            entry = people.setdefault(quote["speaker_name"], {"n": 0, "sites": set(), "gender": quote["gender"]})
            entry["n"] += 1
            entry["sites"].add(quote["site"])
    top = sorted(people.items(), key=lambda item: (-item[1]["n"], item[0]))[:15]
    sections.append(
        "<h2>Most quoted people</h2>"
        + _table(
            ["speaker", "quotes", "gender", "outlets"],
            [[name, e["n"], e["gender"] or "", ", ".join(sorted(e["sites"]))] for name, e in top],
        )
    )
    clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for quote in quotes:
        clusters[quote["cluster"]].append(quote)
    widest = sorted(
        clusters.values(), key=lambda rows: (-len({r["site"] for r in rows}), -len(rows), rows[0]["quote_id"])
    )
    widest = [rows for rows in widest if len(rows) > 1][:10] or widest[:5]
    sections.append(
        "<h2>Most widely reported quotes</h2>"
        + _table(
            ["quote", "said by", "carried by", "times"],
            [
                [
                    rows[0]["quote"],
                    ", ".join(sorted({r["speaker_name"] or r["speaker_text"] or "?" for r in rows})),
                    ", ".join(sorted({r["site"] for r in rows})),
                    len(rows),
                ]
                for rows in widest
            ],
        )
    )
    sections.append(_health(archive))
    style = (
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}"
        "td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}h2{margin-top:2rem;font-size:1.15rem}svg{max-width:100%;height:auto}"
        ".lead{color:#555}"
    )
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<meta name=viewport content='width=device-width, initial-scale=1'><style>{style}</style></head>"
        f"<body>{''.join(sections)}</body></html>"
    )


def _health(archive: Archive) -> str:
    feeds: dict[str, dict[str, Any]] = {}
    for report in archive.feed_reports:
        entry = feeds.setdefault(
            report.get("feed_name") or report.get("feed_url"),
            {"polls": 0, "failed": 0, "not_modified": 0, "entries": 0},
        )
        entry["polls"] += 1
        entry["failed"] += not report.get("ok")
        entry["not_modified"] += report.get("status") == 304
        entry["entries"] += report.get("entries") or 0
    stages = Counter(dead.get("stage") for dead in archive.dead_letters)
    return (
        "<h2>Feeds' health</h2>"
        + _table(
            ["feed", "polls", "failed", "not modified", "entries"],
            [[name, e["polls"], e["failed"], e["not_modified"], e["entries"]] for name, e in sorted(feeds.items())],
        )
        + "<h3>Dead letters by stage</h3>"
        + _table(["stage", "dead letters"], sorted(stages.items()))
    )
