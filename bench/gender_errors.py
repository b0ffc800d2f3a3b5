"""Lists the speaker-gender errors on the real-text gold and splits the women-share gap.

    .venv/bin/python bench/gender_errors.py [pages|dispatches|all] [--all-rows] [--only ID,ID]

For every gold quote whose ``speaker_gender`` is F or M and that a prediction matches (30 %, as
``score.py`` matches), one line: the gold speaker and gender, the predicted speaker's name, text,
gender and ``gender_source``, and a class: ``ok``, ``wrong_speaker`` (the gender of someone else:
the speaker's helpers' business), ``wrong_gender`` (the right person, the wrong gender),
``null_speaker`` / ``null`` (no gender, for a wrong or missing speaker / for the right one). Only
the errors are printed unless ``--all-rows``. Then the women-share gap, told as a chain of shares
from the predicted share to the gold share: leave out the predictions no gold F/M quote matches
(spurious quotes, quotes of organisations or of unknown gender), replace the predicted genders
of the matched quotes by the gold ones, count the matched quotes without a predicted gender, add
the gold quotes no prediction matches. Each step's change is the part of the gap it explains.
Uses the parse cache of ``bench/score_real.py``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_real import GOLD, CachedAnalyzer, load_scorer  # noqa: E402

GENDERS = ("F", "M")


def predictor(score, model: str, explain: bool = False):
    from guillemet.article import annotate

    analyzer = CachedAnalyzer(model)
    memo: dict[bytes, list[dict]] = {}

    def predict(content) -> list[dict]:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        if data not in memo:
            record = json.loads(json.dumps(analyzer.annotate(annotate(data)).to_dict(), ensure_ascii=False))
            body = record.get("text") or ""
            preds = []
            for q in record.get("quotes", []):
                text = q.get("text") or body[q.get("start", 0) : q.get("end", 0)]
                preds.append(
                    {
                        "quote": text or "",
                        "speaker": score._speaker_name(q.get("speaker")),
                        "gender": score._speaker_gender(q.get("speaker")),
                        "kind": q.get("kind") or "direct",
                        "raw_speaker": q.get("speaker") or {},
                    }
                )
            if explain:
                from guillemet.gender import speaker_evidence
                from guillemet.quotes.people import PeopleIndex

                doc = analyzer._parse(body)
                people = PeopleIndex(doc, body)
                for pred in preds:
                    evidence = speaker_evidence(pred["raw_speaker"], doc, people) or {}
                    pred["evidence"] = " ".join(f"{e.gender}/{e.source}/{e.rank}x{n}" for e, n in evidence.items())
            memo[data] = preds
        return memo[data]

    return predict


def _share(f: int, fm: int) -> float:
    return f / fm if fm else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", choices=["pages", "dispatches", "all"], default="all")
    parser.add_argument("--model", default="md")
    parser.add_argument("--all-rows", action="store_true")
    parser.add_argument(
        "--outside", action="store_true", help="list the gendered predictions no gold F/M quote matches"
    )
    parser.add_argument("--only")
    parser.add_argument("--evidence", action="store_true", help="print every piece of gender evidence of a row")
    args = parser.parse_args(argv)
    score = load_scorer(GOLD)
    predict = predictor(score, args.model, args.evidence)
    docs = score.load(args.which)
    if args.only:
        docs = [d for d in docs if str(d["id"]) in set(args.only.split(","))]
    classes: Counter = Counter()
    outside: Counter = Counter()
    # The share chain: all predictions; the matched F/M ones (predicted genders); the same quotes with
    # gold genders, covered only; all matched; all gold.
    pred_all = Counter()
    pred_matched = Counter()
    gold_covered = Counter()
    gold_matched = Counter()
    gold_all = Counter()
    for d in docs:
        quotes = d["quotes"]
        preds = score._drop_borderline(quotes, predict(d.get("input", d.get("text"))), score._borderline_texts(d))
        for q in quotes:
            if q.get("speaker_gender") in GENDERS:
                gold_all[q["speaker_gender"]] += 1
        for p in preds:
            if p["gender"] in GENDERS:
                pred_all[p["gender"]] += 1
        groups = {
            kind: ([i for i, q in enumerate(quotes) if q["kind"] in kinds], [p for p in preds if p["kind"] in kinds])
            for kind, kinds in (("direct", {"direct", "fragment"}), ("indirect", {"indirect"}))
        }
        matched = {
            kind: {gi[i] for i, _ in score.match([quotes[k] for k in gi], p, 0.3)} for kind, (gi, p) in groups.items()
        }
        excused = score._excused(quotes, matched)
        for _kind, (gi, p) in groups.items():
            g_idx = [k for k in gi if k not in excused]
            g = [quotes[k] for k in g_idx]
            pairs = score.match(g, p, 0.3)
            hit = {j: i for i, j in pairs}
            for j, pred in enumerate(p):
                # Gendered predictions outside the matched F/M quotes: what moves the share on its own.
                gold_gender = g[hit[j]].get("speaker_gender") if j in hit else "spurious"
                if pred["gender"] in GENDERS and gold_gender not in GENDERS:
                    outside[(gold_gender, pred["gender"])] += 1
                    if args.all_rows or args.outside:
                        spk = pred["raw_speaker"]
                        print(
                            f"outside/{gold_gender} {d['id']} pred={spk.get('name')!r} text={spk.get('text')!r} "
                            f"{pred['gender']}/{spk.get('gender_source')} | {pred['quote'][:60]!r}"
                        )
            for i, j in pairs:
                gold, pred = g[i], p[j]
                gold_gender, pred_gender = gold.get("speaker_gender"), pred["gender"]
                if gold_gender not in GENDERS:
                    continue
                gold_matched[gold_gender] += 1
                if pred_gender in GENDERS:
                    pred_matched[pred_gender] += 1
                    gold_covered[gold_gender] += 1
                same = score.same_speaker(gold.get("speaker"), pred["speaker"])
                if pred_gender == gold_gender:
                    label = "ok"
                elif pred_gender in GENDERS:
                    label = "wrong_gender" if same else "wrong_speaker"
                else:
                    label = "null" if same else "null_speaker"
                classes[label] += 1
                if label != "ok" or args.all_rows:
                    spk = pred["raw_speaker"]
                    print(
                        f"{label:13} {d['id']} gold={gold.get('speaker')!r}/{gold_gender} "
                        f"pred={spk.get('name')!r} text={spk.get('text')!r} "
                        f"{pred_gender}/{spk.get('gender_source')} res={spk.get('resolution')} "
                        f"| {gold['quote'][:60]!r}"
                    )
                    if args.evidence:
                        print(f"              evidence: {pred.get('evidence')}")
    total = sum(classes.values())
    print(f"\n{total} matched gold F/M quotes: " + ", ".join(f"{k}={v}" for k, v in sorted(classes.items())))
    print(
        f"acc={classes['ok'] / total:.3f} coverage={(classes['ok'] + classes['wrong_gender'] + classes['wrong_speaker']) / total:.3f}"
    )
    print(
        "gendered predictions outside the matched F/M quotes (gold, predicted): "
        + ", ".join(f"{g}/{p}={n}" for (g, p), n in sorted(outside.items(), key=str))
    )
    chain = [
        ("predicted, all predictions", pred_all),
        ("predicted, matched gold F/M only", pred_matched),
        ("gold genders of the covered matched", gold_covered),
        ("gold genders of all matched", gold_matched),
        ("gold, all gold F/M quotes", gold_all),
    ]
    print("\nwomen share chain (step: share F/(F+M), change from the previous step):")
    previous = None
    for label, counts in chain:
        share = _share(counts["F"], counts["F"] + counts["M"])
        change = "" if previous is None else f" ({share - previous:+.3f})"
        print(f"  {label:40} {share:.3f} F={counts['F']} M={counts['M']}{change}")
        previous = share
    steps = ["spurious/unmatched predictions", "wrong genders", "uncovered matched", "missed gold quotes"]
    shares = [_share(c["F"], c["F"] + c["M"]) for _, c in chain]
    print(
        "gap (predicted - gold) = "
        + f"{shares[0] - shares[-1]:+.3f} = "
        + " ".join(f"{name} {shares[k] - shares[k + 1]:+.3f}" for k, name in enumerate(steps))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
