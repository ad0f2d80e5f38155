"""The fixed, extensible taxonomy of improvement tags an evaluation may carry."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TAXONOMY", "ImprovementTag", "known_tags", "normalise_tags", "register_tag"]


@dataclass(frozen=True, slots=True)
class ImprovementTag:
    slug: str
    label: str
    practice: str  # what to practise when this tag keeps coming back


TAXONOMY: dict[str, ImprovementTag] = {}


def register_tag(slug: str, label: str, practice: str) -> ImprovementTag:
    """Add a tag to the taxonomy (deployments may extend it at start-up)."""
    tag = ImprovementTag(slug, label, practice)
    TAXONOMY[slug] = tag
    return tag


def known_tags() -> list[str]:
    return sorted(TAXONOMY)


def normalise_tags(tags: object, *, limit: int = 5) -> tuple[str, ...]:
    """Keep only taxonomy slugs (model output may invent or misspell tags), in order, no repeats."""
    if not isinstance(tags, list | tuple):
        return ()
    seen: list[str] = []
    for raw in tags:
        slug = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
        if slug in TAXONOMY and slug not in seen:
            seen.append(slug)
    return tuple(seen[:limit])


for _slug, _label, _practice in [
    (
        "fundamentals",
        "Core fundamentals",
        "Revisit the definitions and mechanics behind the topic.",
    ),
    (
        "correctness",
        "Technical accuracy",
        "Check each claim against documentation or a small experiment.",
    ),
    ("depth", "Depth of explanation", "Explain how it works underneath, not only what it does."),
    ("completeness", "Missing key points", "List the key points of the topic before answering."),
    ("trade-offs", "Trade-offs", "Name the alternatives and when each one wins."),
    ("edge-cases", "Edge cases", "Walk through failure, empty and extreme inputs."),
    ("examples", "Concrete examples", "Back each point with a concrete example from practice."),
    (
        "communication",
        "Clarity and structure",
        "Answer in a clear order: summary, details, conclusion.",
    ),
    ("complexity", "Complexity analysis", "State time and space complexity and why."),
    ("scalability", "Scalability", "Say what breaks first under 10x and 100x load, and the fix."),
    (
        "reliability",
        "Reliability and failure handling",
        "Cover retries, timeouts, idempotency, failover.",
    ),
    ("performance", "Performance", "Measure before optimising; know the common bottlenecks."),
    ("security", "Security", "Think about threats, least privilege and input validation."),
    ("testing", "Testing", "Describe how you would test it at unit and integration level."),
    ("data-modeling", "Data modelling", "Practise schemas, keys, indexes and access patterns."),
    ("concurrency", "Concurrency", "Reason about races, locks, and what runs in parallel."),
    ("observability", "Observability", "Cover logs, metrics, traces and alerting."),
    (
        "terminology",
        "Precise terminology",
        "Use the precise technical terms for what you describe.",
    ),
    ("architecture", "Architecture", "Sketch components, their responsibilities and interfaces."),
    ("star-structure", "STAR structure", "Tell stories as Situation, Task, Action, Result."),
    ("impact", "Measurable impact", "Quantify the result: numbers, before and after."),
    ("ownership", "Ownership", "Say what you personally did and decided, not only the team."),
    ("collaboration", "Collaboration", "Show how you worked with others and handled disagreement."),
    ("reflection", "Reflection", "Say what you learned and would do differently."),
    ("relevance", "Answering the question asked", "Re-read the question and answer it directly."),
]:
    register_tag(_slug, _label, _practice)
