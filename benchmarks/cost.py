"""Cost per 1,000 interviews: Lambda GB-seconds, LLM tokens, requests, and the evaluation cache.

Measured here, in process, on MariaDB + Redis (a scratch database and key prefix):
  - whole interviews through `bots.slack.aws_lambda.handler` (signed Slack requests, the lazy
    self-invocations replayed as Lambda runs them, a mock Slack Web API on 127.0.0.1, the
    offline scorer standing in for the model): each invocation's wall time, SQL statements
    (SQLAlchemy `before_cursor_execute`), Redis commands (a counting wrapper on the client),
    Slack Web API calls, and how often the evaluation cache answered instead of the grader;
  - the real prompt templates (core.adapters.llm_ports / llm_prompt) for shipped-bank
    questions, captured as the Gemini port would send them.
Not measured (no network here), so assumed and printed as assumptions: the model's reply time,
Slack's API latency, thinking tokens. Tokens are an ESTIMATE (4 characters per token, Google's
rule of thumb): google-genai's local tokenizer needs sentencepiece and a model download.

    .venv/bin/python benchmarks/cost.py [--interviews 20] [--repeat-share 0.2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, scratch_mysql_database
from benchmarks.cost_drive import Meter, drive_interviews
from benchmarks.cost_tokens import token_estimates

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- public list prices (USD)
# Taken from my knowledge of the providers' public pricing pages as of mid-2025 (not fetched:
# this machine has no network). They change: RE-CHECK EVERY ONE before quoting a figure.
PRICES_AS_OF = "mid-2025 (from knowledge, not fetched; re-check)"
PRICES = {
    "lambda_x86_gb_s": (0.0000166667, "https://aws.amazon.com/lambda/pricing/ (us-east-1)"),
    "lambda_arm_gb_s": (0.0000133334, "https://aws.amazon.com/lambda/pricing/ (us-east-1)"),
    "lambda_requests_per_m": (0.20, "https://aws.amazon.com/lambda/pricing/"),
    "http_api_requests_per_m": (1.00, "https://aws.amazon.com/api-gateway/pricing/ (first 300M)"),
    "sqs_requests_per_m": (0.40, "https://aws.amazon.com/sqs/pricing/ (standard queue)"),
    "gemini_25_flash_in_per_m": (0.30, "https://ai.google.dev/gemini-api/docs/pricing (text)"),
    "gemini_25_flash_out_per_m": (
        2.50,
        "https://ai.google.dev/gemini-api/docs/pricing (incl. thinking)",
    ),
    "gemini_20_flash_in_per_m": (0.10, "https://ai.google.dev/gemini-api/docs/pricing (text)"),
    "gemini_20_flash_out_per_m": (0.40, "https://ai.google.dev/gemini-api/docs/pricing"),
}
# ---------------------------------------------------------------- assumptions (not measured)
MODEL_SECONDS = 4.0  # one Gemini Flash reply to the grading prompt, waited for by the Lambda
SLACK_API_SECONDS = 0.15  # one Slack Web API call from Lambda (chat.postMessage / update)
THINKING_TOKENS = 1000  # 2.5 Flash thinks by default (billed as output); 2.0 Flash does not
LAMBDA_VCPU_AT_1024 = 1024 / 1769  # Lambda gives a full vCPU at 1,769 MB (AWS docs)


def memory_mb(function: str = "SlackFunction") -> int:
    """The function's MemorySize in template.yaml (its own, else the Globals')."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    own = template["Resources"][function]["Properties"].get("MemorySize")
    return int(own or template["Globals"]["Function"]["MemorySize"])


def price(name: str) -> float:
    return PRICES[name][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=0.2,
        help=(
            "share of answers that are the question's reference answer word for word (people "
            "pasting the model answer): the only answers the evaluation cache can recognise"
        ),
    )
    args = parser.parse_args()
    with scratch_mysql_database() as database_url:
        meter: Meter = drive_interviews(
            database_url, REDIS_URL, args.interviews, args.questions, args.repeat_share
        )
    tokens = token_estimates()
    report(args, meter, tokens, memory_mb())


@dataclass(frozen=True)
class PerAnswer:
    """Each figure divided by the answers given (an interview's start, Next clicks and summary
    included: what an interview costs, shared out over its answers)."""

    invocations: float
    http_requests: float
    handler_seconds: float  # measured on this machine
    sql: float
    redis: float
    slack_calls: float
    hit_rate: float  # answers the evaluation cache graded
    model_calls: float  # gradings the cache missed, and follow-ups
    lambda_gbs: float  # offline scorer: CPU share at the memory size, Slack's latency
    gemini_gbs: float  # the same, waiting for the model too
    tokens_in: float
    tokens_out: float
    thinking: float


def per_answer(meter: Meter, tokens: dict[str, float], mb: int) -> PerAnswer:
    answers, gb = meter.answers, mb / 1024
    model_calls = (meter.grader_calls + meter.writer_calls) / answers
    seconds = sum(meter.durations) / answers
    slack_calls = meter.slack_calls / answers
    lambda_gbs = (seconds / LAMBDA_VCPU_AT_1024 + slack_calls * SLACK_API_SECONDS) * gb
    return PerAnswer(
        invocations=len(meter.durations) / answers,
        http_requests=meter.http_requests / answers,
        handler_seconds=seconds,
        sql=meter.sql / answers,
        redis=meter.redis / answers,
        slack_calls=slack_calls,
        hit_rate=1 - meter.grader_calls / answers,
        model_calls=model_calls,
        lambda_gbs=lambda_gbs,
        gemini_gbs=lambda_gbs + model_calls * MODEL_SECONDS * gb,
        tokens_in=(
            meter.grader_calls * tokens["evaluation_in"]
            + meter.writer_calls * tokens["follow_up_in"]
        )
        / answers,
        tokens_out=(
            meter.grader_calls * tokens["evaluation_out"]
            + meter.writer_calls * tokens["follow_up_out"]
        )
        / answers,
        thinking=model_calls * THINKING_TOKENS,
    )


def dollars(a: PerAnswer, answers: float) -> dict[str, float]:
    """USD for `answers` answers, per line of the bill."""
    gemini_25 = a.tokens_in * price("gemini_25_flash_in_per_m") + (
        a.tokens_out + a.thinking
    ) * price("gemini_25_flash_out_per_m")
    gemini_20 = a.tokens_in * price("gemini_20_flash_in_per_m") + a.tokens_out * price(
        "gemini_20_flash_out_per_m"
    )
    rows = {
        "Lambda compute (x86), offline scorer": a.lambda_gbs * price("lambda_x86_gb_s"),
        "Lambda compute (x86), Gemini": a.gemini_gbs * price("lambda_x86_gb_s"),
        "Lambda compute (arm64), Gemini": a.gemini_gbs * price("lambda_arm_gb_s"),
        "Lambda requests": a.invocations * price("lambda_requests_per_m") / 1e6,
        "API Gateway HTTP API requests": a.http_requests * price("http_api_requests_per_m") / 1e6,
        "Gemini 2.5 Flash tokens (incl. thinking)": gemini_25 / 1e6,
        "Gemini 2.0 Flash tokens": gemini_20 / 1e6,
    }
    requests = rows["Lambda requests"] + rows["API Gateway HTTP API requests"]
    for model in ("Gemini 2.5 Flash", "Gemini 2.0 Flash"):
        token_row = next(label for label in rows if label.startswith(model))
        rows[f"TOTAL with {model}, x86"] = (
            rows["Lambda compute (x86), Gemini"] + requests + rows[token_row]
        )
    return {label: answers * value for label, value in rows.items()}


def cache_saving(a: PerAnswer, tokens: dict[str, float], answers: float, mb: int) -> str:
    """What the hits saved: one 2.5 Flash grading each, and the Lambda's wait for it."""
    grading = (
        tokens["evaluation_in"] * price("gemini_25_flash_in_per_m")
        + (tokens["evaluation_out"] + THINKING_TOKENS) * price("gemini_25_flash_out_per_m")
    ) / 1e6
    waiting = MODEL_SECONDS * mb / 1024 * price("lambda_x86_gb_s")
    hits = a.hit_rate * answers
    return (
        f"evaluation cache saves (at {a.hit_rate:.1%}): Gemini 2.5 Flash {hits * grading:.4f}, "
        f"Lambda wait {hits * waiting:.4f}"
    )


def report(args: argparse.Namespace, meter: Meter, tokens: dict[str, float], mb: int) -> None:
    a = per_answer(meter, tokens, mb)
    answers = 1000 * meter.answers / args.interviews  # in 1,000 interviews
    print(
        f"Interview shape: {args.questions} questions and 1 follow-up ('go deeper' on the "
        f"first), {meter.answers / args.interviews:.0f} answers; {args.interviews} interviews "
        f"through the Slack Lambda handler; MemorySize {mb} MB (template.yaml), x86_64"
    )
    print(
        f"\nPer answer (measured; median invocation {statistics.median(meter.durations) * 1000:.1f} ms)"
    )
    print(f"  Lambda invocations          {a.invocations:6.2f}  (HTTP API {a.http_requests:.2f})")
    print(f"  handler time, this machine  {a.handler_seconds * 1000:6.1f} ms")
    print(f"  SQL statements              {a.sql:6.1f}")
    print(f"  Redis commands              {a.redis:6.1f}")
    print(f"  Slack Web API calls         {a.slack_calls:6.2f}")
    print(
        f"  evaluation cache hit rate   {a.hit_rate:6.1%}  (repeat share {args.repeat_share:.0%})"
    )
    print(f"  model calls (grading + follow-up) {a.model_calls:5.2f}")
    print("\nPer answer (estimated)")
    print(
        f"  Lambda GB-s, offline scorer {a.lambda_gbs:.4f}  (CPU share at {mb} MB, Slack latency)"
    )
    print(f"  Lambda GB-s, with Gemini    {a.gemini_gbs:.4f}  (+ the model's reply time)")
    print(
        f"  tokens in / out / thinking  {a.tokens_in:.0f} / {a.tokens_out:.0f} / {a.thinking:.0f}"
    )
    print(
        f"  tokens per call: grading {tokens['evaluation_in']:.0f} in, "
        f"{tokens['evaluation_out']:.0f} out; follow-up {tokens['follow_up_in']:.0f} in, "
        f"{tokens['follow_up_out']:.0f} out ({tokens['questions']:.0f} bank questions)"
    )
    print(f"\nPer 1,000 interviews ({answers:,.0f} answers), USD at list prices of {PRICES_AS_OF}")
    for label, value in dollars(a, answers).items():
        print(f"  {label:<44} {value:9.4f}")
    print(f"  {cache_saving(a, tokens, answers, mb)}")
    print(
        f"  SQL statements {answers * a.sql:,.0f}, Redis commands {answers * a.redis:,.0f} "
        "(provisioned servers: no per-request price)"
    )
    sqs = 3 * price("sqs_requests_per_m") / 1e6  # send, receive, delete
    print(f"  SQS: not used by interviews; a question-of-the-day answer's 3 requests {sqs:.7f}")
    print(
        f"\nAssumptions: model reply {MODEL_SECONDS} s; Slack API call {SLACK_API_SECONDS} s; "
        f"thinking tokens per 2.5 Flash call {THINKING_TOKENS}"
    )
    print("Prices:", PRICES_AS_OF)
    for name, (value, source) in PRICES.items():
        print(f"  {name:<28} {value:<14} {source}")


if __name__ == "__main__":
    main()
