"""Web answers never wait for the model: the request stores the answer and returns at once;
the evaluation runs afterwards (worker threads locally, an asynchronous self-invocation on
Lambda) and the interview's status (`GET /api/practice/{id}`) shows it landing.

The stub model does not answer until the test lets it (as a model slower than API Gateway's
30 s would), so "the request returned first" is a fact rather than a race against a sleep."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import Core, build_core
from core.domain.errors import LlmUnavailable
from tests.web.conftest import EmbeddedSettings, Serving
from tests.web.helpers import PASSWORD, new_email, register_api, wait_for_evaluation

ANSWER = (
    "An index is a separate B-tree kept sorted by the indexed columns, so lookups and range "
    "scans avoid reading the whole table; every write must also update the index."
)
HELD_FOR_AT_MOST = 60.0  # a test that never releases the model fails instead of hanging
CONTEXT = SimpleNamespace(
    function_name="interviewbot-web",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:interviewbot-web:live",
    aws_request_id="c6af9ac6-7b61-11e6-9a41-93e812345678",
)


class SlowModel(OfflineEvaluator):
    """The offline scorer behind a model that takes `seconds` to answer, or with `held()`
    answers only once `release()` is called; counts its calls."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.calls = 0
        self.fail_next = False
        self.answered = threading.Event()
        self._gate: threading.Event | None = None

    def held(self) -> SlowModel:
        self._gate = threading.Event()
        return self

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self._gate is not None:
            assert self._gate.wait(HELD_FOR_AT_MOST), "the test never released the model"
        else:
            time.sleep(self.seconds)
        if self.fail_next:
            self.fail_next = False
            raise LlmUnavailable("The model did not answer in time.", kind="timeout")
        try:
            return super().evaluate(question, answer)
        finally:
            self.answered.set()


@pytest.fixture
def core_with(embedded_settings: EmbeddedSettings) -> Callable[[SlowModel], Core]:
    """A core on a database of the test's own (at the head) whose evaluator is `model`."""

    def wire(model: SlowModel) -> Core:
        llm = (model, OfflineQuestionWriter())
        return build_core(embedded_settings(), auto_migrate=True, llm=llm)

    return wire


@pytest.fixture
def slow(
    core_with: Callable[[SlowModel], Core], serving: Serving
) -> Iterator[tuple[TestClient, SlowModel]]:
    model = SlowModel(0).held()
    core = core_with(model)
    with serving(core) as client:
        yield client, model
    core.close()


def _start(client: TestClient, headers: dict[str, str]) -> int:
    body = {"role": "backend", "difficulty": "easy", "questions": 2}
    return int(client.post("/api/practice", json=body, headers=headers).json()["session"]["id"])


def test_an_answer_returns_while_the_model_is_still_thinking_and_its_grade_lands_later(
    slow: tuple[TestClient, SlowModel],
) -> None:
    client, model = slow
    headers = register_api(client)
    sid = _start(client, headers)
    body = {"text": ANSWER, "position": 1, "delivery_id": "slow-answer-1"}

    started = time.monotonic()
    posted = client.post(f"/api/practice/{sid}/answer", json=body, headers=headers)
    took = time.monotonic() - started

    assert posted.status_code == 202, posted.text
    assert not model.answered.is_set()  # the model has not answered: the request did not wait
    assert took < 5, f"the request took {took:.1f} s"
    accepted = posted.json()
    assert accepted["status"] == "in_progress" and accepted["attempt"]["answer"] == ANSWER
    assert posted.headers["location"] == accepted["status_url"] == f"/api/practice/{sid}"
    state = client.get(f"/api/practice/{sid}", headers=headers).json()
    assert state["step"] == "evaluating" and state["attempt"]["status"] == "pending"
    assert state["actions"] == ["end"]  # nothing to do but wait (or end)

    again = client.post(f"/api/practice/{sid}/answer", json=body, headers=headers)
    assert again.status_code == 202 and again.json()["duplicate"] is True  # at once, too

    model.release()
    entry = wait_for_evaluation(client, sid, 1, headers)
    assert entry["step"] == "evaluated" and entry["attempt"]["evaluation"]["feedback"]
    assert model.calls == 1  # the repeat waited on the lock instead of calling the model again


def test_the_page_shows_the_answer_saved_and_follows_the_evaluation(
    core_with: Callable[[SlowModel], Core], serving: Serving
) -> None:
    from tests.web.helpers import browser_register, csrf_from

    model = SlowModel(0).held()  # evaluating until the page has been checked
    core = core_with(model)
    with serving(core) as client:
        browser_register(client)
        token = csrf_from(client, "/practice")
        started = client.post(
            "/practice",
            data={"role": "backend", "request_id": "page-req-0001", "csrf_token": token},
        )
        page = started.text
        sid = int(str(started.url).rsplit("/", 1)[1])
        delivery = page.split('name="delivery" value="', 1)[1].split('"', 1)[0]
        form = {"text": ANSWER, "position": "1", "delivery": delivery, "csrf_token": token}
        shown = client.post(f"/practice/{sid}/answer", data=form)
        assert shown.status_code == 200 and 'data-step="evaluating"' in shown.text
        assert f'data-poll="/api/practice/{sid}"' in shown.text  # the script follows this
        assert "Your answer is saved" in shown.text and ANSWER in shown.text
        model.release()
        wait_for_evaluation(client, sid, 1)
        assert 'data-testid="score"' in client.get(f"/practice/{sid}").text
    core.close()


def test_retry_runs_in_the_background_too(
    core_with: Callable[[SlowModel], Core], serving: Serving
) -> None:
    model = SlowModel(0)
    model.fail_next = True
    core = core_with(model)
    with serving(core) as client:
        headers = register_api(client)
        sid = _start(client, headers)
        body = {"text": ANSWER, "position": 1, "delivery_id": "retry-answer-1"}
        assert client.post(f"/api/practice/{sid}/answer", json=body, headers=headers).is_success
        assert wait_for_evaluation(client, sid, 1, headers)["step"] == "failed"
        model.held()  # the retry's evaluation waits until the page has been checked
        retried = client.post(f"/api/practice/{sid}/retry", json={"position": 1}, headers=headers)
        assert retried.status_code == 202 and retried.json()["status"] == "in_progress"
        state = client.get(f"/api/practice/{sid}", headers=headers).json()
        entry = next(e for e in state["questions"] if e["question"]["position"] == 1)
        assert state["step"] == entry["step"] == "evaluating"  # shown as being evaluated again
        model.release()
        assert wait_for_evaluation(client, sid, 1, headers)["step"] == "evaluated"
    core.close()


# ---------------------------------------------------------------- on Lambda


class RecordingLambda:
    """Stands in for boto3's Lambda client: records each invocation for the test to replay."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail:
            raise RuntimeError("TooManyRequestsException: Rate exceeded")
        self.calls.append(kwargs)
        return {"StatusCode": 202}


def _http_event(method: str, path: str, body: Any = None, headers: Any = None) -> dict[str, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "cookies": [],
        "headers": {
            "host": "abcdefghij.execute-api.eu-west-1.amazonaws.com",
            "content-type": "application/json",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdefghij",
            "domainName": "abcdefghij.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abcdefghij",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "06/Dec/2026:12:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
        },
        "body": base64.b64encode(raw).decode(),
        "isBase64Encoded": True,
    }


@pytest.fixture
def on_lambda(core_with, on_lambda_handler, monkeypatch):  # type: ignore[no-untyped-def]
    """The web function's handler over a core with a held model; a recording client."""
    import web.aws_lambda

    model = SlowModel(0).held()
    core = core_with(model)
    with on_lambda_handler(core) as handler:
        recorder = RecordingLambda()
        handler.app.state.resources.evaluations.lambda_client = recorder
        monkeypatch.setattr(web.aws_lambda, "_handler", handler)
        yield SimpleNamespace(core=core, model=model, lambda_client=recorder)
    core.close()


def _call(method: str, path: str, body: Any = None, token: str = "") -> dict[str, Any]:
    import web.aws_lambda

    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = web.aws_lambda.handler(_http_event(method, path, body, headers), CONTEXT)
    decoded = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer["body"]
    return {"status": answer["statusCode"], "json": json.loads(decoded or "null")}


def _lambda_sign_in() -> str:
    import web.aws_lambda

    email = new_email()
    assert (
        _call("POST", "/api/auth/register", {"email": email, "password": PASSWORD})["status"] == 201
    )
    form = f"username={email.replace('@', '%40')}&password={PASSWORD.replace(' ', '+')}"
    event = _http_event("POST", "/api/auth/jwt/login")
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    event["body"] = base64.b64encode(form.encode()).decode()
    answer = web.aws_lambda.handler(event, CONTEXT)
    return str(json.loads(answer["body"])["access_token"])


def test_on_lambda_the_request_invokes_the_function_asynchronously_and_never_the_model(
    on_lambda: Any,
) -> None:
    import web.aws_lambda

    token = _lambda_sign_in()
    started = _call("POST", "/api/practice", {"role": "backend", "questions": 2}, token)
    sid = started["json"]["session"]["id"]
    body = {"text": ANSWER, "position": 1, "delivery_id": "lambda-answer-1"}

    begun = time.monotonic()
    posted = _call("POST", f"/api/practice/{sid}/answer", body, token)
    assert posted["status"] == 202 and time.monotonic() - begun < 5
    assert on_lambda.model.calls == 0  # the request never called the model
    (invocation,) = on_lambda.lambda_client.calls
    assert invocation["FunctionName"] == CONTEXT.invoked_function_arn  # the alias: same version
    assert invocation["InvocationType"] == "Event"
    assert _call("GET", f"/api/practice/{sid}", token=token)["json"]["step"] == "evaluating"

    # Lambda runs the recorded event: the same handler, a job instead of an HTTP request.
    on_lambda.model.release()
    result = web.aws_lambda.handler(json.loads(invocation["Payload"]), CONTEXT)
    assert result == {"evaluated": sid} and on_lambda.model.calls == 1
    state = _call("GET", f"/api/practice/{sid}", token=token)["json"]
    assert state["step"] == "evaluated" and state["attempt"]["evaluation"]["feedback"]


def test_on_lambda_a_failed_invocation_evaluates_in_the_request_instead(on_lambda: Any) -> None:
    on_lambda.model.release()
    on_lambda.lambda_client.fail = True
    token = _lambda_sign_in()
    sid = _call("POST", "/api/practice", {"role": "backend"}, token)["json"]["session"]["id"]
    body = {"text": ANSWER, "position": 1, "delivery_id": "lambda-answer-2"}
    assert _call("POST", f"/api/practice/{sid}/answer", body, token)["status"] == 202
    assert _call("GET", f"/api/practice/{sid}", token=token)["json"]["step"] == "evaluated"


def test_a_forged_job_evaluates_nothing_that_is_not_the_named_account_s(on_lambda: Any) -> None:
    """A job names the account; the core checks the session is that account's."""
    import web.aws_lambda

    token = _lambda_sign_in()
    sid = _call("POST", "/api/practice", {"role": "backend"}, token)["json"]["session"]["id"]
    body = {"text": ANSWER, "position": 1, "delivery_id": "lambda-answer-3"}
    on_lambda.model.release()
    _call("POST", f"/api/practice/{sid}/answer", body, token)
    forged = json.loads(on_lambda.lambda_client.calls[0]["Payload"])
    forged["web_user_id"] = "00000000-0000-0000-0000-000000000000"
    web.aws_lambda.handler(forged, CONTEXT)
    assert on_lambda.model.calls == 0
