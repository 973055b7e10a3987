# The runtime of every locustfile `perflab export locust` writes: the same request, stream reading and
# retry rules as perflab's engine (src/engine/request-runner.ts, chat-stream.ts, responses-stream.ts).
# The export fills in the scenario below and adds one user class per target at the end.

import json
import os
import random
import time
from pathlib import Path

import gevent
import requests
import locust.runners
from locust import User, constant, constant_throughput, events, task
from locust.exception import StopUser

# Debian's python3-locust reports its version as "" and a master then turns every worker away as
# "an old (pre 2.0) worker". Any non-empty version, the same on master and workers, lets them talk.
if not locust.runners.__version__:
    locust.runners.__version__ = "2 (version unknown)"

HERE = Path(__file__).resolve().parent

# The scenario, as perflab planned it. Edit the scenario and export again rather than this.
SETTINGS = {}
TARGETS = []
PER_USER_RPS = None
PREFIX_DIGITS = 12
# End of the scenario.

# Optional: a directory where each process appends one JSON line per request (requests-<pid>.jsonl).
REQUEST_LOG_DIR = os.environ.get("PERFLAB_REQUEST_LOG")

@events.quitting.add_listener
def _final_csv_tick(environment, **_kwargs):
    # Locust 2.12 rewrites its --csv files once a second and not at exit, so the last second of a run
    # would be missing from them: wait for one more tick, now that the numbers are final.
    options = getattr(environment, "parsed_options", None)
    if options is not None and getattr(options, "csv_prefix", None) and not getattr(options, "worker", False):
        gevent.sleep(1.5)


def load_prompts(name):
    lines = []
    with open(HERE / name, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                lines.append(json.loads(line))
    if not lines:
        raise RuntimeError(name + ": no prompts")
    return lines


def with_prefix(prompt):
    """The body to send: the anti-cache prefix placeholder replaced by random digits (same token count)."""
    body = prompt["body"]
    at = prompt.get("prefix_at")
    if not at:
        return body
    body = json.loads(json.dumps(body))  # a copy: the template is shared by every request
    node = body
    for step in at[:-1]:
        node = node[step]
    digits = "".join(random.choice("0123456789") for _ in range(PREFIX_DIGITS))
    node[at[-1]] = digits + node[at[-1]][PREFIX_DIGITS:]
    return body


def poisson_pacing(rate_per_s):
    """Open-loop Poisson arrivals for one user: exponential gaps, kept on schedule when a request runs long."""
    def wait_time(self):
        now = time.monotonic()
        due = getattr(self, "_perflab_due", now)
        due = max(due, now - 1.0 / rate_per_s) + random.expovariate(rate_per_s)
        self._perflab_due = due
        return max(0.0, due - now)
    return wait_time


def scenario_wait_time():
    """The workload's pacing as Locust's wait_time: think time between a user's requests (closed loop),
    or each user's share of the rate, evenly spaced or with Poisson arrivals (open loop)."""
    if SETTINGS["mode"] == "closed":
        return constant(SETTINGS["think_time_s"])
    if SETTINGS["arrival"] == "poisson":
        return poisson_pacing(PER_USER_RPS)
    return constant_throughput(PER_USER_RPS)


def non_empty(value):
    return isinstance(value, str) and value != ""


class StreamState:
    def __init__(self):
        self.first_visible = None
        self.last_visible = None
        self.first_reasoning = None
        self.output_events = 0
        self.usage = None
        self.finish_reason = None
        self.text_chars = 0
        self.error = None
        self.done = False


def read_chat_event(name, chunk, at, s):
    """Chat Completions chunk (docs/stream-shapes.md 1, 3-6). Returns False when the stream is over."""
    if name == "error" or (isinstance(chunk, dict) and (chunk.get("error") or chunk.get("object") == "error")):
        inner = chunk.get("error") or chunk
        s.error = "error event in stream: " + str(inner.get("message") if isinstance(inner, dict) else inner)
        return False
    usage = chunk.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), (int, float)):
        details = usage.get("completion_tokens_details") or {}
        s.usage = {
            "prompt_tokens": usage.get("prompt_tokens"),
            "completion_tokens": usage["completion_tokens"],
            "reasoning_tokens": details.get("reasoning_tokens") or 0,
        }
    choices = chunk.get("choices") or []
    if not choices:
        return True  # Azure's prompt-filter chunk, the usage chunk
    choice = choices[0] or {}
    if choice.get("finish_reason"):
        s.finish_reason = choice["finish_reason"]
    delta = choice.get("delta")
    if not delta:
        return True  # Azure's asynchronous-filter annotations carry no delta
    reasoning = non_empty(delta.get("reasoning_content")) or non_empty(delta.get("reasoning"))
    visible = non_empty(delta.get("content")) or non_empty(delta.get("refusal")) or bool(delta.get("tool_calls"))
    add_output(s, at, reasoning, visible, len(delta.get("content") or ""))
    return True


VISIBLE_DELTAS = ("response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta")
REASONING_DELTAS = ("response.reasoning_summary_text.delta", "response.reasoning_text.delta")


def read_responses_event(name, data, at, s):
    """Responses API event (docs/stream-shapes.md 2). Returns False when the stream is over."""
    kind = data.get("type") if isinstance(data.get("type"), str) else name
    if kind == "error" or (data.get("error") and kind != "response.failed"):
        inner = data.get("error") or data
        s.error = "error event in stream: " + str(inner.get("message") if isinstance(inner, dict) else inner)
        return False
    if kind in VISIBLE_DELTAS:
        if non_empty(data.get("delta")):
            add_output(s, at, False, True, len(data["delta"]))
        return True
    if kind in REASONING_DELTAS:
        if non_empty(data.get("delta")):
            add_output(s, at, True, False, 0)
        return True
    if kind in ("response.completed", "response.incomplete", "response.failed"):
        usage = (data.get("response") or {}).get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("output_tokens"), (int, float)):
            details = usage.get("output_tokens_details") or {}
            s.usage = {
                "prompt_tokens": usage.get("input_tokens"),
                "completion_tokens": usage["output_tokens"],
                "reasoning_tokens": details.get("reasoning_tokens") or 0,
            }
        if kind == "response.failed":
            err = (data.get("response") or {}).get("error")
            s.error = "response failed: " + str(err.get("message") if isinstance(err, dict) else err)
        else:
            s.finish_reason = "stop" if kind == "response.completed" else "length"
        s.done = True
        return False
    return True


def add_output(s, at, reasoning, visible, chars):
    if not reasoning and not visible:
        return  # role-only and empty chunks are not tokens
    s.output_events += 1
    if reasoning and s.first_reasoning is None:
        s.first_reasoning = at
    if visible:
        if s.first_visible is None:
            s.first_visible = at
        s.last_visible = at
        s.text_chars += chars


def retry_after_seconds(headers):
    value = headers.get("retry-after-ms")
    try:
        if value is not None:
            return float(value) / 1000.0
    except ValueError:
        pass
    value = headers.get("retry-after")
    try:
        if value is not None:
            return float(value)
    except ValueError:
        pass
    return None


class LlmUser(User):
    abstract = True
    target = None
    wait_time = scenario_wait_time()

    def on_start(self):
        t = self.target
        self.session = requests.Session()
        self.session.trust_env = True  # proxies from HTTPS_PROXY / NO_PROXY, as curl would
        self.headers = dict(t["headers"])
        key = t.get("key")
        if key:
            value = os.environ.get(key["env"])
            if value:
                self.headers[key["header"]] = key["scheme"] + value
            elif key["required"]:
                events.request.fire(request_type="LLM", name="e2e", response_time=0, response_length=0,
                                    exception=RuntimeError("environment variable " + key["env"] + " is not set"), context={})
                raise StopUser()
        self.url = self.host.rstrip("/") + t["path"]
        self.prompts = load_prompts(t["prompts"])
        self.next_prompt = random.randrange(len(self.prompts))  # users start at different lines
        self.sent = 0
        self.pid = os.getpid()
        if PER_USER_RPS:
            # Spread the users' phases over one period, so a constant rate does not arrive in bursts.
            gevent.sleep(random.uniform(0, 1.0 / PER_USER_RPS))
            # constant_throughput measures its first period from the end of the first request, not its
            # start (one request fewer per user over a run); start its clock now.
            self._cp_last_run = time.time()
            self._cp_last_wait_time = 0

    @task
    def llm_request(self):
        quota = SETTINGS["requests_per_user"]
        if quota is not None and self.sent >= quota:
            raise StopUser()
        prompt = self.prompts[self.next_prompt % len(self.prompts)]
        self.next_prompt += 1
        self.sent += 1
        report = self.sent > SETTINGS["warm_up_per_user"]
        result = self.one_request(prompt)
        if report:
            self.report(result)
        if REQUEST_LOG_DIR:
            log_request(self, result, report)

    def one_request(self, prompt):
        """One logical request with the scenario's retry policy (request-runner.ts)."""
        body = json.dumps(with_prefix(prompt), ensure_ascii=False).encode("utf-8")
        headers = dict(self.headers)
        headers["x-perflab-request-id"] = "locust-%d-%d-%d" % (self.pid, id(self) % 100000, self.sent)
        attempts = 0
        throttled = 0
        backoff = 0.0
        first_start = None
        while True:
            attempts += 1
            r = self.attempt(body, headers)
            if first_start is None:
                first_start = r["start"]
            if r["status"] != 429:
                break
            throttled += 1
            events.request.fire(request_type="LLM", name="throttled (429)", response_time=r["ttfb_ms"] or 0,
                                response_length=0, exception=None, context={})
            budget = SETTINGS["max_retry_s"] - (time.perf_counter() - first_start)
            if budget <= 0:
                break
            if SETTINGS["retry"] == "exponential":
                wait = r["retry_after_s"]
                if wait is None:
                    wait = min(8.0, 0.5 * 2 ** (throttled - 1)) * (0.5 + random.random() / 2)
                wait = min(budget, wait)
                gevent.sleep(wait)
                backoff += wait
        # none: latencies restart at the last attempt; exponential: measured from the first one.
        start = first_start if SETTINGS["retry"] == "exponential" else r["start"]
        r["attempts"] = attempts
        r["throttled_attempts"] = throttled
        r["backoff_ms"] = backoff * 1000.0
        r["measured_start"] = start
        return r

    def attempt(self, body, headers):
        s = StreamState()
        r = {"status": None, "start": time.perf_counter(), "start_ms": time.time() * 1000.0, "ttfb_ms": None,
             "retry_after_s": None, "state": s, "end": None}
        read_event = read_responses_event if self.target["api"] == "responses" else read_chat_event
        deadline = r["start"] + SETTINGS["request_timeout_s"]
        try:
            resp = self.session.post(self.url, data=body, headers=headers, stream=True,
                                     timeout=(10, SETTINGS["idle_timeout_s"]))
        except requests.RequestException as e:
            s.error = "connection: " + str(e)
            r["end"] = time.perf_counter()
            return r
        try:
            r["ttfb_ms"] = (time.perf_counter() - r["start"]) * 1000.0
            r["status"] = resp.status_code
            if resp.status_code != 200:
                r["retry_after_s"] = retry_after_seconds(resp.headers)
                text = resp.text[:300]
                s.error = "HTTP %d: %s" % (resp.status_code, text)
                r["end"] = time.perf_counter()
                return r
            event_name = None
            data_lines = []
            finished = False
            # chunk_size=None: lines are handed over as the server's chunks arrive (no 512-byte buffering).
            for raw in resp.iter_lines(chunk_size=None):
                now = time.perf_counter()
                if now > deadline:
                    s.error = "timeout: request took longer than %s s" % SETTINGS["request_timeout_s"]
                    break
                line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
                if line.endswith("\r"):
                    line = line[:-1]
                if line == "":
                    if not data_lines:
                        event_name = None
                        continue
                    data = "\n".join(data_lines)
                    name = event_name
                    data_lines = []
                    event_name = None
                    if data == "[DONE]":
                        finished = True
                        r["end"] = now
                        break
                    try:
                        parsed = json.loads(data)
                    except ValueError:
                        s.error = "malformed_stream: invalid JSON in stream event: " + data[:200]
                        break
                    if not isinstance(parsed, dict):
                        continue
                    if not read_event(name, parsed, now, s):
                        finished = s.error is None
                        r["end"] = now
                        break
                elif line.startswith(":"):
                    continue  # comment / keep-alive ping
                elif line.startswith("data:"):
                    data_lines.append(line[5:].lstrip(" ") if line[5:6] == " " else line[5:])
                elif line.startswith("event:"):
                    event_name = line[6:].strip()
            if r["end"] is None:
                r["end"] = time.perf_counter()
            if s.error is None and not finished and s.finish_reason is None:
                s.error = "stream_dropped: stream ended before the finish chunk"
        except requests.RequestException as e:
            s.error = "stream_dropped: " + str(e)
            r["end"] = time.perf_counter()
        finally:
            resp.close()
        return r

    def report(self, r):
        s = r["state"]
        start = r["measured_start"]
        e2e = ((r["end"] or time.perf_counter()) - start) * 1000.0
        fire = events.request.fire
        if s.error is not None:
            fire(request_type="LLM", name="e2e", response_time=e2e, response_length=0,
                 exception=RuntimeError(s.error[:300]), context={})
            return
        completion = s.usage["completion_tokens"] if s.usage else None
        reasoning = s.usage["reasoning_tokens"] if s.usage else 0
        if s.first_visible is not None:
            fire(request_type="LLM", name="ttft", response_time=(s.first_visible - start) * 1000.0,
                 response_length=0, exception=None, context={})
        if s.first_reasoning is not None:
            fire(request_type="LLM", name="ttfr", response_time=(s.first_reasoning - start) * 1000.0,
                 response_length=0, exception=None, context={})
        if completion is not None:
            visible = completion - (reasoning or 0)
            if visible > 1 and s.first_visible is not None and s.last_visible is not None:
                fire(request_type="LLM", name="tbt", response_time=(s.last_visible - s.first_visible) * 1000.0 / (visible - 1),
                     response_length=visible, exception=None, context={})
        fire(request_type="LLM", name="e2e", response_time=e2e, response_length=completion or 0,
             exception=None, context={})


def log_request(user, r, reported):
    s = r["state"]
    start = r["measured_start"]
    ms = lambda t: None if t is None else round((t - start) * 1000.0, 3)
    completion = s.usage["completion_tokens"] if s.usage else None
    reasoning = s.usage["reasoning_tokens"] if s.usage else 0
    tbt = None
    if s.error is None and completion is not None and s.first_visible is not None and completion - reasoning > 1:
        tbt = round((s.last_visible - s.first_visible) * 1000.0 / (completion - reasoning - 1), 3)
    record = {
        "target": user.target["name"],
        "start_ms": round(r["start_ms"], 3),
        "ttfb_ms": None if r["ttfb_ms"] is None else round(r["ttfb_ms"], 3),
        "ttft_ms": ms(s.first_visible),
        "ttfr_ms": ms(s.first_reasoning),
        "e2e_ms": ms(r["end"]),
        "tbt_ms": tbt,
        "prompt_tokens": s.usage["prompt_tokens"] if s.usage else None,
        "completion_tokens": completion,
        "status": r["status"],
        "attempts": r["attempts"],
        "throttled_attempts": r["throttled_attempts"],
        "backoff_ms": round(r["backoff_ms"], 3),
        "error": s.error,
        "warmup": not reported,
    }
    path = os.path.join(REQUEST_LOG_DIR, "requests-%d.jsonl" % user.pid)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
