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


def report(args: argparse.Namespace, meter: Meter, tokens: dict[str, float], mb: int) -> None:
    answers = meter.answers
    per_interview = answers / args.interviews
    evaluations = meter.grader_calls  # cache misses: what the model would be asked
    hit_rate = 1 - evaluations / answers
    follow_ups = meter.writer_calls
    seconds = sum(meter.durations) / answers
    slack_calls = meter.slack_calls / answers
    llm_wait = (evaluations + follow_ups) / answers * MODEL_SECONDS
    gb = mb / 1024
    measured_gbs = seconds * gb
    lambda_gbs = (seconds / LAMBDA_VCPU_AT_1024 + slack_calls * SLACK_API_SECONDS) * gb
    gemini_gbs = lambda_gbs + llm_wait * gb
    invocations = len(meter.durations) / answers
    http_requests = meter.http_requests / answers
    eval_in, eval_out = tokens["evaluation_in"], tokens["evaluation_out"]
    fu_in, fu_out = tokens["follow_up_in"], tokens["follow_up_out"]
    in_tokens = (evaluations * eval_in + follow_ups * fu_in) / answers
    out_tokens = (evaluations * eval_out + follow_ups * fu_out) / answers
    thinking = (evaluations + follow_ups) / answers * THINKING_TOKENS

    print(
        f"Interview shape: {args.questions} questions and 1 follow-up ('go deeper' on the "
        f"first), {per_interview:.0f} answers; {args.interviews} interviews through the Slack "
        f"Lambda handler; MemorySize {mb} MB (template.yaml), x86_64"
    )
    print(
        f"\nPer answer (measured, median invocation {statistics.median(meter.durations) * 1000:.1f} ms)"
    )
    print(
        f"  Lambda invocations          {invocations:6.2f}  (HTTP API requests {http_requests:.2f})"
    )
    print(f"  handler time, this machine  {seconds * 1000:6.1f} ms  -> {measured_gbs:.5f} GB-s")
    print(f"  SQL statements              {meter.sql / answers:6.1f}")
    print(f"  Redis commands              {meter.redis / answers:6.1f}")
    print(f"  Slack Web API calls         {slack_calls:6.2f}")
    print(f"  evaluation cache hit rate   {hit_rate:6.1%}  (repeat share {args.repeat_share:.0%})")
    print(f"  model calls (grade + follow-up) {(evaluations + follow_ups) / answers:5.2f}")
    print("\nPer answer (estimated)")
    print(f"  Lambda GB-s, offline scorer {lambda_gbs:.4f}  (CPU share at {mb} MB, Slack latency)")
    print(
        f"  Lambda GB-s, with Gemini    {gemini_gbs:.4f}  (+ {llm_wait:.2f} s waiting for the model)"
    )
    print(f"  tokens in / out / thinking  {in_tokens:6.0f} / {out_tokens:4.0f} / {thinking:4.0f}")
    print(
        f"  tokens per call: grading {eval_in:.0f} in, {eval_out:.0f} out; follow-up "
        f"{fu_in:.0f} in, {fu_out:.0f} out"
    )

    n = 1000 * per_interview  # answers in 1,000 interviews
    rows = {
        "Lambda compute (x86), offline scorer": n * lambda_gbs * price("lambda_x86_gb_s"),
        "Lambda compute (x86), Gemini": n * gemini_gbs * price("lambda_x86_gb_s"),
        "Lambda compute (arm64), Gemini": n * gemini_gbs * price("lambda_arm_gb_s"),
        "Lambda requests": n * invocations * price("lambda_requests_per_m") / 1e6,
        "API Gateway HTTP API requests": n * http_requests * price("http_api_requests_per_m") / 1e6,
        "Gemini 2.5 Flash tokens (incl. thinking)": n
        * (
            in_tokens * price("gemini_25_flash_in_per_m")
            + (out_tokens + thinking) * price("gemini_25_flash_out_per_m")
        )
        / 1e6,
        "Gemini 2.0 Flash tokens": n
        * (
            in_tokens * price("gemini_20_flash_in_per_m")
            + out_tokens * price("gemini_20_flash_out_per_m")
        )
        / 1e6,
    }
    print(f"\nPer 1,000 interviews ({n:,.0f} answers), USD at list prices of {PRICES_AS_OF}")
    for label, dollars in rows.items():
        print(f"  {label:<44} {dollars:9.4f}")
    requests = rows["Lambda requests"] + rows["API Gateway HTTP API requests"]
    for model in ("Gemini 2.5 Flash tokens (incl. thinking)", "Gemini 2.0 Flash tokens"):
        total = rows["Lambda compute (x86), Gemini"] + requests + rows[model]
        label = f"TOTAL with {model.split(' tokens')[0]}, x86"
        print(f"  {label:<44} {total:9.4f}")
    saved = (
        hit_rate
        * n
        * (
            eval_in * price("gemini_25_flash_in_per_m")
            + (eval_out + THINKING_TOKENS) * price("gemini_25_flash_out_per_m")
        )
        / 1e6
    )
    saved_lambda = hit_rate * n * MODEL_SECONDS * gb * price("lambda_x86_gb_s")
    print(
        f"  evaluation cache saves (at {hit_rate:.1%}): Gemini 2.5 Flash {saved:.4f}, "
        f"Lambda wait {saved_lambda:.4f}"
    )
    print(
        f"  SQL statements {n * meter.sql / answers:,.0f}, Redis commands "
        f"{n * meter.redis / answers:,.0f} (provisioned servers: no per-request price)"
    )
    sqs = 3 * price("sqs_requests_per_m") / 1e6  # send, receive, delete
    print(f"  SQS: not used by interviews; a question-of-the-day answer's 3 requests {sqs:.7f}")
    print(
        "\nAssumptions: model reply",
        MODEL_SECONDS,
        "s; Slack API call",
        SLACK_API_SECONDS,
        "s; thinking tokens per 2.5 Flash call",
        THINKING_TOKENS,
    )
    print("Prices:", PRICES_AS_OF)
    for name, (value, source) in PRICES.items():
        print(f"  {name:<28} {value:<14} {source}")


if __name__ == "__main__":
    main()
