#!/usr/bin/env python3
"""Write the golden captures under captures/golden/ from the public evidence.

Every file is synthesized, not recorded: the request bodies are the reconstructions of
docs/evidence.md §2 (themselves built from forum threads, issues and PRs), and the responses
are what the gateways described there send back. The `source` of each capture names the
evidence; the bare ids in this file (F…, §…, N…) are those of docs/evidence.md.

The output is deterministic (fixed ids, times and chunk offsets) and byte-identical to what
`Exchange::to_pretty_json` writes, so the Rust tests can load each file, serialise it again and
compare bytes. That holds because:
  * dicts keep insertion order and every exchange below is built in the struct field order of
    src/capture/mod.rs (optional fields the struct skips when None are left out; the others are
    present as null);
  * json.dumps(indent=2, ensure_ascii=False) matches serde_json's pretty printer (2-space indent,
    ": " and "," separators, `[]`/`{}` for empty containers, non-ASCII unescaped, the same
    escapes for control characters);
  * every f64 field (at_ms, headers_at_ms, ended_at_ms) is a Python float with few decimals, whose
    repr is the same shortest form serde_json prints (`120.0`, not `120`).

Run from the repository root:  python3 tools/golden/synthesize.py [--out DIR]
(--out writes elsewhere, for comparing a fresh run with the checked-in files.)
"""

import datetime
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "captures" / "golden"

# One user's key, as the recorder's keyed hash would redact it (the same key gives the same token).
CURSOR_AUTH = "Bearer [REDACTED:3f9a1c2b7d4e]"
SESSION = "golden"
DAY = datetime.datetime(2026, 5, 14, 9, 30, tzinfo=datetime.timezone.utc)


def compact(value):
    """The bytes serde_json::to_vec writes for a JSON value (what a JSON body holds)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def pretty(value):
    """Exchange::to_pretty_json: serde_json pretty printing plus a trailing newline."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def started(number):
    """Each capture starts a few minutes after the previous one, at a fixed millisecond."""
    return DAY + datetime.timedelta(minutes=3 * number, milliseconds=137 + number)


def rfc3339(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def uuid7(moment, number):
    """A UUIDv7 whose timestamp is `moment`, with fixed 'random' bits so reruns are identical."""
    ms = int(moment.timestamp() * 1000)
    return (
        f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7{number:03x}-"
        f"{0x8000 | 0x0901:04x}-{0x601DE0000000 + number:012x}"
    )


def http_date(moment):
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def unix(moment):
    return int(moment.timestamp())


def request_headers(body_bytes, http_version, host):
    """What the recorder saw: Cursor's backend sends the key as a Bearer token and JSON (F6).
    Nothing else about Cursor's headers is established (F7), so only transport headers follow."""
    headers = []
    if http_version == "HTTP/1.1":
        headers.append(["host", host])
    headers.append(["authorization", CURSOR_AUTH])
    if body_bytes is not None:
        headers.append(["content-type", "application/json"])
        headers.append(["content-length", str(len(body_bytes))])
    return headers


def sse_headers(moment, http_version):
    headers = [
        ["date", http_date(moment)],
        ["content-type", "text/event-stream"],
        ["cache-control", "no-cache"],
    ]
    if http_version == "HTTP/1.1":
        headers.append(["transfer-encoding", "chunked"])
        headers.append(["connection", "keep-alive"])
    return headers


def json_headers(moment, body_text):
    return [
        ["date", http_date(moment)],
        ["content-type", "application/json"],
        ["content-length", str(len(body_text.encode("utf-8")))],
    ]


def data(event):
    """One Chat-style SSE event: a bare data line and a blank line."""
    if isinstance(event, str):
        return f"data: {event}\n\n"
    return "data: " + json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n\n"


def named(name, payload):
    """One Responses-API SSE event: an event line, then its data."""
    return f"event: {name}\n" + data(payload)


def chunks(texts, first_ms, gap_ms):
    """Stream chunks with offsets that grow by a fixed, slightly uneven step."""
    out = []
    at = first_ms
    for i, text in enumerate(texts):
        out.append({"at_ms": round(at, 3), "text": text})
        at += gap_ms + (i % 3) * 1.25
    return out


def exchange(number, *, model, source, upstream, method, target, http_version, host,
             body, response, error=None):
    moment = started(number)
    body_bytes = compact(body) if body is not None else None
    return {
        "format": "cursor-harness/capture",
        "version": 1,
        "id": uuid7(moment, number),
        "session": SESSION,
        "recorded_at": rfc3339(moment),
        "provenance": {"kind": "synthesized", "source": source},
        "model": model,
        "upstream": upstream,
        "request": {
            "method": method,
            "target": target,
            "http_version": http_version,
            "headers": request_headers(body_bytes, http_version, host),
            "body": {"json": body} if body is not None else None,
        },
        "response": response,
        "error": error,
    }


def stream_response(moment, http_version, headers_at_ms, stream, ended_at_ms, status=200):
    return {
        "status": status,
        "http_version": http_version,
        "headers": sse_headers(moment, http_version),
        "headers_at_ms": headers_at_ms,
        "stream": stream,
        "ended_at_ms": ended_at_ms,
    }


def body_response(moment, http_version, status, headers_at_ms, text, ended_at_ms, as_json):
    """A non-stream body: kept as JSON when it is compact JSON, as text otherwise (as the
    recorder's Body::from_bytes decides)."""
    return {
        "status": status,
        "http_version": http_version,
        "headers": json_headers(moment, text),
        "headers_at_ms": headers_at_ms,
        "body": {"json": json.loads(text)} if as_json else {"text": text},
        "ended_at_ms": ended_at_ms,
    }


# --- request bodies ---------------------------------------------------------------------------

GRAMMAR = (
    "start: begin_patch hunk+ end_patch\n"
    'begin_patch: "*** Begin Patch" LF\n'
    'end_patch: "*** End Patch" LF?\n'
    "hunk: add_hunk | delete_hunk | update_hunk\n"
    "<...>"
)

RESPONSES_TOOLS = [
    {"type": "function", "name": "ReadFile", "description": "<...>",
     "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                    "required": ["path"]}},
    {"type": "function", "name": "Shell", "description": "<...>",
     "parameters": {"type": "object", "properties": {"command": {"type": "string"}},
                    "required": ["command"]}},
    {"type": "custom", "name": "ApplyPatch", "description": "<...>",
     "format": {"type": "grammar", "syntax": "lark", "definition": GRAMMAR}},
]

DEVELOPER_ITEM = {"type": "message", "role": "developer",
                  "content": [{"type": "input_text", "text": "<system prompt>"}]}

PATCH = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-old\n+new\n*** End Patch"


def hybrid_agent_body():
    """docs/evidence.md §2.1, field for field."""
    return {
        "model": "gpt-5.5",
        "input": [
            DEVELOPER_ITEM,
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text":
                "<additional_data>…</additional_data><user_query>fix the bug</user_query>"}]},
            {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "<opaque>"},
            {"type": "function_call", "call_id": "call_1", "name": "ReadFile",
             "arguments": "{\"path\":\"src/a.ts\"}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "<file text>"},
            {"type": "custom_tool_call", "call_id": "call_2", "name": "ApplyPatch", "input": PATCH},
            {"type": "custom_tool_call_output", "call_id": "call_2", "output": "ok"},
        ],
        "tools": RESPONSES_TOOLS,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "text": {"verbosity": "low"},
        "store": False,
        "previous_response_id": None,
        "truncation": "disabled",
        "prompt_cache_retention": "24h",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def hybrid_first_turn_body():
    """Exactly the fields of the forum t/159298 capture (GPT-5.5, medium reasoning)."""
    return {
        "model": "gpt-5.5",
        "input": [
            DEVELOPER_ITEM,
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text":
                "<user_query>what does src/a.ts export?</user_query>"}]},
        ],
        "stream": True,
        "include": ["reasoning.encrypted_content"],
        "reasoning": {"effort": "medium", "summary": "auto"},
        "text": {"verbosity": "low"},
        "stream_options": {"include_usage": True},
    }


def hybrid_after_read_body():
    """§2.1 one turn earlier: the file has been read, the model is about to patch it."""
    return {
        "model": "gpt-5.5",
        "input": [
            DEVELOPER_ITEM,
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text":
                "<user_query>rename old to new in a.py</user_query>"}]},
            {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "<opaque>"},
            {"type": "function_call", "call_id": "call_1", "name": "ReadFile",
             "arguments": "{\"path\":\"a.py\"}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "x = old\n"},
        ],
        "tools": RESPONSES_TOOLS,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "reasoning": {"effort": "medium", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "text": {"verbosity": "low"},
        "store": False,
        "previous_response_id": None,
        "truncation": "disabled",
        "prompt_cache_retention": "24h",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def mixed_chat_body():
    """docs/evidence.md §2.2."""
    return {
        "model": "gpt-5.5",
        "messages": [
            {"role": "system", "content": "<system prompt>"},
            {"role": "user", "content": [{"type": "text", "text": "<user_query>…</user_query>"}]},
            {"role": "assistant", "content": [], "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "ReadFile", "arguments": "{\"path\":\"a.py\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "print(42)"},
        ],
        "tools": [
            {"type": "function", "function": {"name": "ReadFile", "description": "<...>",
             "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                            "required": ["path"]}}},
            {"type": "custom", "name": "ApplyPatch", "description": "<...>",
             "format": {"type": "grammar", "syntax": "lark", "definition": "<...>"}},
        ],
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
        "user": "<opaque>",
    }


ANTHROPIC_TOOLS = [
    {"name": "read_file", "description": "<...>", "input_schema": {
        "type": "object", "properties": {"target_file": {"type": "string"}},
        "required": ["target_file"]}},
    {"name": "run_terminal_cmd", "description": "<...>", "input_schema": {
        "type": "object", "properties": {"command": {"type": "string"}},
        "required": ["command"]}},
]

ANTHROPIC_SYSTEM = [{"type": "text", "text": "<system prompt>",
                     "cache_control": {"type": "ephemeral"}}]


def anthropic_tool_history_body():
    """docs/evidence.md §2.3, with a second file to read so the answer is a tool call."""
    return {
        "model": "claude-sonnet-4-5",
        "system": ANTHROPIC_SYSTEM,
        "messages": [
            {"role": "user", "content": [{"type": "text",
                "text": "<user_query>read a.py, then the file it imports</user_query>"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Reading the file."},
                {"type": "tool_use", "id": "toolu_1", "name": "read_file",
                 "input": {"target_file": "a.py"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1",
                 "content": "from b import x\nprint(x)",
                 "cache_control": {"type": "ephemeral"}}]},
        ],
        "tools": ANTHROPIC_TOOLS,
        "tool_choice": {"type": "auto"},
        "max_tokens": 8192,
        "stream": True,
        "stream_options": {"include_usage": True},
        "parallel_tool_calls": True,
    }


def anthropic_first_turn_body():
    """§2.3 at the first turn: no tool history yet."""
    return {
        "model": "claude-opus-4-1",
        "system": ANTHROPIC_SYSTEM,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text":
                "<additional_data>…</additional_data><user_query>explain the retry loop in "
                "client.py</user_query>", "cache_control": {"type": "ephemeral"}}]},
        ],
        "tools": ANTHROPIC_TOOLS,
        "tool_choice": {"type": "auto"},
        "max_tokens": 8192,
        "stream": True,
        "stream_options": {"include_usage": True},
        "parallel_tool_calls": True,
    }


def plain_chat_body(model, user_query):
    """docs/evidence.md §2.5 (and the §2.4 best guess for Gemini names)."""
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": "<system prompt>"},
            {"role": "user", "content": [{"type": "text",
                                          "text": f"<user_query>{user_query}</user_query>"}]},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "read_file", "arguments": "{\"target_file\":\"a.py\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "print(42)"},
        ],
        "tools": [
            {"type": "function", "function": {"name": "read_file", "description": "<...>",
             "parameters": {"type": "object",
                            "properties": {"target_file": {"type": "string"}}}}},
        ],
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
    }


# --- response streams -------------------------------------------------------------------------

def chat_chunk(cid, created, model, delta, finish=None):
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def usage_chunk(cid, created, model, prompt, completion, **details):
    usage = {"prompt_tokens": prompt, "completion_tokens": completion,
             "total_tokens": prompt + completion}
    usage.update(details)
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [], "usage": usage}


def text_stream(cid, created, model, pieces, prompt, completion):
    """§3.1: role chunk, content deltas, finish chunk, usage chunk, [DONE]."""
    events = [chat_chunk(cid, created, model, {"role": "assistant", "content": ""})]
    events += [chat_chunk(cid, created, model, {"content": piece}) for piece in pieces]
    events.append(chat_chunk(cid, created, model, {}, "stop"))
    events.append(usage_chunk(cid, created, model, prompt, completion))
    return [data(e) for e in events] + [data("[DONE]")]


def tool_call_stream(cid, created, model, call_id, name, fragments, prompt, completion,
                     **usage_details):
    """§3.2: the first delta opens the call (id, type function, name, empty arguments),
    the next ones carry argument fragments only, then finish_reason tool_calls."""
    events = [chat_chunk(cid, created, model, {"role": "assistant", "tool_calls": [
        {"index": 0, "id": call_id, "type": "function",
         "function": {"name": name, "arguments": ""}}]})]
    events += [chat_chunk(cid, created, model, {"tool_calls": [
        {"index": 0, "function": {"arguments": fragment}}]}) for fragment in fragments]
    events.append(chat_chunk(cid, created, model, {}, "tool_calls"))
    events.append(usage_chunk(cid, created, model, prompt, completion, **usage_details))
    return [data(e) for e in events] + [data("[DONE]")]


def responses_stream(created, model):
    """What a gateway that forwards to /v1/responses and relays the answer untouched sends:
    named `response.*` events (OpenAI's Responses streaming events), no [DONE]."""
    rid, mid = "resp_0a1b2c3d4e5f", "msg_0a1b2c3d4e5f"
    base = {"id": rid, "object": "response", "created_at": created, "model": model,
            "output": [], "usage": None}
    text = "It exports `parseConfig` and the `Config` type."
    pieces = ["It exports ", "`parseConfig` and", " the `Config` type."]
    seq = iter(range(100))
    events = [
        named("response.created", {"type": "response.created", "sequence_number": next(seq),
              "response": dict(base, status="in_progress")}),
        named("response.in_progress", {"type": "response.in_progress",
              "sequence_number": next(seq), "response": dict(base, status="in_progress")}),
        named("response.output_item.added", {"type": "response.output_item.added",
              "sequence_number": next(seq), "output_index": 0, "item": {
                  "id": mid, "type": "message", "status": "in_progress", "role": "assistant",
                  "content": []}}),
        named("response.content_part.added", {"type": "response.content_part.added",
              "sequence_number": next(seq), "item_id": mid, "output_index": 0,
              "content_index": 0, "part": {"type": "output_text", "text": "",
                                           "annotations": []}}),
    ]
    for piece in pieces:
        events.append(named("response.output_text.delta", {
            "type": "response.output_text.delta", "sequence_number": next(seq), "item_id": mid,
            "output_index": 0, "content_index": 0, "delta": piece, "logprobs": []}))
    message = {"id": mid, "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}
    events += [
        named("response.output_text.done", {"type": "response.output_text.done",
              "sequence_number": next(seq), "item_id": mid, "output_index": 0,
              "content_index": 0, "text": text, "logprobs": []}),
        named("response.output_item.done", {"type": "response.output_item.done",
              "sequence_number": next(seq), "output_index": 0, "item": message}),
        named("response.completed", {"type": "response.completed",
              "sequence_number": next(seq), "response": dict(
                  base, status="completed", output=[message], usage={
                      "input_tokens": 2841, "input_tokens_details": {"cached_tokens": 2048},
                      "output_tokens": 57, "output_tokens_details": {"reasoning_tokens": 38},
                      "total_tokens": 2898})}),
    ]
    return events


# --- the captures -----------------------------------------------------------------------------

HTTP1, HTTP2 = "HTTP/1.1", "HTTP/2"
TARGET = "/v1/chat/completions"


def capture_1():
    n = 1
    moment = started(n)
    # A passthrough relay hands OpenAI's own error body on unchanged; OpenAI pretty-prints it
    # with a trailing newline, so it is not compact JSON and the capture keeps it as text.
    error = ('{\n    "error": {\n        "message": "Unrecognized request argument supplied: '
             'input",\n        "type": "invalid_request_error",\n        "param": "input",\n'
             '        "code": null\n    }\n}\n')
    return "gpt-5.5", "hybrid-agent-tool-history-400", exchange(
        n, model="gpt-5.5", upstream="https://passthrough-relay.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP1, host="passthrough-relay.example.net",
        source=(
            "Responses-API hybrid body of an Agent-mode follow-up (docs/evidence.md §2.1: forum "
            "t/153019 and t/159298 for the fields, staff on t/158939 and t/161924 for input plus "
            "flat tools, codex-proxy #707 and archestra #7375 for the custom ApplyPatch Lark tool, "
            "litellm #18200 for stream_options.include_usage) sent by Cursor to POST "
            "/chat/completions; a passthrough relay forwards it to OpenAI Chat Completions, which "
            "answers 400 (F23: Cursor shows 'Provider returned error'). Synthesized, not traffic."),
        body=hybrid_agent_body(),
        response=body_response(moment, HTTP1, 400, 212.408, error, 213.115, as_json=False),
    )


def capture_2():
    n = 2
    moment = started(n)
    created = unix(moment)
    events = responses_stream(created, "gpt-5.5")
    # Two events share one network chunk: relays flush on their own schedule.
    texts = [events[0] + events[1]] + events[2:]
    stream = chunks(texts, 688.5, 41.75)
    return "gpt-5.5", "hybrid-first-turn-responses-sse", exchange(
        n, model="gpt-5.5", upstream="https://responses-relay.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP2, host="responses-relay.example.net",
        source=(
            "First-turn Responses-API hybrid body with exactly the fields of the forum t/159298 "
            "capture (docs/evidence.md F9, §2.1); the gateway forwards it to /v1/responses and "
            "relays the Responses SSE (response.created … response.output_text.delta … "
            "response.completed) untranslated, which Cursor renders as nothing (F20, §3.5: forum "
            "t/159298, staff t/161924). Synthesized, not traffic."),
        body=hybrid_first_turn_body(),
        response=stream_response(moment, HTTP2, 655.25, stream,
                                 round(stream[-1]["at_ms"] + 0.5, 3)),
    )


def capture_3():
    n = 3
    moment = started(n)
    created = unix(moment)
    patch = "*** Begin Patch\n*** Update File: a.py\n@@\n-x = old\n+x = new\n*** End Patch"
    fragments = [patch[:36], patch[36:52], patch[52:]]
    texts = tool_call_stream("chatcmpl-3b9f2c", created, "gpt-5.5", "call_9", "ApplyPatch",
                             fragments, 4210, 96,
                             completion_tokens_details={"reasoning_tokens": 64})
    stream = chunks(texts, 1432.0, 18.5)
    return "gpt-5.5", "hybrid-apply-patch-translated-stream", exchange(
        n, model="gpt-5.5", upstream="https://translating-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP2, host="translating-gateway.example.net",
        source=(
            "Responses-API hybrid body one turn into an Agent-mode edit (docs/evidence.md §2.1: "
            "forum t/153019, t/159298, staff t/158939) answered by a gateway that translates "
            "to /v1/responses and back, streaming ApplyPatch as a Chat function tool call with the "
            "raw '*** Begin Patch' text as arguments and finish_reason tool_calls (§3.2, F11, F21: "
            "codex-proxy #707/#708, api2cursor, Pil0tXia _item_to_tool_call; usage chunk as "
            "Pil0tXia make_chat_completion_usage_chunk). Synthesized, not traffic."),
        body=hybrid_after_read_body(),
        response=stream_response(moment, HTTP2, 1398.75, stream,
                                 round(stream[-1]["at_ms"] + 0.25, 3)),
    )


def capture_4():
    n = 4
    moment = started(n)
    error = compact({"error": {
        "message": "Invalid 'messages[2].content': empty array. Expected an array with minimum "
                   "length 1, but got an empty array instead.",
        "type": "invalid_request_error", "param": "messages[2].content",
        "code": "empty_array"}}).decode("utf-8")
    return "gpt-5.5", "mixed-chat-empty-assistant-content-400", exchange(
        n, model="gpt-5.5", upstream="https://chat-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP1, host="chat-gateway.example.net",
        source=(
            "Mixed Chat dialect body (docs/evidence.md §2.2, F12, F13: messages with nested "
            "function tools plus a flat Responses-style custom ApplyPatch tool, per litellm PR "
            "#34029, sub2api #5861 and the api2cursor README; assistant tool-call turn with "
            "content: [] and the user field, per archestra PR #7375) forwarded to OpenAI Chat "
            "Completions, which rejects the empty content array with 400 (archestra #7375). "
            "Synthesized, not traffic."),
        body=mixed_chat_body(),
        response=body_response(moment, HTTP1, 400, 187.062, error, 187.5, as_json=True),
    )


def capture_5():
    n = 5
    moment = started(n)
    created = unix(moment)
    texts = tool_call_stream("chatcmpl-5c0d71", created, "claude-sonnet-4-5", "toolu_2",
                             "read_file", ['{"target', '_file":', ' "b.py"}'], 3577, 41)
    stream = chunks(texts, 903.5, 22.0)
    return "claude-sonnet-4-5", "anthropic-tool-history-read-file-stream", exchange(
        n, model="claude-sonnet-4-5", upstream="https://translating-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP2, host="translating-gateway.example.net",
        source=(
            "Anthropic-shaped body for a Claude-named model (docs/evidence.md §2.3, F14: system "
            "blocks with cache_control, input_schema tools, tool_choice {type: auto}, tool_use / "
            "tool_result history, stream_options and parallel_tool_calls still present, per "
            "OhadBaehr cursor-openrouter-proxy proxyServer.ts, Bifrost cursor.go, "
            "Antigravity-Manager #506/#2026; tool names per antigravity2api-nodejs #117) answered "
            "by a translating gateway with a Chat stream whose read_file call streams its JSON "
            "arguments in fragments (§3.2: Bifrost, Pil0tXia, OhadBaehr). Synthesized, not "
            "traffic."),
        body=anthropic_tool_history_body(),
        response=stream_response(moment, HTTP2, 870.125, stream,
                                 round(stream[-1]["at_ms"] + 0.25, 3)),
    )


def capture_6():
    n = 6
    moment = started(n)
    created = unix(moment)
    cid, model = "chatcmpl-6e4a90", "claude-opus-4-1"
    events = [chat_chunk(cid, created, model, {"role": "assistant", "content": ""})]
    for piece in ["The retry loop in `client.py` ", "wraps `send()` and backs off ",
                  "exponentially: 0.5 s, 1 s, 2 s"]:
        events.append(chat_chunk(cid, created, model, {"content": piece}))
    stream = chunks([data(e) for e in events], 1210.0, 35.5)
    cut_at = round(stream[-1]["at_ms"] + 30004.0, 3)
    return "claude-opus-4-1", "anthropic-first-turn-stream-reset", exchange(
        n, model="claude-opus-4-1", upstream="https://translating-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP1, host="translating-gateway.example.net",
        source=(
            "Anthropic-shaped first-turn body for a Claude-named model (docs/evidence.md §2.3, "
            "F14: array system with cache_control, input_schema tools, tool_choice object, low "
            "max_tokens, OpenAI-only stream_options and parallel_tool_calls, per OhadBaehr "
            "cursor-openrouter-proxy, Bifrost cursor.go) answered with Chat chunks until the "
            "connection is reset before finish_reason, usage and [DONE] (open question §4.10: how "
            "Cursor shows a dropped stream is unknown). Synthesized, not traffic."),
        body=anthropic_first_turn_body(),
        response=stream_response(moment, HTTP1, 1175.5, stream, cut_at),
        error={"kind": "reset", "message": "connection reset by peer while reading the body",
               "at_ms": cut_at},
    )


def capture_7():
    n = 7
    moment = started(n)
    created = unix(moment)
    texts = text_stream("chatcmpl-7f1d22", created, "gemini-2.5-pro",
                        ["`a.py` prints ", "the number 42."], 1893, 12)
    stream = chunks(texts, 802.0, 27.25)
    return "gemini-2.5-pro", "chat-guess-text-stream", exchange(
        n, model="gemini-2.5-pro", upstream="https://translating-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP2, host="translating-gateway.example.net",
        source=(
            "Gemini-named model: the body shape is INFERRED, not evidenced (docs/evidence.md "
            "§2.4, F16: no capture exists; Antigravity-Manager #506 reports Gemini names working "
            "through an OpenAI-protocol endpoint, so the §2.5 Chat body is the best guess) "
            "answered with a plain Chat Completions text stream (§3.1). Synthesized, not traffic."),
        body=plain_chat_body("gemini-2.5-pro", "what does a.py print?"),
        response=stream_response(moment, HTTP2, 770.5, stream,
                                 round(stream[-1]["at_ms"] + 0.25, 3)),
    )


def capture_8():
    n = 8
    moment = started(n)
    created = unix(moment)
    texts = text_stream("chatcmpl-8a2e53", created, "deepseek-v4-pro",
                        ["`a.py` prints `42`", " and exits."], 2104, 9)
    stream = chunks(texts, 640.0, 24.5)
    return "deepseek-v4-pro", "plain-chat-text-stream", exchange(
        n, model="deepseek-v4-pro", upstream="https://databricks-gateway.example.net/v1",
        method="POST", target=TARGET, http_version=HTTP1, host="databricks-gateway.example.net",
        source=(
            "Model name without a vendor keyword, the path that works: plain Chat Completions "
            "body (docs/evidence.md §2.5, F17: yxlao/deepseek-cursor-proxy "
            "SUPPORTED_REQUEST_FIELDS, TensorZero example; no reasoning_content in history per "
            "F18 and staff on forum t/155922) answered with a conformant text stream with a "
            "separate usage chunk (choices: []) and [DONE] (§3.1: Pil0tXia "
            "make_chat_completion_usage_chunk). Synthesized, not traffic."),
        body=plain_chat_body("deepseek-v4-pro", "what does a.py print?"),
        response=stream_response(moment, HTTP1, 611.0, stream,
                                 round(stream[-1]["at_ms"] + 0.25, 3)),
    )


def capture_9():
    n = 9
    moment = started(n)
    models = compact({"object": "list", "data": [
        {"id": model, "object": "model", "created": 1767225600, "owned_by": "gateway"}
        for model in ["gpt-5.5", "claude-sonnet-4-5", "claude-opus-4-1", "gemini-2.5-pro",
                      "deepseek-v4-pro"]]}).decode("utf-8")
    return "_models", "verify-models-list", exchange(
        n, model=None, upstream="https://translating-gateway.example.net/v1",
        method="GET", target="/v1/models", http_version=HTTP1,
        host="translating-gateway.example.net",
        source=(
            "Cursor's Verify button: GET {base}/models with the Bearer key and no body, answered "
            "200 with an OpenAI-style list (docs/evidence.md F3, §2.6: LangWatch and OpenGateway "
            "docs; Medium confidence). Synthesized, not traffic."),
        body=None,
        response=body_response(moment, HTTP1, 200, 96.5, models, 97.25, as_json=True),
    )


# --- corpus v2: building blocks ---------------------------------------------------------------
#
# Captures 10 onward widen the corpus to every Cursor mode the evidence shows (Agent, Ask, Plan,
# inline edit, background features, Verify), the model families users pick, and the answers
# gateways relay: translated streams with reasoning extras, JSON completions, and error bodies in
# each provider's own envelope. Each `source` names its evidence with the ids of
# docs/evidence.md (F…, §… from Part 1, N… from Part 2), and says INFERRED where no
# source shows the shape.


def error_response(moment, http_version, status, headers_at_ms, text, ended_at_ms, as_json,
                   content_type="application/json"):
    """A non-2xx answer relayed as it came: compact JSON kept as JSON, pretty JSON as text."""
    return {
        "status": status,
        "http_version": http_version,
        "headers": [
            ["date", http_date(moment)],
            ["content-type", content_type],
            ["content-length", str(len(text.encode("utf-8")))],
        ],
        "headers_at_ms": headers_at_ms,
        "body": {"json": json.loads(text)} if as_json else {"text": text},
        "ended_at_ms": ended_at_ms,
    }


def openai_error_pretty(message, kind, param, code):
    """OpenAI's own error body: indented four spaces, with a trailing newline (as capture 1)."""
    return json.dumps({"error": {"message": message, "type": kind, "param": param,
                                 "code": code}}, ensure_ascii=False, indent=4) + "\n"


def gemini_error_pretty(code, message, status):
    """Google's error body: `{"error":{"code","message","status"}}`, indented two spaces."""
    return json.dumps({"error": {"code": code, "message": message, "status": status}},
                      ensure_ascii=False, indent=2) + "\n"


def compact_text(value):
    return compact(value).decode("utf-8")


def sse(events):
    return [data(e) for e in events]


def function_tool(name, properties, required=None):
    """A nested Chat Completions function tool."""
    parameters = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "description": "<...>",
                                             "parameters": parameters}}


def flat_tool(name, properties, required=None):
    """A flat Responses-API function tool (what the hybrid body carries, F9)."""
    parameters = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {"type": "function", "name": name, "description": "<...>", "parameters": parameters}


def anthropic_tool(name, properties, required=None):
    """An Anthropic client tool: name, description, input_schema, no `type` (F14)."""
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"name": name, "description": "<...>", "input_schema": schema}


STRING = {"type": "string"}
APPLY_PATCH_CUSTOM = {"type": "custom", "name": "ApplyPatch", "description": "<...>",
                      "format": {"type": "grammar", "syntax": "lark", "definition": GRAMMAR}}
CHAT_TOOLS = [
    function_tool("read_file", {"target_file": STRING}, ["target_file"]),
    function_tool("run_terminal_cmd", {"command": STRING}, ["command"]),
    function_tool("grep", {"pattern": STRING, "path": STRING}, ["pattern"]),
]
# A 1x1 transparent PNG: the smallest real image a user could paste.
TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNgAAIAAAUAAen63NgAAAAASUVORK5CYII="


def chat_call(call_id, name, arguments):
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": compact_text(arguments)}}


def tool_round(call_id, name, arguments, result, content=""):
    """One plain-Chat tool round as Cursor replays it: the assistant's call (no
    reasoning_content, F18) and the tool's answer."""
    return [
        {"role": "assistant", "content": content, "tool_calls": [chat_call(call_id, name,
                                                                              arguments)]},
        {"role": "tool", "tool_call_id": call_id, "content": result},
    ]


def anthropic_round(tool_id, name, arguments, result, text=None):
    """One Anthropic-shaped tool round: tool_use in the assistant turn, tool_result in a user
    turn (F14, N53)."""
    assistant = [{"type": "text", "text": text}] if text else []
    assistant.append({"type": "tool_use", "id": tool_id, "name": name, "input": arguments})
    return [
        {"role": "assistant", "content": assistant},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id,
                                      "content": result}]},
    ]


def user_query(text):
    return {"role": "user", "content": [{"type": "text",
                                         "text": f"<user_query>{text}</user_query>"}]}


def hybrid_user(text):
    return {"type": "message", "role": "user",
            "content": [{"type": "input_text", "text": f"<user_query>{text}</user_query>"}]}


def hybrid_body(model, items, *, tools=None, effort="medium", extra=None, stream=True):
    """The Responses-API hybrid of §2.1 / F9 with the field set of forum t/153019 and t/159298."""
    body = {"model": model, "input": [DEVELOPER_ITEM] + items}
    if tools is not None:
        body.update({"tools": tools, "tool_choice": "auto", "parallel_tool_calls": True})
    body.update({
        "reasoning": {"effort": effort, "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "text": {"verbosity": "low"},
        "store": False,
        "previous_response_id": None,
        "truncation": "disabled",
        "prompt_cache_retention": "24h",
    })
    if extra:
        body.update(extra)
    body["stream"] = stream
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def anthropic_body(model, messages, *, tools=None, extra=None, stream=True, max_tokens=8192):
    """The Anthropic-shaped body of §2.3 / F14 / N15 (N53)."""
    body = {"model": model, "system": ANTHROPIC_SYSTEM, "messages": messages}
    if tools is not None:
        body.update({"tools": tools, "tool_choice": {"type": "auto"}})
    body["max_tokens"] = max_tokens
    if extra:
        body.update(extra)
    body["stream"] = stream
    if stream:
        body["stream_options"] = {"include_usage": True}
        if tools is not None:
            body["parallel_tool_calls"] = True
    return body


def chat_body(model, messages, *, tools=None, extra=None, stream=True):
    """Plain Chat Completions (§2.5, F17): what a name without a vendor keyword gets."""
    body = {"model": model, "messages": [{"role": "system", "content": "<system prompt>"}]
            + messages}
    if tools is not None:
        body.update({"tools": tools, "tool_choice": "auto"})
    if extra:
        body.update(extra)
    body["stream"] = stream
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def stream_capture(n, *, model, slug, upstream, http_version, texts, first_ms, gap_ms,
                   headers_at_ms, body, source, folder=None):
    moment = started(n)
    stream = chunks(texts, first_ms, gap_ms)
    host = upstream.split("//", 1)[1].split("/", 1)[0]
    return folder or model, slug, exchange(
        n, model=model, upstream=upstream, method="POST", target=TARGET,
        http_version=http_version, host=host, source=source, body=body,
        response=stream_response(moment, http_version, headers_at_ms, stream,
                                 round(stream[-1]["at_ms"] + 0.25, 3)))


def body_capture(n, *, model, slug, upstream, http_version, status, text, as_json,
                 headers_at_ms, body, source, content_type="application/json",
                 method="POST", target=TARGET, folder=None):
    moment = started(n)
    host = upstream.split("//", 1)[1].split("/", 1)[0]
    return folder or model, slug, exchange(
        n, model=model, upstream=upstream, method=method, target=target,
        http_version=http_version, host=host, source=source, body=body,
        response=error_response(moment, http_version, status, headers_at_ms, text,
                                round(headers_at_ms + 0.625, 3), as_json, content_type))


def usage(prompt, completion, **details):
    out = {"prompt_tokens": prompt, "completion_tokens": completion,
           "total_tokens": prompt + completion}
    out.update(details)
    return out


OPENAI_RELAY = "https://passthrough-relay.example.net/v1"
TRANSLATING = "https://translating-gateway.example.net/v1"
ANTHROPIC_RELAY = "https://anthropic-relay.example.net/v1"


# --- corpus v2: the captures ------------------------------------------------------------------

def capture_10():
    n = 10
    body = hybrid_body("gpt-5.1-codex", [hybrid_user("why does the build fail on CI?")],
                       tools=RESPONSES_TOOLS)
    error = openai_error_pretty(
        "This is not a chat model and thus not supported in the v1/chat/completions endpoint. "
        "Did you mean to use v1/completions?", "invalid_request_error", "model", None)
    return body_capture(
        n, model="gpt-5.1-codex", slug="codex-agent-hybrid-not-a-chat-model-404",
        upstream=OPENAI_RELAY, http_version=HTTP1, status=404, text=error, as_json=False,
        headers_at_ms=241.875, body=body,
        source=(
            "Agent mode, GPT Codex name. Cursor builds the Responses-API hybrid for GPT-family "
            "names (docs/evidence.md F9, §2.1; forum t/153019, t/159298) and posts it to "
            "/chat/completions; a passthrough relay hands it to OpenAI Chat Completions, which "
            "refuses Codex models with 404 'This is not a chat model …' (param model), pretty-"
            "printed. Reported with Cursor and GPT-5.1-Codex against https://api.openai.com/v1 in "
            "gabrii/Cursor-Azure-GPT-5 #69 (2025-11-27); the same 404 for gpt-5.2-codex in "
            "tingly-dev/tingly-box #233 and gpt-5.3-codex in SillyTavern PR #5212. Cursor shows "
            "it as 'Provider returned error' (F23). Synthesized, not traffic."))


def capture_11():
    n = 11
    body = {
        "model": "gpt-5.3-codex",
        "messages": [
            {"role": "system", "content": "<system prompt>"},
            user_query("where is the retry limit configured?"),
            {"role": "assistant", "content": [], "tool_calls": [
                chat_call("call_1", "read_file", {"target_file": "config/default.toml"})]},
            {"role": "tool", "tool_call_id": "call_1", "content": "[http]\nretries = 3\n"},
        ],
        "tools": [function_tool("read_file", {"target_file": STRING}, ["target_file"]),
                  {"type": "custom", "name": "ApplyPatch", "description": "<...>"}],
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
        "user": "<opaque>",
    }
    error = openai_error_pretty(
        "This model is not supported in the v1/chat/completions endpoint. Use the v1/responses "
        "endpoint instead.", "invalid_request_error", "model", None)
    return body_capture(
        n, model="gpt-5.3-codex", slug="codex-ask-mixed-not-supported-404",
        upstream=OPENAI_RELAY, http_version=HTTP1, status=404, text=error, as_json=False,
        headers_at_ms=233.5, body=body,
        source=(
            "Ask mode, GPT Codex name: the mixed Chat body (docs/evidence.md N1 and N51: "
            "litellm PR #34029, messages with a nested read_file tool and a flat custom "
            "ApplyPatch tool; assistant tool-call turn with content [] per N26 / archestra PR "
            "#7375; user per N22) relayed to OpenAI Chat Completions, which answers 404 because "
            "gpt-5.3-codex is served by /v1/responses only: message as measured against "
            "api.openai.com in MadAppGang/claudish PR #174 (2026-08); param and code INFERRED "
            "from the older 'not a chat model' envelope (capture 10). Synthesized, not "
            "traffic."))


def capture_12():
    n = 12
    created = unix(started(n))
    cid, model = "chatcmpl-c0dex53a1b", "gpt-5.3-codex"
    body = {
        "model": model,
        "input": [
            {"role": "system", "content": "<system prompt>"},
            {"role": "user", "content": "<additional_data>…</additional_data>"},
            {"role": "user", "content": [{"type": "input_text",
                                          "text": "<user_query>run the tests</user_query>"}]},
            {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "<opaque>"},
            {"type": "function_call", "call_id": "call_1", "name": "ReadFile",
             "arguments": "{\"path\":\"Cargo.toml\"}"},
            {"type": "function_call_output", "call_id": "call_1",
             "output": "[package]\nname = \"demo\"\n"},
        ],
        "tools": RESPONSES_TOOLS,
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "reasoning": {"effort": "high", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "text": {"verbosity": "low"},
        "store": False,
        "prompt_cache_retention": "24h",
        "metadata": {"cursorConversationId": "<conversation id>"},
        "user": "<per-user hash>",
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    events = [chat_chunk(cid, created, model, {"role": "assistant", "content": ""})]
    for piece in ["<think>\nThe crate is small; ", "running the test suite first.\n</think>\n\n"]:
        events.append(chat_chunk(cid, created, model, {"content": piece}))
    events.append(chat_chunk(cid, created, model, {"tool_calls": [
        {"index": 0, "id": "call_2", "type": "function",
         "function": {"name": "Shell", "arguments": ""}}]}))
    for fragment in ['{"command":', '"cargo test"}']:
        events.append(chat_chunk(cid, created, model, {"tool_calls": [
            {"index": 0, "function": {"arguments": fragment}}]}))
    events.append(chat_chunk(cid, created, model, {}, "tool_calls"))
    events.append(usage_chunk(cid, created, model, 9182, 141,
                              prompt_tokens_details={"cached_tokens": 8960},
                              completion_tokens_details={"reasoning_tokens": 96}))
    return stream_capture(
        n, model=model, slug="codex-agent-shell-think-translated-stream",
        upstream="https://responses-bridge.example.net/codex/v1", http_version=HTTP2,
        texts=sse(events) + [data("[DONE]")], first_ms=1804.5, gap_ms=21.75,
        headers_at_ms=1770.25, body=body,
        source=(
            "Agent mode, GPT Codex name, one tool round in: the Responses-shaped body as the "
            "gabrii/Cursor-Azure-GPT-5 fixtures show it (docs/evidence.md N22, N23, N49: "
            "role system input items instead of instructions, string and input_text user "
            "content, metadata.cursorConversationId, a per-user `user`, prompt_cache_retention "
            "24h; ReadFile/Shell/ApplyPatch per sub2api #5861 and N42) answered by a bridge that "
            "forwards to /responses and streams Chat chunks back the way gabrii's README says: "
            "reasoning inside <think> tags in content (N36), the Shell call as a function call, "
            "usage with cached_tokens and reasoning_tokens (N37). gpt-5.3-codex is 'Verified' "
            "there (N14). Synthesized, not traffic."))


def capture_13():
    n = 13
    created = unix(started(n))
    model = "gpt-5.4"
    create_plan = flat_tool("CreatePlan", {"plan": STRING,
                                           "todos": {"type": "array", "items": STRING}},
                            ["plan"])
    body = hybrid_body(model, [hybrid_user("plan the migration of the config loader to "
                                           "TOML")],
                       tools=[RESPONSES_TOOLS[0], flat_tool("Grep", {"pattern": STRING},
                                                            ["pattern"]), create_plan],
                       effort="high")
    body["input"][0] = {"type": "message", "role": "developer",
                        "content": [{"type": "input_text", "text": "<plan mode system prompt>"}]}

    def chunk(index, delta, finish=None, extra=None):
        out = {"id": f"chatcmpl-bifrost-{index}", "object": "chat.completion.chunk",
               "created": created, "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if extra:
            out.update(extra)
        return out

    plan_args = compact_text({"plan": "1. Add a TOML parser\n2. Port the loader\n3. Remove the "
                                      "INI path",
                              "todos": ["parser", "loader", "cleanup"]})
    events = [
        chunk(0, {"role": "assistant"}),
        chunk(1, {"reasoning": "Three steps, "}),
        chunk(2, {"reasoning": "loader last."}),
        chunk(3, {"tool_calls": [{"index": 1, "id": "call_7", "type": "function",
                                  "function": {"name": "CreatePlan"}}]}),
        chunk(4, {"tool_calls": [{"index": 1, "function": {"arguments": plan_args[:48]}}]}),
        chunk(5, {"tool_calls": [{"index": 1, "function": {"arguments": plan_args[48:]}}]}),
    ]
    final = chunk(6, {}, "tool_calls", {"usage": usage(3120, 212)})
    final["id"] = "chatcmpl-resp_0b7e5d2c1a"
    events.append(final)
    return stream_capture(
        n, model=model, slug="plan-mode-hybrid-create-plan-bifrost-stream",
        upstream="https://bifrost-gateway.example.net/cursor/v1", http_version=HTTP2,
        texts=sse(events) + [data("[DONE]")], first_ms=2210.0, gap_ms=33.5,
        headers_at_ms=2185.75, body=body,
        source=(
            "Plan mode, GPT-5.4 (the name that still reached the override when gpt-5.5 did "
            "not, docs/evidence.md N13). Plan mode goes through the override (N3: "
            "litellm-docs cursor_integration.md; preloop PR #129) but no Plan-mode body was "
            "ever published (N60), so the body is INFERRED to be the Agent hybrid of "
            "§2.1/F9 with a plan-mode system prompt and a CreatePlan tool (Cursor's plan tool "
            "name per pingdotgg/t3code #11344: 'Cursor Plan produces chat / CreatePlan / "
            ".plan.md'; its parameters are a guess). Answered the way Bifrost's "
            "transports/bifrost-http/integrations/cursor.go converts Responses events (N39): a "
            "role-only first delta, reasoning summary as delta.reasoning, the call's first "
            "delta with id, type and name but no arguments, the tool-call index taken from the "
            "output index, a chunk id per chunk (cursorChunkID: chatcmpl-bifrost-<n>, then "
            "chatcmpl-<response id>) and usage on the finish chunk instead of a separate usage "
            "chunk (§3.1). Synthesized, not traffic."))


def capture_14():
    n = 14
    created = unix(started(n))
    cid, model = "chatcmpl-litellm-5e5a14", "gpt-5.5"
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": "<system prompt>"},
            user_query("what does parse_args return on --help?"),
            {"role": "assistant", "content": [], "tool_calls": [
                chat_call("call_1", "read_file", {"target_file": "src/cli.py"})]},
            {"role": "tool", "tool_call_id": "call_1",
             "content": "def parse_args(argv):\n    ...\n    if '--help' in argv:\n"
                        "        return None\n"},
        ],
        "tools": [function_tool("read_file", {"target_file": STRING}, ["target_file"]),
                  function_tool("grep", {"pattern": STRING}, ["pattern"]),
                  {"type": "custom", "name": "ApplyPatch", "description": "<...>"}],
        "tool_choice": "auto",
        "stream": True,
        "stream_options": {"include_usage": True},
        "user": "<opaque>",
        "metadata": {"cursorConversationId": "<conversation id>"},
    }
    events = [chat_chunk(cid, created, model, {"role": "assistant", "content": ""})]
    for piece in ["`parse_args` returns `None` ", "when `--help` is in `argv`."]:
        events.append(chat_chunk(cid, created, model, {"content": piece}))
    events.append(chat_chunk(cid, created, model, {}, "stop"))
    return stream_capture(
        n, model=model, slug="ask-mixed-litellm-cursor-route-no-usage-stream",
        upstream="https://litellm-proxy.example.net/cursor", http_version=HTTP1,
        texts=sse(events) + [data("[DONE]")], first_ms=1322.0, gap_ms=26.0,
        headers_at_ms=1297.5, body=body,
        source=(
            "Ask mode, GPT-5.5: the mixed Chat body (docs/evidence.md N1, N51: litellm PR "
            "#34029 reproduced it against Cursor, nested read_file plus a flat custom ApplyPatch "
            "without format; content [] on the assistant tool-call turn per N26 / archestra PR "
            "#7375; user and metadata.cursorConversationId per N22) answered by LiteLLM's "
            "/cursor route (>= 1.97, N38), which bridges to /responses and streams Chat text "
            "back, and, as LiteLLM's own tests record as an open bug (N38, N37), sends no usage "
            "chunk although include_usage was asked. Synthesized, not traffic."))


def capture_15():
    n = 15
    model = "gpt-5.5-xhigh"
    body = hybrid_body(model, [hybrid_user("<conversation so far> Summarize this conversation "
                                           "as a title of at most six words.")],
                       effort="xhigh", stream=False)
    answer = compact_text({
        "id": "chatcmpl-resp_0c15d0e9a4", "object": "chat.completion",
        "created": unix(started(n)), "model": "gpt-5.5",
        "choices": [{"index": 0, "message": {"role": "assistant",
                                             "content": "Retry limit in config loader"},
                     "finish_reason": "stop"}],
        "usage": usage(1630, 9)})
    return body_capture(
        n, model=model, slug="background-variant-nonstream-completion-without-refusal",
        upstream="https://bifrost-gateway.example.net/cursor/v1", http_version=HTTP1,
        status=200, text=answer, as_json=True, headers_at_ms=1488.25, body=body,
        source=(
            "A background feature (a conversation title), GPT name with a variant suffix: "
            "Cursor sends names such as -xhigh, -thinking, -auto for its own background "
            "features (docs/evidence.md N17: OhadBaehr cursor-openrouter-proxy BG_MODEL_RE "
            "and CHANGELOG; F24), which gateways resolve back to the base model (LiteLLM PR "
            "#35554). That such calls are not streamed is INFERRED (open question §4.7; N30 "
            "shows a non-streamed test call; OhadBaehr keeps a buffered path), and so is the "
            "title task. The JSON answer is built the way Bifrost's "
            "convertResponsesResponseToChatCompletion builds it (N39): choices carry index, "
            "message {role, content} and finish_reason only, with no message.refusal and no "
            "choices[].logprobs, which the spec requires as nullable keys (OpenAI's CreateChatCompletionResponse). "
            "Synthesized, not traffic."))


def capture_16():
    n = 16
    created = unix(started(n))
    cid, model, served = "chatcmpl-o3a16f0e2d", "o3", "o3-2025-04-16"
    body = chat_body(model, [user_query("is the cache in fetcher.py thread-safe?")],
                     tools=CHAT_TOOLS, extra={"reasoning_effort": "high"})

    def chunk(delta, finish=None):
        return {"id": cid, "object": "chat.completion.chunk", "created": created,
                "model": served, "service_tier": "default", "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "logprobs": None,
                             "finish_reason": finish}], "usage": None}

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    for piece in ["No: `_cache` is a plain dict ", "mutated from worker threads ",
                  "without a lock."]:
        events.append(chunk({"content": piece}))
    events.append(chunk({}, "stop"))
    last = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": served,
            "service_tier": "default", "system_fingerprint": None, "choices": [],
            "usage": usage(2480, 412, prompt_tokens_details={"cached_tokens": 0,
                                                             "audio_tokens": 0},
                           completion_tokens_details={"reasoning_tokens": 384,
                                                      "audio_tokens": 0,
                                                      "accepted_prediction_tokens": 0,
                                                      "rejected_prediction_tokens": 0})}
    events.append(last)
    return stream_capture(
        n, model=model, slug="ask-plain-chat-reasoning-effort-stream",
        upstream=OPENAI_RELAY, http_version=HTTP1,
        texts=sse(events) + [data("[DONE]")], first_ms=3105.5, gap_ms=19.25,
        headers_at_ms=702.0, body=body,
        source=(
            "Ask mode, o-series name. Which body o3 gets is not established: whether o1/o3/o4 "
            "count as GPT keywords is open (docs/evidence.md §4.3, F8; N62: no 2026 captures for "
            "o-series names), staff say every name but claude-*/gemini-* reaches the override "
            "unchanged (N10), and ModelBridge ties the native (Responses) handling to "
            "'gpt-' (N11), so the plain Chat body of §2.5 is INFERRED, with the flat "
            "reasoning_effort deepseek-cursor-proxy normalises (§2.5). Relayed to OpenAI "
            "Chat Completions, which streams the way its API does (OpenAI's CreateChatCompletionStreamResponse: usage: null "
            "on every chunk when include_usage is set, then a usage chunk with choices [] and "
            "reasoning_tokens). Synthesized, not traffic."))


def capture_17():
    n = 17
    body = {"model": "o4-mini",
            "messages": [{"role": "system", "content": "<system prompt>"},
                         {"role": "user", "content": "<test message>"}],
            "temperature": 1, "top_p": 1, "n": 1, "max_tokens": 10, "stream": False}
    error = openai_error_pretty(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.", "invalid_request_error", "max_tokens",
        "unsupported_parameter")
    return body_capture(
        n, model="o4-mini", slug="verify-chat-probe-max-tokens-400",
        upstream=OPENAI_RELAY, http_version=HTTP1, status=400, text=error, as_json=False,
        headers_at_ms=188.75, body=body,
        source=(
            "Verify as a chat call: some reports say the key check is a real chat request "
            "rather than GET /models (docs/evidence.md N6: Opper, ByteSpike; N61). Its "
            "body is the non-streamed test request of N55 / N30 (cursor/cursor #1922, 2025: "
            "stream false, max_tokens 10, temperature, top_p, n), here for o4-mini through a "
            "relay to OpenAI, which rejects max_tokens for o-series models with 400 "
            "unsupported_parameter (envelope as quoted in promptfoo #3738 and "
            "CoderCookE/vim-llm-agent PR #52; the same for o4-mini in BoltAI #314). Whether "
            "2026 builds still send this probe is open. Synthesized, not traffic."))


def capture_18():
    n = 18
    created = unix(started(n))
    cid, model = "chatcmpl-18a7c3e05b", "claude-sonnet-4-5"
    tools = [
        anthropic_tool("read_file", {"target_file": STRING}, ["target_file"]),
        anthropic_tool("run_terminal_cmd", {"command": STRING}, ["command"]),
        anthropic_tool("list_mcp_resources", {"server": STRING}),
        anthropic_tool("fetch_mcp_resource", {"server": STRING, "uri": STRING},
                       ["server", "uri"]),
        anthropic_tool("mcp_github_get_file_contents",
                       {"owner": STRING, "repo": STRING, "path": STRING},
                       ["owner", "repo", "path"]),
        anthropic_tool("mcp_github_create_issue",
                       {"owner": STRING, "repo": STRING, "title": STRING, "body": STRING},
                       ["owner", "repo", "title"]),
    ]
    messages = [user_query("open an issue upstream about the flaky retry test")]
    messages += anthropic_round(
        "toolu_1", "mcp_github_get_file_contents",
        {"owner": "example", "repo": "client", "path": "tests/test_retry.py"},
        "def test_retry_backoff():\n    ...\n", text="Reading the test upstream first.")
    args = compact_text({"owner": "example", "repo": "client",
                         "title": "test_retry_backoff is timing-dependent",
                         "body": "It sleeps 0.5 s and asserts on wall time."})
    texts = tool_call_stream(cid, created, model, "toolu_2", "mcp_github_create_issue",
                             [args[:40], args[40:96], args[96:]], 6120, 88)
    return stream_capture(
        n, model=model, slug="agent-mcp-tools-call-stream", upstream=TRANSLATING,
        http_version=HTTP2, texts=texts, first_ms=1540.0, gap_ms=24.5, headers_at_ms=1512.25,
        body=anthropic_body(model, messages, tools=tools),
        source=(
            "Agent mode, Claude Sonnet, with MCP tools. The Anthropic-shaped body of "
            "docs/evidence.md §2.3/F14 (N53) with Cursor's tool list of antigravity2api-nodejs "
            "#117 (F15: read_file, run_terminal_cmd, list_mcp_resources, fetch_mcp_resource, "
            "mcp_*), the MCP tools named mcp_<server>_<tool> as Cursor exposes them "
            "(verygoodplugins/mcp-automem PR #33; names such as mcp_github_get_file_contents "
            "appear in public agent rule files; server plus tool name at most 60 characters, N29 / "
            "composio #2788). How 2026 builds expose MCP tools is open (N65). Answered by a "
            "translating gateway with a Chat stream calling the second MCP tool, JSON arguments in "
            "fragments (§3.2). Synthesized, not traffic."))


def capture_19():
    n = 19
    created = unix(started(n))
    cid, model = "chatcmpl-19b2d4f6a8", "claude-sonnet-4-5"
    messages = [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                     "data": TINY_PNG}},
        {"type": "text", "text": "<user_query>why is this button misaligned?</user_query>"},
    ]}]
    texts = text_stream(cid, created, model,
                        ["The screenshot is a single transparent pixel, ",
                         "so there is no button to see."], 1544, 21)
    return stream_capture(
        n, model=model, slug="agent-image-block-text-stream", upstream=TRANSLATING,
        http_version=HTTP2, texts=texts, first_ms=1188.0, gap_ms=30.5, headers_at_ms=1160.0,
        body=anthropic_body(model, messages,
                            tools=[anthropic_tool("read_file", {"target_file": STRING},
                                                  ["target_file"])]),
        source=(
            "Agent mode, Claude Sonnet, a pasted image. How image parts look when they reach "
            "the override is open (docs/evidence.md N64); for GPT names the request "
            "skips the custom base altogether (N9: gabrii/Cursor-Azure-GPT-5 #77 and PR #89, "
            "forum t/160004). The Anthropic `image` block with a base64 source (Anthropic's Messages API reference) "
            "inside the Anthropic-shaped body of §2.3 is INFERRED from that shape and from "
            "Bifrost's cursor.go, which keeps 'rich messages (with image blocks …)' when it "
            "converts Cursor's Anthropic blocks (N39). Answered with a plain Chat text stream "
            "(§3.1). Synthesized, not traffic."))


def capture_20():
    n = 20
    model = "claude-sonnet-4-5-thinking"
    messages = [user_query("why does the integration test hang?")]
    messages += [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "run_terminal_cmd",
             "input": {"command": "pytest tests/integration -x -q"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": "Timeout >30.0s in test_stream_reconnect"}]},
    ]
    body = anthropic_body(model, messages, tools=ANTHROPIC_TOOLS, max_tokens=16000,
                          extra={"thinking": {"type": "enabled", "budget_tokens": 10000}})
    error = compact_text({"type": "error", "error": {
        "type": "invalid_request_error",
        "message": "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but "
                   "found `tool_use`. When `thinking` is enabled, a final `assistant` message "
                   "must start with a thinking block (preceeding the lastmost set of `tool_use` "
                   "and `tool_result` blocks). We recommend you include thinking blocks from "
                   "previous turns. To avoid this requirement, disable `thinking`. Please "
                   "consult our documentation at https://docs.claude.com/en/docs/build-with-"
                   "claude/extended-thinking"},
        "request_id": "req_golden0020"})
    return body_capture(
        n, model=model, slug="agent-thinking-without-blocks-anthropic-400",
        upstream=ANTHROPIC_RELAY, http_version=HTTP1, status=400, text=error, as_json=True,
        headers_at_ms=402.5, body=body,
        source=(
            "Agent mode, a -thinking variant of Claude Sonnet (docs/evidence.md N17, "
            "F24). Whether Claude bodies carry `thinking` is open (§4.6, N63): the "
            "top-level thinking {type: enabled, budget_tokens} here is INFERRED from the "
            "variant name. Cursor never sends reasoning back (N28: api2cursor thinking.py, "
            "deepseek-cursor-proxy), so the assistant tool_use turn has no thinking block. A "
            "relay that resolves the variant (LiteLLM PR #35554) and forwards Anthropic bodies "
            "to /v1/messages gets Anthropic's 400 (message as quoted in router-for-me/"
            "CLIProxyAPI #420) and, like OhadBaehr's proxyServer.ts for non-2xx answers, hands "
            "the body on unchanged in Anthropic's envelope {type: error, error: {type, "
            "message}} (Anthropic's error reference). Synthesized, not traffic."))


def capture_21():
    n = 21
    model = "claude-opus-4-1"
    tools = ANTHROPIC_TOOLS + [anthropic_tool("grep", {"pattern": STRING, "path": STRING},
                                              ["pattern"]),
                               anthropic_tool("search_replace",
                                              {"file_path": STRING, "old_string": STRING,
                                               "new_string": STRING},
                                              ["file_path", "old_string", "new_string"])]
    messages = [user_query("the nightly export drops rows with a NULL region; find out why "
                           "and fix it")]
    messages += anthropic_round("toolu_1", "grep", {"pattern": "def export_rows",
                                                    "path": "etl"},
                                "etl/export.py:41:def export_rows(conn, day):",
                                text="Locating the export.")
    messages += anthropic_round("toolu_2", "read_file", {"target_file": "etl/export.py"},
                                "<file text>")
    messages += anthropic_round("toolu_3", "run_terminal_cmd",
                                {"command": "python -m etl.export --day 2026-05-13 --dry-run"},
                                "exported 9812 rows (expected 10040)")
    messages += anthropic_round("toolu_4", "search_replace",
                                {"file_path": "etl/export.py",
                                 "old_string": "WHERE region = %s",
                                 "new_string": "WHERE region IS NOT DISTINCT FROM %s"},
                                "ok", text="The filter compares NULL with `=`.")
    messages += anthropic_round("toolu_5", "run_terminal_cmd",
                                {"command": "python -m etl.export --day 2026-05-13 --dry-run"},
                                "exported 10040 rows")
    error = compact_text({"type": "error", "error": {"type": "overloaded_error",
                                                     "message": "Overloaded"},
                          "request_id": "req_golden0021"})
    return body_capture(
        n, model=model, slug="agent-long-tool-history-overloaded-529",
        upstream=ANTHROPIC_RELAY, http_version=HTTP1, status=529, text=error, as_json=True,
        headers_at_ms=611.0, body=anthropic_body(model, messages, tools=tools),
        source=(
            "Agent mode, Claude Opus, a long tool history: five tool_use/tool_result rounds in "
            "the Anthropic-shaped body of docs/evidence.md §2.3/F14 (N53; tool names per F15, "
            "antigravity2api-nodejs #117). A relay to Anthropic's /v1/messages hands "
            "Anthropic's answer on unchanged (as OhadBaehr's proxyServer.ts does for non-2xx): "
            "529 with {type: error, error: {type: overloaded_error, message}} (Anthropic's streaming reference, "
            "§4.4). Cursor 3.18.25 shows any 5xx as 'User API Key Rate limit exceeded' "
            "(N32, litellm-docs #1139). Synthesized, not traffic."))


def capture_22():
    n = 22
    created = unix(started(n))
    cid, model = "chatcmpl-22e9f1a3c5", "claude-opus-4-1"
    messages = [user_query("is the lock in pool.py ever released twice?")]
    messages += [
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "<earlier reasoning>",
             "signature": "<opaque signature>"},
            {"type": "text", "text": "Reading the pool."},
            {"type": "tool_use", "id": "toolu_1", "name": "read_file",
             "input": {"target_file": "pool.py"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": "<file text>"}]},
    ]
    body = anthropic_body(model, messages, tools=ANTHROPIC_TOOLS, max_tokens=16000,
                          extra={"thinking": {"type": "enabled", "budget_tokens": 8000}})

    def emit(delta, finish=None):
        return chat_chunk(cid, created, "claude-opus-4-1-20250805", delta, finish)

    events = [emit({"role": "assistant", "content": ""}),
              emit({"reasoning_content": "release() runs in both the finally block "}),
              emit({"reasoning_content": "and the error path."}),
              emit({"content": "Yes: `release()` runs in `finally` "}),
              emit({"content": "and again in the `except` branch."}),
              emit({}, "stop")]
    return stream_capture(
        n, model=model, slug="agent-thinking-blocks-reasoning-content-stream",
        upstream="https://openrouter-bridge.example.net/v1", http_version=HTTP1,
        texts=sse(events) + [data("[DONE]")], first_ms=2044.0, gap_ms=28.0,
        headers_at_ms=2011.5, body=body,
        source=(
            "Agent mode, Claude Opus, with Anthropic thinking blocks in the request. INFERRED "
            "and against the evidence for current builds: docs/evidence.md N28 says "
            "Cursor never sends thinking blocks back; this capture models a build or a "
            "client-side layer that kept them (thinking {thinking, signature} before "
            "tool_use, with top-level thinking enabled, Anthropic's Messages API reference), so what the checker "
            "says about such blocks is pinned. Answered the way OhadBaehr's proxyServer.ts "
            "streamAnthropicAsOpenAI re-emits Anthropic events (N44): a role chunk, "
            "thinking_delta as delta.reasoning_content (F22, N36: not shown by Cursor), text, "
            "finish stop, [DONE], and no usage chunk because stream_options is stripped before "
            "/v1/messages. Synthesized, not traffic."))


def capture_23():
    n = 23
    model = "claude-haiku-4-5"
    body = anthropic_body(model, [{"role": "user", "content": [
        {"type": "text", "text": "<conversation so far> Summarize the conversation above in "
                                 "two sentences."}]}], stream=False, max_tokens=512)
    answer = compact_text({
        "id": "chatcmpl-23c4a6e8f0b2d4f6a8c0e2a4", "object": "chat.completion",
        "created": unix(started(n)), "model": "claude-haiku-4-5-20251001",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant",
            "content": "The export filter compared NULL regions with `=`. It now uses IS NOT "
                       "DISTINCT FROM and the dry run matches."}}],
        "usage": usage(2210, 31, prompt_tokens_details={"cached_tokens": 2048})})
    return body_capture(
        n, model=model, slug="background-summary-nonstream-completion-without-refusal",
        upstream="https://openrouter-bridge.example.net/v1", http_version=HTTP1,
        status=200, text=answer, as_json=True, headers_at_ms=903.25, body=body,
        source=(
            "A background feature (a conversation summary), Claude Haiku, not streamed. Cursor "
            "runs background work on cheaper models (docs/evidence.md N17; OhadBaehr's "
            "cursor-openrouter-proxy demotes background variants to a Haiku model, N44); that "
            "this call is not streamed, and its Anthropic-shaped body (§2.3) without tools, are "
            "INFERRED (open question §4.7). The answer is what OhadBaehr's "
            "bufferedAnthropicAsOpenAI writes for a non-streamed /v1/messages reply: "
            "chat.completion whose choice has index, finish_reason and message {role, content} "
            "only (no refusal, no logprobs) and usage with prompt_tokens_details.cached_tokens. "
            "Synthesized, not traffic."))


def capture_24():
    n = 24
    model = "claude-sonnet-4-5-xhigh"
    body = anthropic_body(model, [user_query("<background task>")], tools=ANTHROPIC_TOOLS)
    error = compact_text({"error": {"message": f"{model} is not a valid model ID",
                                    "code": 400}, "user_id": "user_golden"})
    return body_capture(
        n, model=model, slug="background-variant-openrouter-400",
        upstream="https://openrouter.example.net/api/v1", http_version=HTTP2, status=400,
        text=error, as_json=True, headers_at_ms=151.5, body=body,
        source=(
            "A background variant of a Claude name (-xhigh) sent as-is to a plain relay: "
            "'Cursor's background \"thinking\" model variants (…-xhigh, …-thinking, …) return "
            "400' on OpenRouter (OhadBaehr cursor-openrouter-proxy README and CHANGELOG; "
            "docs/evidence.md N17, F24). The body is the "
            "Anthropic-shaped one a claude name gets (§2.3, F8); its task text is unknown. "
            "OpenRouter's envelope {error: {message, code}, user_id} as quoted in "
            "OpenRouterTeam/openrouter-examples #74 and sipeed/picoclaw #1790 is not "
            "OpenAI's. Synthesized, not traffic."))


def capture_25():
    n = 25
    model = "gemini-3-pro-preview"
    messages = [user_query("add a --verbose flag to the CLI")]
    messages += tool_round("call_1", "read_file", {"target_file": "src/cli.py"}, "<file text>")
    error = gemini_error_pretty(
        400, "Function call is missing a thought_signature in functionCall parts. This is "
             "required for tools to work correctly, and missing thought_signature may lead to "
             "degraded model performance. Additional data, function call `default_api:"
             "read_file` , position 2. Please refer to https://ai.google.dev/gemini-api/docs/"
             "thought-signatures for more details.", "INVALID_ARGUMENT")
    return body_capture(
        n, model=model, slug="agent-tool-turn-missing-thought-signature-400",
        upstream="https://gemini-gateway.example.net/v1", http_version=HTTP2, status=400,
        text=error, as_json=False, headers_at_ms=377.25,
        content_type="application/json; charset=UTF-8",
        body=chat_body(model, messages, tools=CHAT_TOOLS),
        source=(
            "Agent mode, Gemini 3, the second turn. Whether gemini-* names reach the override "
            "at all is in conflict (docs/evidence.md N10 staff: no; N20 TrueFoundry: "
            "'Gemini-specific formatting'), and no body was ever captured (F16, N62): the "
            "plain Chat body of §2.5 is INFERRED, as in capture 7. Cursor replays the tool "
            "call without any reasoning or signature (N28, F18), so a gateway that translates "
            "to generateContent sends a functionCall without thought_signature, which Gemini 3 "
            "rejects with 400 INVALID_ARGUMENT (text as quoted in lbjlaq/Antigravity-Manager "
            "#733, continuedev/continue #8785, langgenius/dify-official-plugins #2088). The "
            "gateway relays Google's pretty-printed envelope {error: {code, message, status}} "
            "(Google's Gemini API error format) as it came. Synthesized, not traffic."))


def capture_26():
    n = 26
    model = "gemini-2.5-flash"
    error = gemini_error_pretty(429, "Resource has been exhausted (e.g. check quota).",
                                "RESOURCE_EXHAUSTED")
    return body_capture(
        n, model=model, slug="ask-plain-chat-resource-exhausted-429",
        upstream="https://gemini-gateway.example.net/v1", http_version=HTTP2, status=429,
        text=error, as_json=False, headers_at_ms=288.5,
        content_type="application/json; charset=UTF-8",
        body=chat_body(model, [user_query("what does the --dry-run flag skip?")],
                       tools=CHAT_TOOLS),
        source=(
            "Ask mode, Gemini 2.5: the INFERRED plain Chat body of §2.5 (as capture 7; "
            "docs/evidence.md F16, N20) through a gateway to Gemini, which answers 429 "
            "RESOURCE_EXHAUSTED in Google's envelope {error: {code, message, status}} "
            "(Google's Gemini API error format); the gateway relays it unchanged. Cursor 3.18.25 shows any 429 "
            "as 'User API Key Rate limit exceeded' (N32, litellm-docs #1139). "
            "Synthesized, not traffic."))


def capture_27():
    n = 27
    created = unix(started(n))
    cid, model = "chatcmpl-27f0a2b4c6", "grok-46-high"
    texts = text_stream(cid, created, model,
                        ["`--dry-run` skips the upload ", "and the cache write; ",
                         "parsing still runs."], 2377, 15)
    return stream_capture(
        n, model=model, slug="ask-plain-chat-text-stream",
        upstream="https://llm-gateway.example.net/v1", http_version=HTTP1, texts=texts,
        first_ms=904.0, gap_ms=22.5, headers_at_ms=870.0,
        body=chat_body(model, [user_query("what does --dry-run skip?")], tools=CHAT_TOOLS),
        source=(
            "Ask mode, a Grok model under a gateway alias. Cursor refuses custom names that "
            "match its bundled models, so official Grok names are blocked and gateways "
            "publish names such as grok-46-high (docs/evidence.md N18, llm-gateway-lite "
            "README); bundled Grok itself never reaches the override (N4, preloop PR #129). A "
            "name without a vendor keyword gets plain Chat Completions (§2.5, F17; the body for "
            "Grok aliases is INFERRED from that rule) and a conformant text stream comes back "
            "(§3.1). Synthesized, not traffic."))


def capture_28():
    n = 28
    created = unix(started(n))
    cid, model = "28c1e3a5-7b9d-4f1a-8c3e-5a7b9d1f3e5a", "deepseek-v4-pro"

    def emit(delta, finish=None):
        return {"id": cid, "object": "chat.completion.chunk", "created": created,
                "model": model, "system_fingerprint": "fp_golden_prod0528",
                "choices": [{"index": 0, "delta": delta, "logprobs": None,
                             "finish_reason": finish}]}

    events = [emit({"role": "assistant", "content": None, "reasoning_content": ""})]
    for piece in ["The user wants the failing test; ", "run pytest on the module first."]:
        events.append(emit({"content": None, "reasoning_content": piece}))
    events.append(emit({"tool_calls": [{"index": 0, "id": "call_00_golden28",
                                        "type": "function", "function": {
                                            "name": "run_terminal_cmd", "arguments": ""}}]}))
    for fragment in ['{"command":"', 'pytest tests/test_parser.py -q"}']:
        events.append(emit({"tool_calls": [{"index": 0, "function": {
            "arguments": fragment}}]}))
    events.append(emit({"content": ""}, "tool_calls"))
    events.append({"id": cid, "object": "chat.completion.chunk", "created": created,
                   "model": model, "system_fingerprint": "fp_golden_prod0528", "choices": [],
                   "usage": usage(3310, 64, prompt_cache_hit_tokens=3200,
                                  prompt_cache_miss_tokens=110,
                                  completion_tokens_details={"reasoning_tokens": 31})})
    return stream_capture(
        n, model=model, slug="agent-reasoning-content-tool-call-stream",
        upstream="https://deepseek-relay.example.net/v1", http_version=HTTP1,
        texts=sse(events) + [data("[DONE]")], first_ms=688.0, gap_ms=17.75,
        headers_at_ms=655.5,
        body=chat_body(model, [user_query("why does test_parser fail?")], tools=CHAT_TOOLS,
                       extra={"reasoning_effort": "high"}),
        source=(
            "Agent mode, DeepSeek V4 in thinking mode, first turn: plain Chat body (§2.5, "
            "F17; reasoning_effort as deepseek-cursor-proxy normalises it, INFERRED that "
            "Cursor sends it) relayed to DeepSeek, whose stream carries delta.reasoning_content "
            "before the tool call (F18, F22; docs/evidence.md N19, N46: deepseek-lane, "
            "yxlao/deepseek-cursor-proxy). Cursor does not show reasoning_content (N36, forum "
            "t/165533) and drops it from the next request (capture 29). Usage carries "
            "DeepSeek's own prompt_cache_hit_tokens / prompt_cache_miss_tokens. Synthesized, "
            "not traffic."))


def capture_29():
    n = 29
    model = "deepseek-v4-flash"
    messages = [user_query("why does test_parser fail?")]
    messages += tool_round("call_00_a1", "run_terminal_cmd",
                           {"command": "pytest tests/test_parser.py -q"},
                           "E   KeyError: 'encoding'")
    messages += tool_round("call_01_b2", "read_file", {"target_file": "parser.py"},
                           "<file text>")
    error = compact_text({"error": {
        "message": "The `reasoning_content` in the thinking mode must be passed back to the "
                   "API.", "type": "invalid_request_error", "param": None,
        "code": "invalid_request_error"}})
    return body_capture(
        n, model=model, slug="agent-history-without-reasoning-content-400",
        upstream="https://deepseek-relay.example.net/v1", http_version=HTTP1, status=400,
        text=error, as_json=True, headers_at_ms=301.75,
        body=chat_body(model, messages, tools=CHAT_TOOLS, extra={"reasoning_effort": "high"}),
        source=(
            "Agent mode, DeepSeek V4 Flash in thinking mode, after two tool rounds: Cursor "
            "replays the assistant tool-call turns without reasoning_content (docs/evidence.md "
            "F18, staff on forum t/155922; N19: 'a known limitation, "
            "no ETA'), and DeepSeek answers 400 in its OpenAI-style envelope (message as in "
            "N19; body as quoted in the-open-agent/openagent #2206 for DeepSeek V4 and "
            "dataelement/Clawith #570), which a plain relay hands on. Synthesized, not "
            "traffic."))


def capture_30():
    n = 30
    model = "kimi-k2.6"
    tools = CHAT_TOOLS + [
        function_tool("mcp_browser_navigate", {"url": STRING}, ["url"]),
        function_tool("mcp_browser_snapshot", {}),
        function_tool("mcp_github_get_file_contents",
                      {"owner": STRING, "repo": STRING, "path": STRING},
                      ["owner", "repo", "path"]),
    ]
    messages = [user_query("the docs site shows a blank page after the last deploy; find the "
                           "cause")]
    messages += tool_round("functions.mcp_browser_navigate:0", "mcp_browser_navigate",
                           {"url": "https://docs.example.org/"}, "navigated; status 200")
    messages += tool_round("functions.mcp_browser_snapshot:1", "mcp_browser_snapshot", {},
                           "<body></body> console: Uncaught SyntaxError in main.3f2a.js")
    messages += tool_round("functions.grep:2", "grep", {"pattern": "import\\.meta", "path": "docs/src"},
                           "docs/src/main.ts:3:const base = import.meta.env.BASE_URL")
    messages += tool_round("functions.read_file:3", "read_file", {"target_file": "docs/vite.config.ts"},
                           "<file text>")
    messages += tool_round("functions.mcp_github_get_file_contents:4", "mcp_github_get_file_contents",
                           {"owner": "example", "repo": "docs", "path": ".github/workflows/"
                                                                         "deploy.yml"},
                           "<file text>")
    messages += tool_round("functions.run_terminal_cmd:5", "run_terminal_cmd",
                           {"command": "npm run build -- --mode production"},
                           "built in 4.1s")
    error = compact_text({"error": {
        "message": "thinking is enabled but reasoning_content is missing in assistant tool "
                   "call message at index 2", "type": "invalid_request_error"}})
    return body_capture(
        n, model=model, slug="agent-long-mcp-tool-history-moonshot-400",
        upstream="https://moonshot-relay.example.net/v1", http_version=HTTP1, status=400,
        text=error, as_json=True, headers_at_ms=266.0,
        body=chat_body(model, messages, tools=tools),
        source=(
            "Agent mode, Kimi K2.6, a long tool history (six rounds) with MCP tools named "
            "mcp_<server>_<tool> (F15; verygoodplugins/mcp-automem PR #33; public code that "
            "normalises Cursor's tool names expects mcp_browser_navigate). Plain Chat body for a "
            "name without a vendor keyword (§2.5, F17), tool-call ids in Kimi's "
            "functions.<name>:<n> form (INFERRED from Kimi's API), no reasoning_content on the replayed assistant turns (F18). "
            "Moonshot rejects it (docs/evidence.md N19 and N57, forum t/159758 for "
            "Kimi 2.6) with an envelope that has message and type only, no param and no code "
            "(as quoted in bytedance/deer-flow #3043 and earendil-works/pi #4251), relayed "
            "unchanged. Synthesized, not traffic."))


def capture_31():
    n = 31
    created = unix(started(n))
    cid, model = "chatcmpl-31a3c5e7f9", "kimi-k2.5"
    messages = [{"role": "user", "content": [
        {"type": "text", "text": "<user_query>what is wrong with this layout?</user_query>"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{TINY_PNG}"}},
    ]}]
    texts = text_stream(cid, created, model,
                        ["The image is one transparent pixel; ",
                         "attach a real screenshot of the layout."], 1402, 17)
    return stream_capture(
        n, model=model, slug="ask-image-url-part-text-stream",
        upstream="https://moonshot-relay.example.net/v1", http_version=HTTP1, texts=texts,
        first_ms=1006.0, gap_ms=25.0, headers_at_ms=977.75,
        body=chat_body(model, messages, tools=CHAT_TOOLS),
        source=(
            "Ask mode, Kimi K2.5, a pasted image. The shape of image parts that reach the "
            "override is open (docs/evidence.md N64; for GPT names the request bypasses "
            "the custom base, N9); a Chat image_url part with a data: URL next to the text "
            "part (OpenAI's ChatCompletionRequestMessage) in the plain Chat body of a keyword-free name (§2.5, F17; "
            "multi-part user content per deepseek-cursor-proxy) is INFERRED. Answered with a "
            "conformant text stream. Synthesized, not traffic."))


def capture_32():
    n = 32
    created = unix(started(n))
    cid, model = "chatcmpl-32b4d6f8a0", "qwen3-coder-plus"
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": "<inline edit system prompt: rewrite a piece of code "
                                          "…>"},
            {"role": "user", "content": "<current file and surrounding context>"},
            {"role": "user", "content": "## Selection to Rewrite\n```src/retry.ts\n// Start of "
                                        "Selection\nconst delay = 500 * attempt;\n// End of "
                                        "Selection\n```\n\nmake the backoff exponential, "
                                        "capped at 8 s"},
        ],
        "stream": True,
    }
    answer = ("```typescript\n// Start of Selection\nconst delay = Math.min(500 * 2 ** attempt, "
              "8000);\n// End of Selection\n```")
    texts = text_stream(cid, created, model, [answer[:34], answer[34:80], answer[80:]], 911, 28)
    return stream_capture(
        n, model=model, slug="inline-edit-selection-rewrite-stream",
        upstream="https://dashscope-gateway.example.net/compatible-mode/v1", http_version=HTTP1,
        texts=texts, first_ms=640.5, gap_ms=19.5, headers_at_ms=612.0, body=body,
        source=(
            "Inline edit (Cmd-K) with a selection, Qwen. TensorZero's Cursor integration saw "
            "Cmd-K edits arrive through the override as plain Chat Completions and parses them "
            "(tensorzero/tensorzero examples/integrations/cursor/feedback/src/cursor.rs, 2025): "
            "a system prompt about rewriting a piece of code, two user messages of which the "
            "second holds '## Selection to Rewrite' and the file path in a fence, and an answer "
            "whose code sits between '// Start of Selection' and '// End of Selection'. For "
            "2026 builds the sources conflict (docs/evidence.md N4: preloop PR #129 says "
            "inline edit stays on Cursor's backend, Opper says BYOK drives it; N59 no "
            "capture). The model name, the prompt wording and stream without stream_options "
            "are INFERRED. Synthesized, not traffic."))


def capture_33():
    n = 33
    created = unix(started(n))
    cid, model = "chatcmpl-33c5e7a9b1", "plainmodel-x"
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": "<terminal inline edit system prompt: write a "
                                          "terminal command, surrounded by <cmd> tags …>"},
            {"role": "user", "content": "<terminal context> show the five latest commits on "
                                        "one line each"},
        ],
        "stream": True,
    }
    texts = text_stream(cid, created, model, ["<cmd>git log", " --oneline -5</cmd>"], 702, 9)
    return stream_capture(
        n, model=model, slug="inline-edit-terminal-command-stream",
        upstream="https://chat-gateway.example.net/v1", http_version=HTTP1, texts=texts,
        first_ms=455.25, gap_ms=14.0, headers_at_ms=431.0, body=body,
        source=(
            "Inline edit (Cmd-K) in the terminal, a neutral custom name. TensorZero's Cursor "
            "integration records this prompt too (examples/integrations/cursor/feedback/src/"
            "cursor.rs, 2025: the system prompt asks for a single terminal command between "
            "<cmd> and </cmd>) as a plain Chat body; whether 2026 builds still route Cmd-K "
            "through the override is in conflict (docs/evidence.md N4, N59). Message "
            "wording is a placeholder. Synthesized, not traffic."))


def capture_34():
    n = 34
    model = "plainmodel-x"
    body = {"model": model,
            "messages": [{"role": "system", "content": "<system prompt>"},
                         {"role": "user", "content": "<test message>"}],
            "temperature": 1, "top_p": 1, "n": 1, "max_tokens": 10, "stream": False}
    answer = compact_text({
        "id": "chatcmpl-34d6f8b0c2", "object": "chat.completion", "created": unix(started(n)),
        "model": model, "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "Hello! How can I help", "refusal": None,
            "annotations": []}, "logprobs": None, "finish_reason": "length"}],
        "usage": usage(19, 10), "service_tier": "default", "system_fingerprint": None})
    return body_capture(
        n, model=model, slug="verify-chat-probe-nonstream-completion",
        upstream="https://chat-gateway.example.net/v1", http_version=HTTP1, status=200,
        text=answer, as_json=True, headers_at_ms=344.5, body=body,
        source=(
            "Verify as a chat call for a neutral custom name (docs/evidence.md N6: "
            "Opper, ByteSpike; N61): the non-streamed test request of N55 / N30 "
            "(cursor/cursor #1922: stream false, max_tokens 10) answered with a complete "
            "chat.completion as OpenAI writes it (OpenAI's CreateChatCompletionResponse: message.refusal, "
            "annotations, choices[].logprobs, finish_reason length at the 10-token cap). "
            "Synthesized, not traffic."))


def capture_35():
    n = 35
    error = compact_text({"error": {"message": "Invalid API key.",
                                    "type": "invalid_request_error", "param": None,
                                    "code": "invalid_api_key"}})
    return body_capture(
        n, model=None, folder="_models", slug="verify-models-invalid-key-401",
        upstream=TRANSLATING, http_version=HTTP1, status=401, text=error, as_json=True,
        headers_at_ms=74.25, body=None, method="GET", target="/v1/models",
        source=(
            "Verify with a key the gateway does not know: GET {base}/models with the Bearer "
            "key (docs/evidence.md F3, §2.6, N6) answered 401 in "
            "OpenAI's envelope (OpenAI's ErrorResponse; message and code INFERRED). Cursor 3.18.25 "
            "shows a 401 as 'Invalid API key' / 'Unauthorized User API key' (N32, "
            "litellm-docs #1139). Synthesized, not traffic."))


def capture_36():
    n = 36
    model = "deepseek-v4-pro"
    body = chat_body(model, [{"role": "user", "content": "<conversation so far> Summarize the "
                                                        "conversation above in two sentences."}],
                     stream=False)
    answer = compact_text({
        "id": "36e5a7c9-1b3d-4f5a-9c7e-1b3d5f7a9c1e", "object": "chat.completion",
        "created": unix(started(n)), "model": model,
        "choices": [{"index": 0, "message": {
            "role": "assistant",
            "content": "The parser failed on a missing encoding key. Reading parser.py showed "
                       "the default was never set.",
            "reasoning_content": "Two facts matter: the KeyError and where the default lives."},
            "logprobs": None, "finish_reason": "stop"}],
        "usage": usage(1877, 52, prompt_cache_hit_tokens=1792, prompt_cache_miss_tokens=85,
                       completion_tokens_details={"reasoning_tokens": 14}),
        "system_fingerprint": "fp_golden_prod0528"})
    return body_capture(
        n, model=model, slug="background-summary-nonstream-reasoning-content",
        upstream="https://deepseek-relay.example.net/v1", http_version=HTTP1, status=200,
        text=answer, as_json=True, headers_at_ms=1622.5, body=body,
        source=(
            "A background feature (a conversation summary), DeepSeek V4 in thinking mode, not "
            "streamed: that Cursor's background calls are not streamed is INFERRED (open "
            "question §4.7; N30), the body is the plain Chat of §2.5 / F17. DeepSeek's JSON "
            "answer carries message.reasoning_content beside content (F18, F22; as Pil0tXia's "
            "non-streamed path emits it), choices[].logprobs null and no message.refusal, and "
            "its own prompt_cache_hit_tokens / prompt_cache_miss_tokens in usage "
            "(docs/evidence.md N19, N46). Synthesized, not traffic."))


def capture_37():
    n = 37
    model = "gemini-2.5-pro"
    body = {"model": model,
            "messages": [{"role": "system", "content": "<system prompt>"},
                         {"role": "user", "content": "<test message>"}],
            "temperature": 1, "top_p": 1, "n": 1, "max_tokens": 10, "stream": False}
    answer = compact_text({
        "id": "chatcmpl-37f7b9d1e3", "object": "chat.completion", "created": unix(started(n)),
        "model": model, "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "Hello! How can I help you", "refusal": None},
            "logprobs": None, "finish_reason": "length"}],
        "usage": usage(14, 10)})
    return body_capture(
        n, model=model, slug="verify-chat-probe-nonstream-completion",
        upstream=TRANSLATING, http_version=HTTP2, status=200, text=answer, as_json=True,
        headers_at_ms=512.75, body=body,
        source=(
            "Verify as a chat call for a Gemini name (docs/evidence.md N6: Opper, "
            "ByteSpike; N61): the non-streamed test request of N55 / N30 (cursor/cursor "
            "#1922), which is plain Chat whatever the name (the Azure path of N8 sends plain "
            "Chat for every model), answered by a translating gateway with a complete "
            "chat.completion (OpenAI's CreateChatCompletionResponse). Whether gemini-* names reach the override at "
            "all is in conflict (N10 vs N20). Synthesized, not traffic."))


CAPTURES = [capture_1, capture_2, capture_3, capture_4, capture_5, capture_6, capture_7,
            capture_8, capture_9, capture_10, capture_11, capture_12, capture_13, capture_14,
            capture_15, capture_16, capture_17, capture_18, capture_19, capture_20, capture_21,
            capture_22, capture_23, capture_24, capture_25, capture_26, capture_27, capture_28,
            capture_29, capture_30, capture_31, capture_32, capture_33, capture_34, capture_35,
            capture_36, capture_37]



def main():
    out = OUT
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        out = pathlib.Path(sys.argv[2]).resolve()
    elif len(sys.argv) != 1:
        sys.exit("usage: synthesize.py [--out DIR]")
    written = []
    for number, build in enumerate(CAPTURES, start=1):
        folder, slug, capture = build()
        path = out / folder / f"{number:04d}-{slug}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pretty(capture), encoding="utf-8")
        written.append(path)
    # A capture from an older run that this script no longer writes would otherwise linger.
    for stale in sorted(out.glob("*/*.json")):
        if stale not in written:
            stale.unlink()
            print(f"removed {stale}", file=sys.stderr)
    for path in written:
        print(path.relative_to(out))


if __name__ == "__main__":
    main()
