# The runtime of every locustfile `perflab export locust` writes: the same request, stream reading and
# retry rules as perflab's engine (src/engine/request-runner.ts, chat-stream.ts, responses-stream.ts).
# The export fills in the scenario below and adds one user class per target at the end.
# Each process that runs users also writes one record per request (perflab's requests.jsonl fields plus
# the worker's id) for `perflab import locust`: see "Records" below.

import json
import logging
import os
import random
import re
import socket
import time
from pathlib import Path

import gevent
import requests
import locust.runners
from gevent import GreenletExit
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
PERFLAB_SCENARIO = None
# End of the scenario.



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



# --- Records ------------------------------------------------------------------------------------------
# Every process that runs users appends one JSON line per request to perflab-records-<worker>.jsonl in
# the folder PERFLAB_RECORDS_DIR names (default: its working directory): the fields of perflab's
# requests.jsonl (src/engine/records.ts) plus the worker's id. The file's first line says who wrote it
# and carries the scenario; a `perflab_end` line, written when the test stops and when the process
# quits, holds how many requests this process reported to Locust. A master rewrites
# perflab-locust-master.json with what each worker's stats reports told it, so the import can name a
# worker whose file is missing. Durations come from the monotonic clock (time.perf_counter); the
# wall-clock start_ms is used only to order the records and place them in time windows.

RECORDS_VERSION = 1
RECORDS_ENV = "PERFLAB_RECORDS_DIR"
MASTER_FILE = "perflab-locust-master.json"


def records_dir():
    folder = os.environ.get(RECORDS_ENV) or os.getcwd()
    os.makedirs(folder, exist_ok=True)
    return folder


def file_safe(name):
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:120] or "worker"


def now_ms():
    return round(time.time() * 1000.0, 3)


class RecordsFile:
    """One process's append-only records. Each line goes to the OS in one write as soon as it exists, so a
    killed process loses at most the line it was writing (the import counts it and keeps the rest)."""

    def __init__(self, worker, role):
        self.worker = worker
        self.path = os.path.join(records_dir(), "perflab-records-%s.jsonl" % file_safe(worker))
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.seq = 0
        self.reported = 0
        self.write({"type": "perflab_worker", "version": RECORDS_VERSION, "worker": worker, "role": role,
                    "hostname": socket.gethostname(), "pid": os.getpid(), "started_ms": now_ms(),
                    "locust": locust.runners.__version__, "scenario": PERFLAB_SCENARIO})

    def write(self, value):
        if self.fd is None:
            return
        data = (json.dumps(value, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self.fd, data):]
        except OSError as e:
            # A full disk must not stop the load test: the records stop here (the import counts what is missing).
            logging.warning("perflab: cannot write %s (%s): no more records from this process", self.path, e)
            self.fd = None

    def request(self, record):
        self.seq += 1
        record["worker"] = self.worker
        record["seq"] = self.seq
        self.write(record)

    def end(self):
        self.write({"type": "perflab_end", "worker": self.worker, "records": self.seq,
                    "locust_requests": self.reported, "ended_ms": now_ms()})


class MasterCounts:
    """The master's side: per worker, the e2e requests its stats reports carried (Locust's own count,
    independent of the workers' files), rewritten whole after every report."""

    def __init__(self, runner):
        self.runner = runner
        self.path = os.path.join(records_dir(), MASTER_FILE)
        self.started_ms = now_ms()
        self.workers = {}

    def on_report(self, client_id, data, **_kwargs):
        counts = self.workers.setdefault(client_id, {"locust_requests": 0, "locust_failures": 0})
        for entry in data.get("stats") or []:
            if entry.get("name") == "e2e" and entry.get("method") == "LLM":
                counts["locust_requests"] += entry.get("num_requests") or 0
                counts["locust_failures"] += entry.get("num_failures") or 0
        self.save()

    def save(self, **_kwargs):
        for client_id in list(self.runner.clients.keys()):  # connected, nothing reported yet
            self.workers.setdefault(client_id, {"locust_requests": 0, "locust_failures": 0})
        value = {"type": "perflab_master", "version": RECORDS_VERSION, "started_ms": self.started_ms,
                 "updated_ms": now_ms(), "workers": self.workers, "scenario": PERFLAB_SCENARIO}
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(value, f)
            os.replace(tmp, self.path)
        except OSError as e:
            logging.warning("perflab: cannot write %s (%s)", self.path, e)


RECORDS = None


@events.init.add_listener
def _perflab_records(environment, **_kwargs):
    global RECORDS
    runner = environment.runner
    if runner is None:
        return
    if isinstance(runner, locust.runners.MasterRunner):
        try:
            counts = MasterCounts(runner)
        except OSError as e:
            logging.warning("perflab: no master counts (%s); set %s to a writable folder", e, RECORDS_ENV)
            return
        environment.events.worker_report.add_listener(counts.on_report)
        environment.events.test_start.add_listener(counts.save)
        environment.events.quitting.add_listener(counts.save)
        return
    worker, role = (runner.client_id, "worker") if isinstance(runner, locust.runners.WorkerRunner) else (
        "local-%s-%d" % (socket.gethostname(), os.getpid()), "local")
    try:
        RECORDS = RecordsFile(worker, role)
    except OSError as e:
        # No writable records folder must not stop the load test either.
        logging.warning("perflab: no per-request records (%s); set %s to a writable folder", e, RECORDS_ENV)
        return
    environment.events.test_stop.add_listener(lambda **_kw: RECORDS.end())
    environment.events.quitting.add_listener(lambda **_kw: RECORDS.end())


@events.request.add_listener
def _count_reported(request_type, name, **_kwargs):
    # What Locust counts as this process's requests: one e2e event each (warm-up is not reported).
    if RECORDS is not None and request_type == "LLM" and name == "e2e":
        RECORDS.reported += 1


def non_empty(value):
    return isinstance(value, str) and value != ""


def token_count(value):
    """A token count as servers should send it: a whole number >= 0 (stream-output.ts)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def count_or_none(value):
    return value if token_count(value) else None


class StreamState:
    def __init__(self):
        self.response_id = None
        self.first_visible = None
        self.last_visible = None
        self.first_reasoning = None
        self.output_times = []
        self.reasoning_events = 0
        self.text = []
        self.reasoning_text = []
        self.usage = None
        self.finish_reason = None
        self.error = None
        self.error_class = None
        self.done = False

    def fail(self, error_class, message):
        if self.error_class is None:
            self.error_class = error_class
            self.error = message


def read_usage(s, prompt_tokens, completion_tokens, details_in, details_out):
    if token_count(prompt_tokens) and token_count(completion_tokens):
        s.usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cached_tokens": count_or_none((details_in or {}).get("cached_tokens")),
            "reasoning_tokens": count_or_none((details_out or {}).get("reasoning_tokens")),
        }


def read_chat_event(name, chunk, at, s):
    """Chat Completions chunk (docs/stream-shapes.md 1, 3-6; chat-stream.ts). False when the stream is over."""
    if name == "error" or chunk.get("error") or chunk.get("object") == "error":
        inner = chunk.get("error") or chunk
        s.fail("http_error", "error event in stream: " + str(inner.get("message") if isinstance(inner, dict) else inner))
        return False
    if s.response_id is None and non_empty(chunk.get("id")):
        s.response_id = chunk["id"]
    usage = chunk.get("usage")
    if isinstance(usage, dict):
        read_usage(s, usage.get("prompt_tokens"), usage.get("completion_tokens"),
                   usage.get("prompt_tokens_details"), usage.get("completion_tokens_details"))
    choices = chunk.get("choices") or []
    if not choices:
        return True  # Azure's prompt-filter chunk, the usage chunk
    choice = choices[0] or {}
    if choice.get("finish_reason"):
        s.finish_reason = choice["finish_reason"]
    delta = choice.get("delta")
    if not delta:
        return True  # Azure's asynchronous-filter annotations carry no delta
    reasoning = delta.get("reasoning_content") if non_empty(delta.get("reasoning_content")) else (
        delta.get("reasoning") if non_empty(delta.get("reasoning")) else None)
    add_output(s, at, reasoning, visible_text(delta))
    return True


def visible_text(delta):
    """The visible output of a delta (content, refusal, tool-call pieces), or None."""
    text = None
    if non_empty(delta.get("content")):
        text = delta["content"]
    if non_empty(delta.get("refusal")):
        text = (text or "") + delta["refusal"]
    for call in delta.get("tool_calls") or []:
        fn = (call or {}).get("function") or {}
        piece = (fn.get("name") if non_empty(fn.get("name")) else "") + (fn.get("arguments") if non_empty(fn.get("arguments")) else "")
        if piece:
            text = (text or "") + piece
    return text


VISIBLE_DELTAS = ("response.output_text.delta", "response.refusal.delta", "response.function_call_arguments.delta")
REASONING_DELTAS = ("response.reasoning_summary_text.delta", "response.reasoning_text.delta")


def read_responses_event(name, data, at, s):
    """Responses API event (docs/stream-shapes.md 2; responses-stream.ts). False when the stream is over."""
    kind = data.get("type") if isinstance(data.get("type"), str) else name
    if kind == "error" or (data.get("error") and kind != "response.failed"):
        inner = data.get("error") or data
        s.fail("http_error", "error event in stream: " + str(inner.get("message") if isinstance(inner, dict) else inner))
        return False
    if kind in VISIBLE_DELTAS:
        if non_empty(data.get("delta")):
            add_output(s, at, None, data["delta"])
        return True
    if kind in REASONING_DELTAS:
        if non_empty(data.get("delta")):
            add_output(s, at, data["delta"], None)
        return True
    response = data.get("response") if isinstance(data.get("response"), dict) else {}
    if s.response_id is None and non_empty(response.get("id")):
        s.response_id = response["id"]
    if kind in ("response.completed", "response.incomplete", "response.failed"):
        usage = response.get("usage")
        if isinstance(usage, dict):
            read_usage(s, usage.get("input_tokens"), usage.get("output_tokens"),
                       usage.get("input_tokens_details"), usage.get("output_tokens_details"))
        if kind == "response.failed":
            err = response.get("error")
            s.fail("http_error", "response failed: " + str(err.get("message") if isinstance(err, dict) else err))
        elif kind == "response.completed":
            s.finish_reason = "stop"
        else:
            reason = (response.get("incomplete_details") or {}).get("reason")
            s.finish_reason = "length" if reason == "max_output_tokens" else (reason if isinstance(reason, str) else "incomplete")
        s.done = True
        return False
    return True


def add_output(s, at, reasoning, visible):
    """One output-bearing event (stream-output.ts addOutput): role-only and empty chunks are not tokens."""
    if reasoning is None and visible is None:
        return
    s.output_times.append(at)
    if reasoning is not None:
        if s.first_reasoning is None:
            s.first_reasoning = at
        s.reasoning_events += 1
        s.reasoning_text.append(reasoning)
    if visible is not None:
        if s.first_visible is None:
            s.first_visible = at
        s.last_visible = at
        s.text.append(visible)


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


def number_header(headers, name):
    try:
        value = headers.get(name)
        return float(value) if value is not None else None
    except ValueError:
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
        self.in_flight = None
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
        try:
            req = self.one_request(prompt)
        except GreenletExit:
            # Locust stopped this user mid-request (the end of the run, or its users moved to a worker
            # that joined): recorded as cancelled, as perflab's engine does with on_end: abort.
            req = self.in_flight
            if RECORDS is not None and req is not None and req["r"] is not None:
                s = req["r"]["state"]
                if s.error_class == "throttled":  # waiting to retry a 429 (request-runner.ts says the same)
                    s.error += " (still waiting to retry when the run ended)"
                s.fail("cancelled", "stopped by Locust while in flight (the run ended, or users moved between workers)")
                RECORDS.request(record_of(self, req, prompt, not report))
            raise
        finally:
            self.in_flight = None
        if report:
            self.report(req)
        if RECORDS is not None:
            RECORDS.request(record_of(self, req, prompt, not report))

    def one_request(self, prompt):
        """One logical request with the scenario's retry policy (request-runner.ts): `none` gives up at the
        first 429; `exponential` waits what the server asks (or a jittered backoff) while the next wait
        stays within max_retry. Latencies count from the first attempt."""
        body = json.dumps(with_prefix(prompt), ensure_ascii=False).encode("utf-8")
        headers = dict(self.headers)
        headers["x-perflab-request-id"] = "locust-%d-%d-%d" % (self.pid, id(self) % 100000, self.sent)
        req = {"r": None, "attempts": 0, "throttled_attempts": 0, "backoff_s": 0.0, "first_start": None, "first_start_ms": None}
        self.in_flight = req
        while True:
            req["attempts"] += 1
            r = self.attempt(body, headers, req)
            if r["status"] != 429:
                break
            req["throttled_attempts"] += 1
            r["state"].error_class = "throttled"  # the last response was a 429 (records.ts)
            events.request.fire(request_type="LLM", name="throttled (429)", response_time=r["ttfb_ms"] or 0,
                                response_length=0, exception=None, context={})
            if SETTINGS["retry"] != "exponential":
                r["state"].error += " (not retried: retry policy none)"
                break
            wait = r["retry_after_s"]
            if wait is None or wait <= 0:
                wait = min(8.0, 0.5 * 2 ** (req["throttled_attempts"] - 1)) * (0.5 + random.random() / 2)
            budget = SETTINGS["max_retry_s"] - (time.perf_counter() - req["first_start"])
            if wait > budget:
                r["state"].error += " (gave up: the next wait (%d ms) would pass the %s s retry budget)" % (wait * 1000, SETTINGS["max_retry_s"])
                break
            gevent.sleep(wait)
            req["backoff_s"] += wait
        return req

    def attempt(self, body, headers, req):
        s = StreamState()
        r = {"status": None, "start": time.perf_counter(), "headers_at": None, "ttfb_ms": None, "retry_after_s": None,
             "state": s, "end": None, "request_id": None, "utilization": None, "remaining_requests": None, "remaining_tokens": None}
        req["r"] = r
        if req["first_start"] is None:
            req["first_start"] = r["start"]
            req["first_start_ms"] = time.time() * 1000.0
        read_event = read_responses_event if self.target["api"] == "responses" else read_chat_event
        deadline = r["start"] + SETTINGS["request_timeout_s"]
        try:
            resp = self.session.post(self.url, data=body, headers=headers, stream=True,
                                     timeout=(10, SETTINGS["idle_timeout_s"]))
        except requests.Timeout as e:
            s.fail("timeout", "no response headers in time: " + str(e))
            r["end"] = time.perf_counter()
            return r
        except requests.RequestException as e:
            s.fail("connection", "connection: " + str(e))
            r["end"] = time.perf_counter()
            return r
        try:
            r["headers_at"] = time.perf_counter()
            r["ttfb_ms"] = (r["headers_at"] - r["start"]) * 1000.0
            r["status"] = resp.status_code
            h = resp.headers
            r["request_id"] = h.get("apim-request-id") or h.get("x-request-id")
            r["utilization"] = number_header(h, "azure-openai-deployment-utilization")
            r["remaining_requests"] = number_header(h, "x-ratelimit-remaining-requests")
            r["remaining_tokens"] = number_header(h, "x-ratelimit-remaining-tokens")
            if resp.status_code != 200:
                r["retry_after_s"] = retry_after_seconds(h)
                s.fail("http_error", "HTTP %d: %s" % (resp.status_code, resp.text[:300]))
                r["end"] = time.perf_counter()
                return r
            content_type = (h.get("content-type") or "").lower()
            if "application/json" in content_type or "text/html" in content_type:
                # `stream: true` was asked for; a whole body means a proxy or server ignored it.
                s.fail("malformed_stream", "expected an event stream (text/event-stream) but the server sent a %s body: %s"
                       % (content_type.split(";")[0].strip(), resp.text[:200]))
                r["end"] = time.perf_counter()
                return r
            event_name = None
            data_lines = []
            finished = False
            # chunk_size=None: lines are handed over as the server's chunks arrive (no 512-byte buffering).
            for raw in resp.iter_lines(chunk_size=None):
                now = time.perf_counter()
                if now > deadline:
                    s.fail("timeout", "timeout: request took longer than %s s" % SETTINGS["request_timeout_s"])
                    r["end"] = now
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
                        if not s.output_times and s.finish_reason is None:
                            s.fail("malformed_stream", "the stream ended ([DONE]) without any output or finish chunk")
                        finished = True
                        r["end"] = now
                        break
                    try:
                        parsed = json.loads(data)
                    except ValueError:
                        s.fail("malformed_stream", "invalid JSON in stream event: " + data[:200])
                        r["end"] = now
                        break
                    if not isinstance(parsed, dict):
                        s.fail("malformed_stream", "stream event is not a JSON object: " + data[:200])
                        r["end"] = now
                        break
                    if not read_event(name, parsed, now, s):
                        finished = s.error_class is None
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
            if s.error_class is None and not finished and s.finish_reason is None:
                s.fail("stream_dropped", "stream_dropped: stream ended before the finish chunk")
        except requests.Timeout as e:
            s.fail("timeout", "timeout: stream idle for %s s (%s)" % (SETTINGS["idle_timeout_s"], e))
            r["end"] = time.perf_counter()
        except requests.RequestException as e:
            s.fail("stream_dropped", "stream_dropped: " + str(e))
            r["end"] = time.perf_counter()
        finally:
            resp.close()
        return r

    def report(self, req):
        """Each LLM metric as a Locust request event (request_type LLM): ttft, ttfr, tbt and e2e."""
        r = req["r"]
        s = r["state"]
        start = req["first_start"]
        e2e = ((r["end"] or time.perf_counter()) - start) * 1000.0
        fire = events.request.fire
        if s.error_class is not None:
            fire(request_type="LLM", name="e2e", response_time=e2e, response_length=0,
                 exception=RuntimeError(s.error[:300]), context={})
            return
        usage = s.usage
        if s.first_visible is not None:
            fire(request_type="LLM", name="ttft", response_time=(s.first_visible - start) * 1000.0,
                 response_length=0, exception=None, context={})
        if s.first_reasoning is not None:
            fire(request_type="LLM", name="ttfr", response_time=(s.first_reasoning - start) * 1000.0,
                 response_length=0, exception=None, context={})
        tbt = tbt_of(s)
        if tbt is not None:
            visible = usage["completion_tokens"] - (usage["reasoning_tokens"] or 0)
            fire(request_type="LLM", name="tbt", response_time=tbt, response_length=visible, exception=None, context={})
        fire(request_type="LLM", name="e2e", response_time=e2e, response_length=usage["completion_tokens"] if usage else 0,
             exception=None, context={})


def tbt_of(s):
    """Per visible token (request-runner.ts): (last visible - first visible) / (visible tokens - 1), with
    the tokens from usage; None without usage (the import counts the text and computes it then)."""
    if s.error_class is not None or s.usage is None or s.first_visible is None:
        return None
    visible = s.usage["completion_tokens"] - (s.usage["reasoning_tokens"] or 0)
    if visible <= 1:
        return None
    return (s.last_visible - s.first_visible) * 1000.0 / (visible - 1)


def record_of(user, req, prompt, warmup):
    """The request as a perflab RequestRecord (src/engine/records.ts), every latency from the first
    attempt's send. Tokens come from usage; without usage (or without its reasoning breakdown while
    reasoning was streamed) the text goes along in `estimate_text` and the import counts it with the
    target's tokenizer, as the engine does, marking the counts estimated."""
    r = req["r"]
    s = r["state"]
    start = req["first_start"]
    end = r["end"] if r["end"] is not None else time.perf_counter()

    def since(t):
        return None if t is None else round((t - start) * 1000.0, 3)

    usage = s.usage
    ok = s.error_class is None
    if usage is not None:
        prompt_tokens, completion, reasoning = usage["prompt_tokens"], usage["completion_tokens"], usage["reasoning_tokens"]
        estimate = {"reasoning": "".join(s.reasoning_text)} if reasoning is None and s.reasoning_events > 0 else None
    elif r["status"] == 200:
        prompt_tokens, completion, reasoning = prompt.get("prompt_tokens"), None, None
        estimate = {"output": "".join(s.text), "reasoning": "".join(s.reasoning_text)}
    else:
        prompt_tokens, completion, reasoning, estimate = None, None, None, None
    tbt = tbt_all = None
    if ok and estimate is None and completion is not None:
        per_token = tbt_of(s)
        tbt = None if per_token is None else round(per_token, 3)
        # Over all tokens only when every counted token was streamed: hidden reasoning has no times.
        if (s.reasoning_events > 0 or not reasoning) and completion > 1 and s.output_times:
            tbt_all = round((s.output_times[-1] - s.output_times[0]) * 1000.0 / (completion - 1), 3)
    record = {
        "type": "request",
        "target": user.target["name"],
        "api": user.target["api"],
        "response_id": s.response_id,
        "request_id": r["request_id"],
        "scheduled_ms": None,
        "start_ms": round(req["first_start_ms"], 3),
        "send_lag_ms": None,
        "ttfb_ms": since(r["headers_at"]),
        "ttft_ms": since(s.first_visible),
        "client_delay_ms": None,
        "ttfr_ms": since(s.first_reasoning),
        "e2e_ms": since(end),
        "tbt_ms": tbt,
        "tbt_all_ms": tbt_all,
        "chunk_offsets_ms": [round((t - start) * 1000.0, 3) for t in s.output_times],
        "content_chunks": len(s.output_times),
        "reasoning_chunks": s.reasoning_events,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion,
        "cached_tokens": usage["cached_tokens"] if usage else None,
        "reasoning_tokens": reasoning,
        "tokens_estimated": usage is None and estimate is not None,
        "finish_reason": s.finish_reason,
        "status": r["status"],
        "attempts": req["attempts"],
        "throttled_attempts": req["throttled_attempts"],
        "backoff_ms": round(req["backoff_s"] * 1000.0, 3),
        "error": s.error_class,
        "error_message": s.error,
        "utilization": r["utilization"],
        "ratelimit_remaining_requests": r["remaining_requests"],
        "ratelimit_remaining_tokens": r["remaining_tokens"],
        "warmup": warmup,
    }
    if estimate is not None:
        record["last_visible_ms"] = since(s.last_visible)
        record["estimate_text"] = estimate
    return record
