#!/usr/bin/env python3
"""Write the golden captures under captures/golden/ from the public evidence.

Every file is synthesized, not recorded: the request bodies are the reconstructions of
shared/reference/cursor-formats.md section 2 (themselves built from forum threads, issues and PRs),
and the responses are what the gateways described there send back. The `source` of each capture
names the evidence.

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
    """cursor-formats.md section 2.1, field for field."""
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
    """Section 2.1 one turn earlier: the file has been read, the model is about to patch it."""
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
    """cursor-formats.md section 2.2."""
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
    """cursor-formats.md section 2.3, with a second file to read so the answer is a tool call."""
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
    """Section 2.3 at the first turn: no tool history yet."""
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
    """cursor-formats.md section 2.5 (and the section 2.4 best guess for Gemini names)."""
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
    """Section 3.1: role chunk, content deltas, finish chunk, usage chunk, [DONE]."""
    events = [chat_chunk(cid, created, model, {"role": "assistant", "content": ""})]
    events += [chat_chunk(cid, created, model, {"content": piece}) for piece in pieces]
    events.append(chat_chunk(cid, created, model, {}, "stop"))
    events.append(usage_chunk(cid, created, model, prompt, completion))
    return [data(e) for e in events] + [data("[DONE]")]


def tool_call_stream(cid, created, model, call_id, name, fragments, prompt, completion,
                     **usage_details):
    """Section 3.2: the first delta opens the call (id, type function, name, empty arguments),
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
    named `response.*` events (schemas.md section 3.3), no [DONE]."""
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
            "Responses-API hybrid body of an Agent-mode follow-up (cursor-formats.md §2.1: forum "
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
            "capture (cursor-formats.md F9, §2.1); the gateway forwards it to /v1/responses and "
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
            "Responses-API hybrid body one turn into an Agent-mode edit (cursor-formats.md §2.1: "
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
            "Mixed Chat dialect body (cursor-formats.md §2.2, F12, F13: messages with nested "
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
            "Anthropic-shaped body for a Claude-named model (cursor-formats.md §2.3, F14: system "
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
            "Anthropic-shaped first-turn body for a Claude-named model (cursor-formats.md §2.3, "
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
            "Gemini-named model: the body shape is INFERRED, not evidenced (cursor-formats.md "
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
            "body (cursor-formats.md §2.5, F17: yxlao/deepseek-cursor-proxy "
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
            "200 with an OpenAI-style list (cursor-formats.md F3, §2.6: LangWatch and OpenGateway "
            "docs; Medium confidence). Synthesized, not traffic."),
        body=None,
        response=body_response(moment, HTTP1, 200, 96.5, models, 97.25, as_json=True),
    )


CAPTURES = [capture_1, capture_2, capture_3, capture_4, capture_5, capture_6, capture_7,
            capture_8, capture_9]


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
