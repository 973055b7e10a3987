# The runtime of every locustfile `perflab export locust` writes: the same request, stream reading and
# retry rules as perflab's engine (src/engine/request-runner.ts, chat-stream.ts, responses-stream.ts;
# for apps, provider: http, src/engine/http-target/), and its sessions (target-runner.ts runSession).
# The export fills in the scenario below and adds one user class per target at the end.
# Each process that runs users also writes one record per request (perflab's requests.jsonl fields plus
# the worker's id; session_id, turn and think_ms with sessions) for `perflab import locust`: see
# "Records" below.

import codecs
import itertools
import json
import logging
import os
import random
import re
import socket
import time
from pathlib import Path
from urllib.parse import quote

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


def with_prefix(value, at):
    """`value` with the anti-cache prefix placeholder at path `at` replaced by random digits (same token
    count); `value` itself when there is none."""
    if not at:
        return value
    value = json.loads(json.dumps(value))  # a copy: the template is shared by every request
    node = value
    for step in at[:-1]:
        node = node[step]
    digits = "".join(random.choice("0123456789") for _ in range(PREFIX_DIGITS))
    node[at[-1]] = digits + node[at[-1]][PREFIX_DIGITS:]
    return value


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
    or each user's share of the rate, evenly spaced or with Poisson arrivals (open loop). With sessions
    a task is a whole session, so the same pacing spaces the sessions' starts."""
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


# --- HTTP targets (provider: http) --------------------------------------------------------------------
# An app's own route rather than a model API: the request is the target's templates filled per request
# (src/engine/http-target/template.ts), the answer is read as its `response.stream` says
# (src/engine/http-target/http-reader.ts), with the same rules: TTFT is the first event whose text is not
# empty, `done_when` or SSE's [DONE] ends the answer, `usage_path` gives the token counts.

PLACEHOLDER_NAME = re.compile(r"[A-Za-z_][\w-]*\Z", re.ASCII)
PATH_NAME = re.compile(r"[A-Za-z_$][\w$-]*", re.ASCII)
MISSING = object()  # a placeholder no value is known for (JavaScript's undefined)
MAX_JSON_BODY = 16 * 1024 * 1024


def json_text(value):
    """JSON as JavaScript's JSON.stringify writes it (no spaces, non-ASCII as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_template(source, kind):
    """`kind` json, text or url: the template's literal parts (str) and placeholders (name, in a JSON string)."""
    parts = []
    in_string = False
    literal_start = 0
    i = 0
    while i < len(source):
        if source.startswith("{{", i):
            close = source.find("}}", i + 2)
            if close == -1:
                raise ValueError('"{{" is not closed by "}}"')
            name = source[i + 2:close].strip()
            if not PLACEHOLDER_NAME.match(name):
                raise ValueError('"{{%s}}" is not a placeholder' % source[i + 2:close])
            if i > literal_start:
                parts.append(source[literal_start:i])
            parts.append((name, kind == "json" and in_string))
            i = close + 2
            literal_start = i
            continue
        if kind == "json":
            c = source[i]
            if in_string and c == "\\":
                i += 2
                continue
            if c == '"':
                in_string = not in_string
        i += 1
    if literal_start < len(source):
        parts.append(source[literal_start:])
    return kind, parts


def render_template(template, values):
    kind, parts = template
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        else:
            out.append(fill(kind, part[1], values.get(part[0], MISSING)))
    return "".join(out)


def fill(kind, in_string, value):
    """One placeholder's text: percent-encoded in a URL, as is in text, escaped inside a JSON string,
    a JSON literal elsewhere in JSON."""
    as_text = value if isinstance(value, str) else ("" if value is MISSING else json_text(value))
    if kind == "url":
        return quote(as_text, safe="!*'()")  # what encodeURIComponent leaves
    if kind == "text":
        return as_text
    if in_string:
        return json_text(as_text)[1:-1]
    return "null" if value is MISSING else json_text(value)


def body_kind(text):
    return "json" if re.match(r"\s*[\[{]", text) else "text"


def parse_path(text):
    """`choices[0].delta.content` -> ["choices", 0, "delta", "content"] (checked when the scenario loaded)."""
    segments = []
    i = 0
    while i < len(text):
        if text[i] == "[":
            close = text.index("]", i)
            segments.append(int(text[i + 1:close]))
            i = close + 1
        else:
            match = PATH_NAME.match(text, i)
            if not match:
                raise ValueError("bad path: " + text)
            segments.append(match.group(0))
            i = match.end()
        if i < len(text) and text[i] == ".":
            i += 1
    return segments


def value_at(data, path):
    """The value at the path, or MISSING when a step is missing (as JavaScript reads it)."""
    value = data
    for segment in path:
        if isinstance(value, dict):
            value = value.get(str(segment), MISSING)
        elif isinstance(value, list):
            if isinstance(segment, int):
                value = value[segment] if segment < len(value) else MISSING
            else:
                value = len(value) if segment == "length" else MISSING
        else:
            return MISSING
    return value


def parse_done(text):
    """`done_when`: (path, None) for a truthy value, (path, [value]) for `path == <JSON literal>`."""
    eq = text.find("==")
    if eq == -1:
        return parse_path(text.strip()), None
    return parse_path(text[:eq].strip()), [json.loads(text[eq + 2:].strip())]


def truthy(value):
    """JavaScript's truthiness: empty lists and objects are true, "", 0 and null are not."""
    if value is MISSING or value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value and value != 0  # NaN is false
    if isinstance(value, str):
        return value != ""
    return True


def strictly_equal(a, b):
    """JavaScript's === between JSON values: objects and lists are never equal to a parsed literal."""
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)) or a is MISSING:
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def is_done(condition, data):
    path, equals = condition
    value = value_at(data, path)
    return truthy(value) if equals is None else strictly_equal(value, equals[0])


class HttpCall:
    """An http target's templates and response spec, parsed once per user."""

    def __init__(self, t):
        self.method = t["method"]
        self.path = parse_template(t["path"], "url")
        self.headers = [(name, parse_template(value, "text")) for name, value in t["headers"].items()]
        self.body = parse_template(t["body"], body_kind(t["body"])) if t["body"] is not None else None
        r = t["response"]
        self.stream = r["stream"]
        self.text_path = parse_path(r["text_path"]) if r["text_path"] else None
        self.usage_path = parse_path(r["usage_path"]) if r["usage_path"] else None
        self.done = parse_done(r["done_when"]) if r["done_when"] else None
        self.done_when = r["done_when"]
        self.text_path_text = r["text_path"]


def after_history(history, messages):
    """A later turn of a carried conversation (prompt-builder.ts withHistory): what was said so far,
    then the new prompt without its system message (the conversation already starts with one)."""
    if not history:
        return messages
    return history + [m for m in messages if m.get("role") != "system"]


def responses_body(body, messages):
    """A Responses API body for these messages (responses-request.ts): the leading system and developer
    messages are its instructions, the rest its input."""
    lead = 0
    while lead < len(messages) and messages[lead].get("role") in ("system", "developer"):
        lead += 1
    body = dict(body, input=[{"role": m["role"], "content": m["content"]} for m in messages[lead:]])
    if lead:
        body["instructions"] = "\n\n".join(m["content"] for m in messages[:lead])
    else:
        body.pop("instructions", None)
    return body


def prompt_text(messages):
    """{{prompt}}: the last user message (else the last message), the question a user of the app would type."""
    for m in reversed(messages):
        if m.get("role") == "user":
            return m.get("content", "")
    return messages[-1].get("content", "") if messages else ""


def read_app_usage(s, usage):
    """`usage_path`'s object: chat's names or the Responses API's; not whole numbers >= 0: no count."""
    if not isinstance(usage, dict):
        return
    prompt = usage.get("prompt_tokens")
    prompt = usage.get("input_tokens") if prompt is None else prompt
    completion = usage.get("completion_tokens")
    completion = usage.get("output_tokens") if completion is None else completion
    if token_count(prompt) and token_count(completion):
        s.usage = {"prompt_tokens": prompt, "completion_tokens": completion, "cached_tokens": None,
                   "reasoning_tokens": count_or_none(usage.get("reasoning_tokens"))}


def is_error_object(value):
    return isinstance(value, dict) and value.get("error") not in (None, False)


def clip(text):
    return text[:200] + "…" if len(text) > 200 else text


class AppEvents:
    """The events of an sse or ndjson answer (http-reader.ts eventReader). `on_data` returns True
    when the answer is over (complete or failed: see the state's error)."""

    def __init__(self, call, s, kind):
        self.call = call
        self.s = s
        self.kind = kind
        self.events = 0
        self.first = None

    def on_data(self, data, event_name, at):
        call, s = self.call, self.s
        if self.kind == "sse" and data == "[DONE]":
            self.complete()
            return True
        if data.strip() == "":
            return False
        self.events += 1
        if self.first is None:
            self.first = data[:300] + "…" if len(data) > 300 else data
        if self.kind == "sse" and call.text_path is None:
            # `data:` is the text itself (an app that streams plain text as events).
            if event_name == "error":
                s.fail("http_error", "error event in stream: " + clip(data))
                return True
            add_output(s, at, None, data)
            return False
        try:
            value = json.loads(data)
        except ValueError:
            s.fail("malformed_stream", "invalid JSON in %s: %s" % ("stream event" if self.kind == "sse" else "NDJSON line", clip(data)))
            return True
        if event_name == "error" or is_error_object(value):
            inner = value.get("error") if isinstance(value, dict) else None
            message = inner.get("message") if isinstance(inner, dict) else None
            s.fail("http_error", "error event in stream: " + (message if isinstance(message, str) else clip(data)))
            return True
        text = value_at(value, call.text_path) if call.text_path else None
        if isinstance(text, str) and text != "":
            add_output(s, at, None, text)
        if call.usage_path:
            read_app_usage(s, value_at(value, call.usage_path))
        if call.done and is_done(call.done, value):
            self.complete()
            return True
        return False

    def body_ended(self):
        """The body ended without [DONE] or done_when: complete, unless done_when was expected."""
        if self.call.done:
            self.s.fail("stream_dropped", "the body ended before an event matching done_when (%s)" % self.call.done_when)
        else:
            self.complete()

    def complete(self):
        s = self.s
        if s.text:
            if s.finish_reason is None:
                s.finish_reason = "stop"
        elif self.events == 0:
            s.fail("malformed_stream", "the response ended without any event")
        elif self.call.text_path is None:
            s.fail("malformed_stream", "no text in %d event(s)" % self.events)
        else:
            s.fail("malformed_stream", 'response.text_path "%s" matched no text in %d event(s); the first event was: %s'
                   % (self.call.text_path_text, self.events, self.first))


def sse_events(resp):
    """The body's server-sent events as they arrive (sse.ts): (event name, data, arrival time) per
    event, and (None, None, time) for every other line, so the reader can check its deadline."""
    event_name = None
    data_lines = []
    # chunk_size=None: lines are handed over as the server's chunks arrive (no 512-byte buffering).
    for raw in resp.iter_lines(chunk_size=None):
        now = time.perf_counter()
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            if data_lines or event_name:
                yield event_name, "\n".join(data_lines), now
            else:
                yield None, None, now
            data_lines = []
            event_name = None
            continue
        if line.startswith(":"):
            pass  # comment / keep-alive ping
        elif line.startswith("data:"):
            data_lines.append(line[6:] if line[5:6] == " " else line[5:])
        elif line.startswith("event:"):
            event_name = line[7:] if line[6:7] == " " else line[6:]
        yield None, None, now


def ndjson_lines(resp):
    """Each line of the body as it arrives, with its time."""
    for raw in resp.iter_lines(chunk_size=None):
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        yield line[:-1] if line.endswith("\r") else line, time.perf_counter()


SESSION_NUMBERS = itertools.count(1)  # this process's sessions, all targets


class LlmUser(User):
    abstract = True
    target = None
    wait_time = scenario_wait_time()

    def on_start(self):
        t = self.target
        self.session = requests.Session()
        self.session.trust_env = True  # proxies from HTTPS_PROXY / NO_PROXY, as curl would
        # An http target's own headers are templates (build_call); only the key goes in as it is.
        self.headers = dict(t["headers"]) if t["api"] != "http" else {}
        key = t.get("key")
        if key:
            value = os.environ.get(key["env"])
            if value:
                self.headers[key["header"]] = key["scheme"] + value
            elif key["required"]:
                events.request.fire(request_type="LLM", name="e2e", response_time=0, response_length=0,
                                    exception=RuntimeError("environment variable " + key["env"] + " is not set"), context={})
                raise StopUser()
        self.http = HttpCall(t) if t["api"] == "http" else None
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

    def session_id(self):
        """`<target>-s<n>` as perflab's engine names sessions, n counted over this process; a distributed
        worker puts its index in, so ids stay unique across workers: `<target>-w<index>-s<n>`."""
        n = next(SESSION_NUMBERS)
        runner = self.environment.runner
        if isinstance(runner, locust.runners.WorkerRunner):
            return "%s-w%d-s%d" % (self.target["name"], runner.worker_index, n)
        return "%s-s%d" % (self.target["name"], n)

    @task
    def llm_request(self):
        """One request, or with `workload.sessions` one session (target-runner.ts runSession):
        `interactions` requests in turn with a think time between an answer and the next question,
        each turn carrying the conversation so far (what was sent and the answer) with carry_history."""
        sessions = SETTINGS["sessions"]
        if sessions is None:
            self.one_turn(None, [])
            return
        session = {"session_id": self.session_id(), "turn": 1, "think_ms": 0}
        history = []
        for turn in range(1, sessions["interactions"] + 1):
            session = dict(session, turn=turn)
            sent, answer = self.one_turn(session, history)
            if sessions["carry_history"]:
                history = sent + [{"role": "assistant", "content": answer}]
            if turn == sessions["interactions"]:
                break
            think = sessions["think_time_s"] * (1 + sessions["think_time_jitter"] * (2 * random.random() - 1))
            think = max(0.0, think)
            session["think_ms"] = round(think * 1000.0)
            gevent.sleep(think)

    def one_turn(self, session, history):
        """Sends the next prompt after `history`; returns the messages sent and the answer's text.
        `session`: its id, this turn and the think time before it, or None without sessions."""
        quota = SETTINGS["requests_per_user"]
        if quota is not None and self.sent >= quota:
            raise StopUser()
        prompt = self.prompts[self.next_prompt % len(self.prompts)]
        self.next_prompt += 1
        self.sent += 1
        report = self.sent > SETTINGS["warm_up_per_user"]
        call = self.build_call(prompt, session, history)
        try:
            req = self.one_request(call)
        except GreenletExit:
            # Locust stopped this user mid-request (the end of the run, or its users moved to a worker
            # that joined): recorded as cancelled, as perflab's engine does with on_end: abort.
            req = self.in_flight
            if RECORDS is not None and req is not None and req["r"] is not None:
                s = req["r"]["state"]
                if s.error_class == "throttled":  # waiting to retry a 429 (request-runner.ts says the same)
                    s.error += " (still waiting to retry when the run ended)"
                s.fail("cancelled", "stopped by Locust while in flight (the run ended, or users moved between workers)")
                RECORDS.request(record_of(self, req, call, not report, session))
            raise
        finally:
            self.in_flight = None
        if report:
            self.report(req)
        if RECORDS is not None:
            RECORDS.request(record_of(self, req, call, not report, session))
        return call["messages"], "".join(req["r"]["state"].text)

    def build_call(self, prompt, session, history):
        """The request for one prompt: a model target's body, or an http target's templates filled with
        the prompt's messages and fields, the session and the turn (http-request.ts templateValues).
        `messages` is the conversation sent: what the next turn carries on, and what the import counts
        when the server reports no usage."""
        t = self.target
        if self.http is None:
            body = with_prefix(prompt["body"], prompt.get("prefix_at"))
            responses = t["api"] == "responses"
            if responses:
                instructions = [{"role": "system", "content": body["instructions"]}] if "instructions" in body else []
                messages = after_history(history, instructions + body["input"])
                if history:
                    body = responses_body(body, messages)
            else:
                messages = after_history(history, body["messages"])
                if history:
                    body = dict(body, messages=messages)
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            return {"method": "POST", "url": self.url, "body": data, "headers": dict(self.headers), "prompt": prompt,
                    "messages": messages, "history": bool(history)}
        call = self.http
        messages = after_history(history, prompt["messages"])
        values = dict(prompt["fields"])
        values.update({"prompt": prompt_text(messages), "messages": messages,
                       "session_id": session["session_id"] if session else "", "turn": session["turn"] if session else 1,
                       "model": t["model"]})
        headers = {name: render_template(template, values) for name, template in call.headers}
        headers.update(self.headers)  # the key: never from the templates
        body = render_template(call.body, values).encode("utf-8") if call.body is not None else None
        url = self.host.rstrip("/") + render_template(call.path, values)
        return {"method": call.method, "url": url, "body": body, "headers": headers, "prompt": prompt,
                "messages": messages, "history": bool(history)}

    def one_request(self, call):
        """One logical request with the scenario's retry policy (request-runner.ts): `none` gives up at the
        first 429; `exponential` waits what the server asks (or a jittered backoff) while the next wait
        stays within max_retry. Latencies count from the first attempt."""
        call["headers"]["x-perflab-request-id"] = "locust-%d-%d-%d" % (self.pid, id(self) % 100000, self.sent)
        req = {"r": None, "attempts": 0, "throttled_attempts": 0, "backoff_s": 0.0, "first_start": None, "first_start_ms": None}
        self.in_flight = req
        while True:
            req["attempts"] += 1
            r = self.attempt(call, req)
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

    def attempt(self, call, req):
        s = StreamState()
        r = {"status": None, "start": time.perf_counter(), "headers_at": None, "ttfb_ms": None, "retry_after_s": None,
             "state": s, "end": None, "request_id": None, "utilization": None, "remaining_requests": None, "remaining_tokens": None}
        req["r"] = r
        if req["first_start"] is None:
            req["first_start"] = r["start"]
            req["first_start_ms"] = time.time() * 1000.0
        deadline = r["start"] + SETTINGS["request_timeout_s"]
        try:
            resp = self.session.request(call["method"], call["url"], data=call["body"], headers=call["headers"], stream=True,
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
            ok = 200 <= resp.status_code < 300 if self.http is not None else resp.status_code == 200
            if not ok:
                r["retry_after_s"] = retry_after_seconds(h)
                s.fail("http_error", "HTTP %d: %s" % (resp.status_code, resp.text[:300]))
                r["end"] = time.perf_counter()
                return r
            if self.http is not None:
                self.read_app_answer(resp, r, deadline)
            else:
                self.read_model_stream(resp, r, deadline)
        except requests.Timeout as e:
            s.fail("timeout", "timeout: stream idle for %s s (%s)" % (SETTINGS["idle_timeout_s"], e))
            r["end"] = time.perf_counter()
        except requests.RequestException as e:
            s.fail("stream_dropped", "stream_dropped: " + str(e))
            r["end"] = time.perf_counter()
        finally:
            resp.close()
        return r

    def read_model_stream(self, resp, r, deadline):
        """A Chat Completions or Responses event stream (chat-stream.ts, responses-stream.ts)."""
        s = r["state"]
        content_type = (resp.headers.get("content-type") or "").lower()
        if "application/json" in content_type or "text/html" in content_type:
            # `stream: true` was asked for; a whole body means a proxy or server ignored it.
            s.fail("malformed_stream", "expected an event stream (text/event-stream) but the server sent a %s body: %s"
                   % (content_type.split(";")[0].strip(), resp.text[:200]))
            r["end"] = time.perf_counter()
            return
        read_event = read_responses_event if self.target["api"] == "responses" else read_chat_event
        finished = False
        for name, data, now in sse_events(resp):
            if now > deadline:
                s.fail("timeout", "timeout: request took longer than %s s" % SETTINGS["request_timeout_s"])
                r["end"] = now
                break
            if not data:
                continue
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
        if r["end"] is None:
            r["end"] = time.perf_counter()
        if s.error_class is None and not finished and s.finish_reason is None:
            s.fail("stream_dropped", "stream_dropped: stream ended before the finish chunk")

    def read_app_answer(self, resp, r, deadline):
        """An http target's answer, read as its `response.stream` says (http-reader.ts)."""
        s = r["state"]
        call = self.http
        timeout = "timeout: request took longer than %s s" % SETTINGS["request_timeout_s"]
        if call.stream in ("sse", "ndjson"):
            reader = AppEvents(call, s, call.stream)
            source = sse_events(resp) if call.stream == "sse" else ((None, line, at) for line, at in ndjson_lines(resp))
            for name, data, now in source:
                if now > deadline:
                    s.fail("timeout", timeout)
                    r["end"] = now
                    return
                if data is not None and reader.on_data(data, name, now):
                    r["end"] = now
                    return
            r["end"] = time.perf_counter()
            reader.body_ended()
            return
        if call.stream == "text":
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            for chunk in resp.iter_content(chunk_size=None):
                now = time.perf_counter()
                if now > deadline:
                    s.fail("timeout", timeout)
                    r["end"] = now
                    return
                text = decoder.decode(chunk)
                if text:
                    add_output(s, now, None, text)
            rest = decoder.decode(b"", True)
            r["end"] = time.perf_counter()
            if rest:
                add_output(s, r["end"], None, rest)
            if not s.text:
                s.fail("malformed_stream", "the response body was empty")
            else:
                s.finish_reason = "stop"
            return
        # json: one body; its text is known at the end, its timing is not (E2E only, no TTFT).
        pieces = []
        size = 0
        for chunk in resp.iter_content(chunk_size=65536):
            size += len(chunk)
            if size <= MAX_JSON_BODY:
                pieces.append(chunk)
            if time.perf_counter() > deadline:
                s.fail("timeout", timeout)
                r["end"] = time.perf_counter()
                return
        r["end"] = time.perf_counter()
        if size > MAX_JSON_BODY:
            s.fail("malformed_stream", "the JSON body is larger than %d MB" % (MAX_JSON_BODY // 1024 // 1024))
            return
        raw = b"".join(pieces).decode("utf-8", "replace")
        try:
            value = json.loads(raw)
        except ValueError:
            s.fail("malformed_stream", "the body is not JSON: " + clip(raw))
            return
        text = value_at(value, call.text_path) if call.text_path else None
        if call.usage_path:
            read_app_usage(s, value_at(value, call.usage_path))
        if not isinstance(text, str) or text == "":
            s.fail("malformed_stream", 'response.text_path "%s" matched no text in the body: %s' % (call.text_path_text, clip(raw)))
            return
        s.text.append(text)
        s.finish_reason = "stop"

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


def record_of(user, req, call, warmup, session):
    """The request as a perflab RequestRecord (src/engine/records.ts), every latency from the first
    attempt's send. Tokens come from usage; without usage (or without its reasoning breakdown while
    reasoning was streamed) the text goes along in `estimate_text` and the import counts it with the
    target's tokenizer, as the engine does, marking the counts estimated. A prompt that carries a
    session's history has no count made in advance: its messages go along for the import to count.
    `session`: the session id, turn and think time (ms) with `workload.sessions`, else None."""
    prompt = call["prompt"]
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
    elif r["status"] is not None and 200 <= r["status"] < 300:
        prompt_tokens, completion, reasoning = None if call["history"] else prompt.get("prompt_tokens"), None, None
        estimate = {"output": "".join(s.text), "reasoning": "".join(s.reasoning_text)}
        if call["history"]:
            estimate["prompt_messages"] = call["messages"]
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
    if session is not None:
        record.update(session)
    if estimate is not None:
        record["last_visible_ms"] = since(s.last_visible)
        record["estimate_text"] = estimate
    return record
