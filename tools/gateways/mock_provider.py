#!/usr/bin/env python3
"""A mock LLM provider on loopback, for putting a real gateway in front of it.

Serves, on 127.0.0.1 only:

  GET  /v1/models              OpenAI model list
  POST /v1/chat/completions    OpenAI Chat Completions, streamed (SSE) or not
  POST /v1/responses           OpenAI Responses, streamed (SSE events) or not
  POST /v1/messages            Anthropic Messages, streamed (SSE events) or not

(the same paths without the /v1 prefix work too). Every request it receives is appended to the
log file as one JSON line: time, method, path, headers (credential headers are dropped; their
names are listed under "credential_headers"), the body (parsed JSON when it parses, text
otherwise), and the status the mock answered with. That log is the provider leg: what a gateway
actually forwarded.

By default (--validate strict) the request bodies are validated roughly the way the real APIs
do it, with the real error envelopes, so that a gateway that forwards a body the provider would
refuse gets the provider's kind of 400 back:

  Chat Completions  missing `model` / `messages`, top-level arguments Chat Completions does not
                    know (Responses or Anthropic fields such as `input`, `system`, `reasoning`),
                    message roles and content part types (`tool_use`, `tool_result`, ...),
                    empty assistant content arrays, tool definitions without `type`/`function`.
                    Envelope: {"error": {"message", "type", "param", "code"}}.
  Responses         missing `model` / `input`.
  Anthropic         missing `model` / `max_tokens` / `messages`, roles, empty message content,
                    `tool_result` blocks without a `tool_use` in the previous assistant turn.
                    Envelope: {"type": "error", "error": {"type", "message"}}.

The messages imitate the providers' published error texts; they are not byte-for-byte copies
of what the live APIs would say for every body. --validate off accepts anything.

Standard library only. Bounded: request bodies are capped, each connection has a socket
timeout, the server stops after --lifetime seconds (or --max-requests requests), and SIGINT or
SIGTERM stop it cleanly.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 * 1024 * 1024
CREDENTIAL_HEADERS = {
    "authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "proxy-authorization",
    "x-portkey-api-key",
    "x-goog-api-key",
}
REPLY_TEXT = "Hello from the mock provider."
MODELS = ["gpt-5.5", "claude-sonnet-4-5", "claude-opus-4-1", "deepseek-v4-pro", "mock-chat"]

# Top-level request arguments OpenAI's Chat Completions accepts (2026). Anything else gets
# "Unrecognized request argument supplied: <name>".
CHAT_ARGS = {
    "model", "messages", "audio", "frequency_penalty", "function_call", "functions",
    "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities",
    "n", "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key",
    "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier",
    "seed", "service_tier", "stop", "store", "stream", "stream_options", "temperature",
    "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
}
CHAT_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
USER_PART_TYPES = ["text", "image_url", "input_audio", "refusal", "audio", "file"]
ASSISTANT_PART_TYPES = ["text", "refusal"]
ANTHROPIC_ROLES = {"user", "assistant"}


class Invalid(Exception):
    """A request the real provider would refuse: (status, envelope)."""

    def __init__(self, status, envelope):
        super().__init__(json.dumps(envelope))
        self.status = status
        self.envelope = envelope


def openai_error(message, param=None, code=None, status=400, kind="invalid_request_error"):
    return Invalid(status, {"error": {"message": message, "type": kind, "param": param, "code": code}})


def anthropic_error(message, status=400, kind="invalid_request_error"):
    return Invalid(status, {"type": "error", "error": {"type": kind, "message": message}})


# ---------------------------------------------------------------------------------------------
# Validation, modelled on the providers' own answers.


def validate_chat(body):
    if not isinstance(body, dict):
        raise openai_error("Invalid type for request body: expected an object.", None, "invalid_type")
    if "model" not in body:
        raise openai_error("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    if "messages" not in body:
        raise openai_error("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
    for key in body:
        if key not in CHAT_ARGS:
            raise openai_error(f"Unrecognized request argument supplied: {key}")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise openai_error("Invalid type for 'messages': expected an array of objects.", "messages", "invalid_type")
    if not messages:
        raise openai_error(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "messages", "empty_array")
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise openai_error(f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        role = msg.get("role")
        if role is None:
            raise openai_error(f"Missing required parameter: '{where}.role'.", f"{where}.role", "missing_required_parameter")
        if role not in CHAT_ROLES:
            allowed = "', '".join(sorted(CHAT_ROLES))
            raise openai_error(f"Invalid value: '{role}'. Supported values are: '{allowed}'.", f"{where}.role", "invalid_value")
        content = msg.get("content")
        if role == "tool" and "tool_call_id" not in msg:
            raise openai_error(f"Missing required parameter: '{where}.tool_call_id'.", f"{where}.tool_call_id", "missing_required_parameter")
        if isinstance(content, list):
            if not content:
                raise openai_error(
                    f"Invalid '{where}.content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                    f"{where}.content", "empty_array")
            allowed = ASSISTANT_PART_TYPES if role == "assistant" else (
                ["text"] if role in ("system", "developer", "tool") else USER_PART_TYPES)
            for j, part in enumerate(content):
                pwhere = f"{where}.content[{j}]"
                ptype = part.get("type") if isinstance(part, dict) else None
                if ptype is None:
                    raise openai_error(f"Missing required parameter: '{pwhere}.type'.", f"{pwhere}.type", "missing_required_parameter")
                if ptype not in allowed:
                    listed = ", ".join(f"'{t}'" for t in allowed[:-1])
                    listed = f"{listed}, and '{allowed[-1]}'" if len(allowed) > 1 else f"'{allowed[0]}'"
                    raise openai_error(f"Invalid value: '{ptype}'. Supported values are: {listed}.", f"{pwhere}.type", "invalid_value")
        elif content is None and role not in ("assistant",):
            raise openai_error(f"Missing required parameter: '{where}.content'.", f"{where}.content", "missing_required_parameter")
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise openai_error("Invalid type for 'tools': expected an array of objects.", "tools", "invalid_type")
        for i, tool in enumerate(tools):
            where = f"tools[{i}]"
            ttype = tool.get("type") if isinstance(tool, dict) else None
            if ttype is None:
                raise openai_error(f"Missing required parameter: '{where}.type'.", f"{where}.type", "missing_required_parameter")
            if ttype not in ("function", "custom"):
                raise openai_error(f"Invalid value: '{ttype}'. Supported values are: 'function' and 'custom'.", f"{where}.type", "invalid_value")
            if ttype not in tool:
                raise openai_error(f"Missing required parameter: '{where}.{ttype}'.", f"{where}.{ttype}", "missing_required_parameter")


def validate_responses(body):
    if not isinstance(body, dict):
        raise openai_error("Invalid type for request body: expected an object.", None, "invalid_type")
    if "model" not in body:
        raise openai_error("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    if "input" not in body and "prompt" not in body and "previous_response_id" not in body:
        raise openai_error("Missing required parameter: 'input'.", "input", "missing_required_parameter")


def validate_anthropic(body):
    if not isinstance(body, dict):
        raise anthropic_error("Request body must be a JSON object")
    for field in ("model", "max_tokens", "messages"):
        if field not in body:
            raise anthropic_error(f"{field}: Field required")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise anthropic_error("messages: Input should be a valid list")
    previous_tool_uses = set()
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in ANTHROPIC_ROLES:
            raise anthropic_error(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = msg.get("content")
        blocks = content if isinstance(content, list) else []
        if content in ("", []) and not (role == "assistant" and i == len(messages) - 1):
            raise anthropic_error(
                f"messages.{i}: all messages must have non-empty content except for the optional final assistant message")
        if role == "user":
            for j, block in enumerate(blocks):
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    if block.get("tool_use_id") not in previous_tool_uses:
                        raise anthropic_error(
                            f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                            f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding "
                            "`tool_use` block in the previous message.")
        previous_tool_uses = {
            b.get("id") for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
        } if role == "assistant" else set()


# ---------------------------------------------------------------------------------------------
# Answers: minimal, provider-shaped.


def usage_counts():
    return 12, 7


def chat_answer(body):
    prompt, completion = usage_counts()
    return {
        "id": "chatcmpl-mock" + uuid.uuid4().hex[:12],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "mock"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": REPLY_TEXT, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                  "total_tokens": prompt + completion},
    }


def chat_stream(body):
    cid = "chatcmpl-mock" + uuid.uuid4().hex[:12]
    created = int(time.time())
    model = body.get("model", "mock")

    def chunk(delta, finish=None, usage=None, choices=True):
        obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else []}
        if usage is not None:
            obj["usage"] = usage
        return "data: " + json.dumps(obj) + "\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for word in REPLY_TEXT.split(" "):
        yield chunk({"content": word + " "})
    yield chunk({}, finish="stop")
    if (body.get("stream_options") or {}).get("include_usage"):
        prompt, completion = usage_counts()
        yield chunk(None, usage={"prompt_tokens": prompt, "completion_tokens": completion,
                                 "total_tokens": prompt + completion}, choices=False)
    yield "data: [DONE]\n\n"


def responses_object(body, status="completed"):
    prompt, completion = usage_counts()
    return {
        "id": "resp_mock" + uuid.uuid4().hex[:12],
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": body.get("model", "mock"),
        "output": [] if status != "completed" else [{
            "type": "message", "id": "msg_mock1", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": REPLY_TEXT, "annotations": []}],
        }],
        "usage": None if status != "completed" else {
            "input_tokens": prompt, "output_tokens": completion,
            "total_tokens": prompt + completion,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def responses_stream(body):
    seq = 0

    def event(kind, payload):
        nonlocal seq
        payload = {"type": kind, "sequence_number": seq, **payload}
        seq += 1
        return f"event: {kind}\ndata: {json.dumps(payload)}\n\n"

    started = responses_object(body, status="in_progress")
    yield event("response.created", {"response": started})
    yield event("response.output_item.added", {"output_index": 0, "item": {
        "type": "message", "id": "msg_mock1", "status": "in_progress", "role": "assistant", "content": []}})
    yield event("response.content_part.added", {"item_id": "msg_mock1", "output_index": 0, "content_index": 0,
                                                "part": {"type": "output_text", "text": "", "annotations": []}})
    for word in REPLY_TEXT.split(" "):
        yield event("response.output_text.delta", {"item_id": "msg_mock1", "output_index": 0,
                                                   "content_index": 0, "delta": word + " "})
    yield event("response.output_text.done", {"item_id": "msg_mock1", "output_index": 0,
                                              "content_index": 0, "text": REPLY_TEXT})
    done = responses_object(body)
    done["id"] = started["id"]
    yield event("response.output_item.done", {"output_index": 0, "item": done["output"][0]})
    yield event("response.completed", {"response": done})


def anthropic_answer(body):
    prompt, completion = usage_counts()
    return {
        "id": "msg_mock" + uuid.uuid4().hex[:12],
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "mock"),
        "content": [{"type": "text", "text": REPLY_TEXT}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": prompt, "output_tokens": completion},
    }


def anthropic_stream(body):
    def event(kind, payload):
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **payload})}\n\n"

    prompt, completion = usage_counts()
    message = anthropic_answer(body)
    message["content"] = []
    message["stop_reason"] = None
    message["usage"] = {"input_tokens": prompt, "output_tokens": 1}
    yield event("message_start", {"message": message})
    yield event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    for word in REPLY_TEXT.split(" "):
        yield event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": word + " "}})
    yield event("content_block_stop", {"index": 0})
    yield event("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                  "usage": {"output_tokens": completion}})
    yield event("message_stop", {})


# ---------------------------------------------------------------------------------------------
# The server.


def now_iso():
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


class RequestLog:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def append(self, record):
        if not self.path:
            return
        line = json.dumps(record, ensure_ascii=False, sort_keys=False)
        with self.lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
            f.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-provider/1"
    timeout = 30  # seconds of socket inactivity before a connection is dropped

    def log_message(self, fmt, *args):  # quiet; the JSON log is the record
        if self.server.verbose:
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    # -- plumbing --

    def read_body(self):
        length = self.headers.get("content-length")
        if length is not None:
            n = int(length)
            if n > MAX_BODY:
                raise ValueError("body too large")
            return self.rfile.read(n)
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            parts, total = [], 0
            for _ in range(100000):  # bounded number of chunks
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(16)
            return b"".join(parts)
        return b""

    def record(self, body_bytes, status):
        headers, creds = [], []
        for name, value in self.headers.items():
            if name.lower() in CREDENTIAL_HEADERS:
                creds.append(name.lower())
            else:
                headers.append([name, value])
        body = None
        if body_bytes:
            try:
                body = json.loads(body_bytes)
            except ValueError:
                body = {"text": body_bytes.decode("utf-8", "replace")}
        self.server.request_log.append({
            "time": now_iso(),
            "method": self.command,
            "path": self.path,
            "headers": headers,
            "credential_headers": creds,
            "body": body,
            "status": status,
        })
        self.server.count_request()

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", "req_mock" + uuid.uuid4().hex[:12])
        self.end_headers()
        self.wfile.write(data)

    def send_sse(self, events):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("x-request-id", "req_mock" + uuid.uuid4().hex[:12])
        self.end_headers()
        for text in events:
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            if self.server.chunk_delay:
                time.sleep(self.server.chunk_delay)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def route(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith("/v1/"):
            path = path[3:]
        return path

    # -- methods --

    def do_GET(self):
        path = self.route()
        if path == "/models":
            self.record(b"", 200)
            self.send_json(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 1767225600, "owned_by": "mock"} for m in MODELS]})
        elif path in ("", "/health"):  # readiness probe, not logged
            self.send_json(200, {"status": "ok"})
        else:
            self.record(b"", 404)
            self.send_json(404, {"error": {"message": f"Invalid URL (GET {self.path})",
                                           "type": "invalid_request_error", "param": None, "code": None}})

    def do_POST(self):
        path = self.route()
        try:
            raw = self.read_body()
        except ValueError as e:
            self.record(b"", 413)
            self.send_json(413, {"error": {"message": str(e), "type": "invalid_request_error", "param": None, "code": None}})
            return
        handlers = {
            "/chat/completions": (validate_chat, chat_answer, chat_stream, "openai"),
            "/responses": (validate_responses, responses_object, responses_stream, "openai"),
            "/messages": (validate_anthropic, anthropic_answer, anthropic_stream, "anthropic"),
        }
        if path not in handlers:
            self.record(raw, 404)
            self.send_json(404, {"error": {"message": f"Invalid URL (POST {self.path})",
                                           "type": "invalid_request_error", "param": None, "code": None}})
            return
        validate, answer, stream, family = handlers[path]
        try:
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                raise (anthropic_error("There was an error parsing the body of your request.")
                       if family == "anthropic" else
                       openai_error("We could not parse the JSON body of your request.", None, None))
            if self.server.validate:
                validate(body)
            elif not isinstance(body, dict):
                body = {}
        except Invalid as e:
            self.record(raw, e.status)
            self.send_json(e.status, e.envelope)
            return
        self.record(raw, 200)
        if body.get("stream") is True:
            self.send_sse(stream(body))
        else:
            self.send_json(200, answer(body))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, request_log, validate, chunk_delay, max_requests, verbose):
        super().__init__(addr, Handler)
        self.request_log = request_log
        self.validate = validate
        self.chunk_delay = chunk_delay
        self.max_requests = max_requests
        self.verbose = verbose
        self.served = 0
        self.lock = threading.Lock()

    def count_request(self):
        with self.lock:
            self.served += 1
            if self.max_requests and self.served >= self.max_requests:
                threading.Thread(target=self.shutdown, daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, default=int(os.environ.get("MOCK_PROVIDER_PORT", "18080")),
                   help="port on 127.0.0.1 (0 picks a free one; default $MOCK_PROVIDER_PORT or 18080)")
    p.add_argument("--log", default=os.environ.get("MOCK_PROVIDER_LOG", "mock-provider.jsonl"),
                   help="JSON-lines request log, appended to (default $MOCK_PROVIDER_LOG or ./mock-provider.jsonl)")
    p.add_argument("--validate", choices=["strict", "off"], default="strict",
                   help="reject what the real provider would reject (default strict)")
    p.add_argument("--lifetime", type=float, default=3600.0, help="stop after this many seconds (default 3600)")
    p.add_argument("--max-requests", type=int, default=0, help="stop after this many requests (0: no limit)")
    p.add_argument("--chunk-delay", type=float, default=0.0, help="seconds to sleep between streamed events")
    p.add_argument("--verbose", action="store_true", help="log each request line to stderr")
    args = p.parse_args()

    server = Server(("127.0.0.1", args.port), RequestLog(args.log), args.validate == "strict",
                    args.chunk_delay, args.max_requests, args.verbose)
    port = server.server_address[1]
    print(f"mock provider on http://127.0.0.1:{port}/v1 (log: {args.log}, validate: {args.validate})", flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.lifetime, stop)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        timer.cancel()
        server.server_close()
    print(f"mock provider stopped after {server.served} requests", flush=True)


if __name__ == "__main__":
    main()
