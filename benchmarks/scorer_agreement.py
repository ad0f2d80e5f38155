"""How well does the offline scorer track human grades? Prints agreement against a naive baseline.

Usage:
    .venv/bin/python benchmarks/scorer_agreement.py [--data FILE.jsonl] [--max-grade 5] [--cv 5]

Each line of the data file is {"question", "reference", "answer", "grade"} (plus an optional
"qid"); grades are on a 0..max-grade scale. Answers go through OfflineEvaluator with no key points,
exactly like `interviewbot evaluate`. The baseline, measured in the same run, is a plain
bag-of-words cosine between answer and reference. Reported: Pearson, Spearman and RMSE after
scaling each system to the human scale (scorer: score/10*max; baseline: cosine*max), plus RMSE after
the best linear fit, which does not reward or punish a system for its calibration.

--cv K re-tunes the scorer's few global constants on K-1 folds of questions and measures the held-out
fold, to show how much of the figure would survive on unseen questions.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.adapters.offline import keypoints, scorer  # noqa: E402
from core.adapters.offline.evaluator import OfflineEvaluator  # noqa: E402
from core.domain.model import Question  # noqa: E402
from core.domain.roles import Difficulty, Role  # noqa: E402

DEFAULT_DATA = ROOT / "benchmarks" / "data" / "cs_short_answers.jsonl"
_WORD = re.compile(r"[a-z0-9]+")
_BASELINE_TEXT = (
    "a an the and or of to in on at for by with is are was were be it its this that as from"
)
_BASELINE_STOPWORDS = frozenset(_BASELINE_TEXT.split())
# The scorer constants --cv may tune, with the values it tries.
GRID: dict[tuple[Any, str], Sequence[float]] = {
    (scorer, "CURVE"): (1.5, 2.0, 2.5),
    (scorer, "SATURATION"): (0.35, 0.45, 0.6),
    (scorer, "ON_TOPIC_FLOOR"): (0.0, 1.5, 3.0),
    (keypoints, "QUESTION_WEIGHT"): (0.15, 0.25, 0.4),
}


def load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row.setdefault("qid", row.get("id", row["question"]))
            rows.append(row)
    return rows


def scorer_scores(rows: Sequence[dict[str, Any]]) -> list[float]:
    evaluator = OfflineEvaluator()
    out = []
    for row in rows:
        question = Question(
            role=Role.BACKEND,
            difficulty=Difficulty.MEDIUM,
            text=row["question"],
            reference_answer=row["reference"],
            key_points=(),
        )
        out.append(evaluator.evaluate(question, row["answer"]).evaluation.score)
    return out


def baseline_scores(rows: Sequence[dict[str, Any]]) -> list[float]:
    """Bag-of-words cosine with the reference: the figure to beat."""
    return [_cosine(_bag(r["reference"]), _bag(r["answer"])) for r in rows]


def _bag(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _BASELINE_STOPWORDS)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sxy / (sx * sy) if sx and sy else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(_ranks(x), _ranks(y))


def rmse(pred: Sequence[float], gold: Sequence[float]) -> float:
    return math.sqrt(sum((p - g) ** 2 for p, g in zip(pred, gold, strict=True)) / len(gold))


def fitted_rmse(pred: Sequence[float], gold: Sequence[float]) -> float:
    n = len(pred)
    mp, mg = sum(pred) / n, sum(gold) / n
    var = sum((p - mp) ** 2 for p in pred)
    slope = sum((p - mp) * (g - mg) for p, g in zip(pred, gold, strict=True)) / var if var else 0.0
    return rmse([mg + slope * (p - mp) for p in pred], gold)


def report(name: str, pred: Sequence[float], gold: Sequence[float], scale: float) -> None:
    scaled = [p * scale for p in pred]
    print(
        f"  {name:<22} pearson {pearson(pred, gold):6.3f}   spearman {spearman(pred, gold):6.3f}"
        f"   rmse {rmse(scaled, gold):5.3f}   rmse(linear fit) {fitted_rmse(pred, gold):5.3f}"
    )


@contextmanager
def constants(values: dict[tuple[Any, str], float]):  # type: ignore[no-untyped-def]
    saved = {key: getattr(*key) for key in values}
    try:
        for (module, name), value in values.items():
            setattr(module, name, value)
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def cross_validate(rows: Sequence[dict[str, Any]], folds: int) -> None:
    """Tune GRID on the other folds' questions, score the held-out fold; pool the predictions."""
    qids = sorted({r["qid"] for r in rows})
    fold_of = {q: i % folds for i, q in enumerate(qids)}
    combos = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    cache: dict[int, list[float]] = {}

    def scores(i: int) -> list[float]:
        if i not in cache:
            with constants(combos[i]):
                cache[i] = scorer_scores(rows)
        return cache[i]

    gold = [r["grade"] for r in rows]
    pooled = [0.0] * len(rows)
    chosen: list[str] = []
    for k in range(folds):
        train = [j for j, r in enumerate(rows) if fold_of[r["qid"]] != k]
        test = [j for j, r in enumerate(rows) if fold_of[r["qid"]] == k]

        def fit(i: int, train: list[int] = train) -> float:
            s = scores(i)
            return pearson([s[j] for j in train], [gold[j] for j in train])

        best = max(range(len(combos)), key=fit)
        chosen.append(", ".join(f"{name}={v}" for (_, name), v in combos[best].items()))
        for j in test:
            pooled[j] = scores(best)[j]
    shipped = scorer_scores(rows)
    tuned_in_sample = max(range(len(combos)), key=lambda i: pearson(scores(i), gold))
    print(f"cross-validation over questions ({folds} folds, {len(combos)} settings):")
    print(f"  shipped constants      pearson {pearson(shipped, gold):6.3f}")
    print(f"  best in-sample         pearson {pearson(scores(tuned_in_sample), gold):6.3f}")
    print(
        f"  tuned, held-out folds  pearson {pearson(pooled, gold):6.3f}"
        f"   spearman {spearman(pooled, gold):6.3f}"
    )
    for k, c in enumerate(chosen):
        print(f"    fold {k}: {c}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--max-grade", type=float, default=5.0, help="top of the human scale")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold CV over questions")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="print N worst misses")
    args = parser.parse_args(argv)

    rows = load(args.data)
    gold = [float(r["grade"]) for r in rows]
    started = time.perf_counter()
    ours = scorer_scores(rows)
    per_answer_ms = (time.perf_counter() - started) * 1000 / len(rows)
    base = baseline_scores(rows)

    questions = len({r["qid"] for r in rows})
    print(
        f"{args.data.name}: {len(rows)} answers to {questions} questions, grades 0–{args.max_grade:g}"
    )
    report("offline scorer", ours, gold, args.max_grade / 10)
    report("baseline (bow cosine)", base, gold, args.max_grade)
    print(f"  scorer time: {per_answer_ms:.2f} ms per answer")
    if args.worst:
        _print_worst(rows, ours, gold, args.max_grade, args.worst)
    if args.cv:
        cross_validate(rows, args.cv)
    return 0


def _print_worst(
    rows: Sequence[dict[str, Any]], ours: Sequence[float], gold: Sequence[float], top: float, n: int
) -> None:
    misses = sorted(range(len(rows)), key=lambda i: -abs(ours[i] * top / 10 - gold[i]))[:n]
    for i in misses:
        row = rows[i]
        print(f"  human {gold[i]:.2f} scorer {ours[i] * top / 10:.2f} | {row['answer'][:110]!r}")


if __name__ == "__main__":
    sys.exit(main())
