"""The evaluation queue on AWS: SQS (see infra/README.md for why SQS over Lambda's own
asynchronous queue). The Slack and Discord functions send the id of each stored answer; the
evaluation worker (core.jobs.evaluation_handler) receives them in batches. A message whose turn
at the model is still far off is made invisible for exactly that long (ChangeMessageVisibility)
instead of holding a Lambda asleep; one whose worker died reappears after the visibility
timeout; after maxReceiveCount it goes to the dead-letter queue, and the answer, still pending
in the database, is evaluated by maintenance."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MAX_DELAY_SECONDS = 900  # SQS's cap on a message's delay
MAX_VISIBILITY_SECONDS = 43_200


def answer_message(answer_id: int) -> str:
    return json.dumps({"qotd_answer": answer_id})


def answer_of(body: str) -> int | None:
    """The answer id in a message body; None for anything else."""
    try:
        value = json.loads(body).get("qotd_answer")
    except (ValueError, AttributeError):
        return None
    return int(value) if isinstance(value, int) else None


class SqsEvaluationQueue:
    def __init__(self, queue_url: str, client_factory: Callable[[], Any] | None = None) -> None:
        self.queue_url = queue_url
        self._factory = client_factory or _boto_sqs
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:  # boto3 is imported on the first send, not on the ack path
            self._client = self._factory()
        return self._client

    def submit(self, answer_id: int) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=answer_message(answer_id))

    def retry_later(self, receipt_handle: str, seconds: float) -> None:
        """Hide a received message for `seconds` (its turn at the model is that far off)."""
        self.client.change_message_visibility(
            QueueUrl=self.queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=max(1, min(MAX_VISIBILITY_SECONDS, int(seconds + 0.999))),
        )


def _boto_sqs() -> Any:
    import boto3  # in every Lambda Python runtime

    return boto3.client("sqs")
