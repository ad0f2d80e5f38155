"""A stub of Amazon SQS's JSON protocol on 127.0.0.1 for the real boto3 client: SendMessage,
ReceiveMessage, DeleteMessage and ChangeMessageVisibility on one queue, recorded."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Message:
    message_id: str
    body: str
    visible_at: float = 0.0
    receipts: list[str] = field(default_factory=list)


class SqsStub:
    def __init__(self) -> None:
        self.messages: dict[str, Message] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def queue_url(self) -> str:
        return f"{self.endpoint}/123456789012/interviewbot-evaluations"

    def __enter__(self) -> SqsStub:
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "sqs",
            endpoint_url=self.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def records(self) -> list[dict[str, Any]]:
        """The visible messages as Lambda's SQS event source hands them over (and now invisible)."""
        now, found = time.time(), []
        with self._lock:
            for message in self.messages.values():
                if message.visible_at <= now:
                    receipt = f"rh-{message.message_id}-{len(message.receipts)}"
                    message.receipts.append(receipt)
                    message.visible_at = now + 30
                    found.append(
                        {
                            "messageId": message.message_id,
                            "receiptHandle": receipt,
                            "body": message.body,
                            "eventSource": "aws:sqs",
                        }
                    )
        return found

    def handle(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append((action, body))
            if action == "SendMessage":
                message = Message(str(next(self._ids)), body["MessageBody"])
                self.messages[message.message_id] = message
                digest = hashlib.md5(message.body.encode()).hexdigest()
                return {"MessageId": message.message_id, "MD5OfMessageBody": digest}
            if action == "ChangeMessageVisibility":
                for message in self.messages.values():
                    if body["ReceiptHandle"] in message.receipts:
                        message.visible_at = time.time() + int(body["VisibilityTimeout"])
                return {}
            if action == "DeleteMessage":
                self.messages = {
                    k: m
                    for k, m in self.messages.items()
                    if body["ReceiptHandle"] not in m.receipts
                }
                return {}
        return {}


def _handler(stub: SqsStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            action = str(self.headers.get("x-amz-target", "")).rpartition(".")[2]
            answer = json.dumps(stub.handle(action, json.loads(raw or b"{}"))).encode()
            self.send_response(200)
            self.send_header("content-type", "application/x-amz-json-1.0")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler
