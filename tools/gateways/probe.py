#!/usr/bin/env python3
"""Send golden capture bodies through a gateway with curl and report both legs.

For each capture (or bare JSON request body): POST its request body (field request.body) to
TARGET + /chat/completions (or the capture's own method and path after /v1, for GET /v1/models),
with the capture's model name unless --model overrides it, streamed when the capture streams. Then read what the
gateway answered (status, error envelope, stream shape) and what it forwarded to the mock
provider (the lines the mock appended to its log during the request).

Usage:
  probe.py --target http://127.0.0.1:4000/v1 --mock-log /tmp/mock.jsonl \\
           [--header 'x-portkey-provider: openai' ...] [--key-env LITELLM_MASTER_KEY] \\
           [--model NAME] [--label NAME] [--json out.json] CAPTURE...

The key is read from the environment variable named by --key-env and sent as a Bearer token;
it is never printed. Standard library and curl only; each request is bounded by --max-time.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def load_capture(path):
    """A capture file, or a bare request body (then sent as POST /v1/chat/completions)."""
    with open(path, encoding="utf-8") as f:
        cap = json.load(f)
    if "request" not in cap:
        return cap, {"method": "POST", "target": "/v1/chat/completions"}, cap
    req = cap["request"]
    body = req.get("body")
    if isinstance(body, dict) and "json" in body:
        body = body["json"]
    elif isinstance(body, dict) and "text" in body:
        body = json.loads(body["text"])
    return cap, req, body


def mock_lines(path, offset):
    try:
        with open(path, encoding="utf-8") as f:
            f.seek(offset)
            data = f.read()
            return [json.loads(line) for line in data.splitlines() if line.strip()], f.tell()
    except FileNotFoundError:
        return [], 0


def log_size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def parse_sse(text):
    """Return the list of data payloads (parsed JSON, or the raw string) and event names."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if not data and name is None:
            continue
        payload = "\n".join(data)
        try:
            payload = json.loads(payload)
        except ValueError:
            pass
        events.append((name, payload))
    return events


def analyse_stream(text):
    events = parse_sse(text)
    chunks = [p for _, p in events if isinstance(p, dict)]
    out = {
        "events": len(events),
        "done_marker": any(p == "[DONE]" for _, p in events),
        "event_names": sorted({n for n, _ in events if n}),
        "objects": sorted({str(c.get("object") or c.get("type")) for c in chunks}),
    }
    choice_chunks = [c for c in chunks if isinstance(c.get("choices"), list) and c["choices"]]
    out["chunks_with_choices"] = len(choice_chunks)
    out["choices_without_finish_reason_key"] = sum(
        1 for c in choice_chunks for ch in c["choices"] if "finish_reason" not in ch)
    out["finish_reasons"] = [ch.get("finish_reason") for c in choice_chunks for ch in c["choices"]
                             if ch.get("finish_reason") is not None]
    usage = [c for c in chunks if c.get("usage")]
    out["usage_chunks"] = len(usage)
    out["usage_chunk_choices"] = [c.get("choices") for c in usage]
    text_parts = []
    for c in choice_chunks:
        for ch in c["choices"]:
            d = ch.get("delta") or {}
            if isinstance(d.get("content"), str):
                text_parts.append(d["content"])
    out["text"] = "".join(text_parts)
    errors = [c for c in chunks if "error" in c]
    if errors:
        out["error_events"] = errors
    return out


def blocks(content):
    if isinstance(content, list):
        return [b.get("type", "?") if isinstance(b, dict) else type(b).__name__ for b in content]
    if content is None:
        return None
    return type(content).__name__


def summarise_forwarded(body):
    """A compact, factual description of a forwarded JSON body."""
    if not isinstance(body, dict):
        return {"body": body}
    s = {"keys": sorted(body)}
    if "system" in body:
        s["system"] = blocks(body["system"]) if isinstance(body["system"], list) else type(body["system"]).__name__
    if isinstance(body.get("messages"), list):
        s["messages"] = [
            {k: v for k, v in {
                "role": m.get("role"),
                "content": blocks(m.get("content")),
                "tool_calls": len(m["tool_calls"]) if m.get("tool_calls") else None,
                "tool_call_id": m.get("tool_call_id"),
            }.items() if v is not None}
            for m in body["messages"] if isinstance(m, dict)]
    if isinstance(body.get("input"), list):
        s["input"] = [i.get("type") or i.get("role") for i in body["input"] if isinstance(i, dict)]
    if isinstance(body.get("tools"), list):
        s["tools"] = []
        for t in body["tools"]:
            if not isinstance(t, dict):
                continue
            shape = t.get("type", "(no type)")
            if "function" in t:
                shape += ":nested"
            elif "custom" in t:
                shape += ":nested-custom"
            elif "input_schema" in t:
                shape += ":input_schema"
            elif "parameters" in t:
                shape += ":flat"
            s["tools"].append(f"{t.get('name') or (t.get('function') or {}).get('name') or (t.get('custom') or {}).get('name')}={shape}")
    for k in ("tool_choice", "reasoning", "include", "stream", "stream_options", "max_tokens",
              "max_completion_tokens", "parallel_tool_calls", "store", "truncation", "text"):
        if k in body:
            s[k] = body[k]
    return s


def run_one(args, cap_path):
    cap, req, body = load_capture(cap_path)
    method = req.get("method", "POST")
    path = (req.get("path") or req.get("target") or "/v1/chat/completions").split("?")[0]
    rel = path[3:] if path.startswith("/v1/") else path
    if args.route:
        rel = args.route
    url = args.target.rstrip("/") + rel
    if isinstance(body, dict) and args.model:
        body = {**body, "model": args.model}
    streamed = isinstance(body, dict) and body.get("stream") is True

    with tempfile.TemporaryDirectory() as tmp:
        body_file = os.path.join(tmp, "body.json")
        hdr_file = os.path.join(tmp, "headers")
        out_file = os.path.join(tmp, "out")
        cmd = ["curl", "-sS", "-N", "--max-time", str(args.max_time), "-X", method,
               "-D", hdr_file, "-o", out_file, "-w", "%{http_code}"]
        for h in args.header:
            cmd += ["-H", h]
        key = os.environ.get(args.key_env) if args.key_env else None
        if key:
            cmd += ["-H", f"Authorization: Bearer {key}"]
        if body is not None and method != "GET":
            with open(body_file, "w", encoding="utf-8") as f:
                json.dump(body, f)
            cmd += ["-H", "Content-Type: application/json", "--data-binary", "@" + body_file]
        cmd.append(url)
        before = log_size(args.mock_log)
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.max_time + 10)
        elapsed = time.monotonic() - t0
        time.sleep(0.3)  # let the mock finish appending
        forwarded, _ = mock_lines(args.mock_log, before)
        headers = []
        if os.path.exists(hdr_file):
            with open(hdr_file, encoding="utf-8", errors="replace") as f:
                headers = [l.rstrip("\r\n") for l in f if ":" in l]
        text = open(out_file, encoding="utf-8", errors="replace").read() if os.path.exists(out_file) else ""

    result = {
        "label": args.label,
        "capture": cap_path,
        "url": url,
        "model_sent": body.get("model") if isinstance(body, dict) else None,
        "streamed_request": streamed,
        "status": int(proc.stdout or 0),
        "curl_error": proc.stderr.strip() or None,
        "seconds": round(elapsed, 2),
        "response_headers": [h for h in headers if not h.lower().startswith(("date:", "set-cookie:"))],
    }
    ctype = next((h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("content-type:")), "")
    result["content_type"] = ctype
    if "event-stream" in ctype:
        result["stream"] = analyse_stream(text)
        result["stream_raw"] = text[:6000]
    else:
        try:
            result["body"] = json.loads(text)
        except ValueError:
            result["body_text"] = text[:4000]
    result["forwarded"] = [
        {"method": r["method"], "path": r["path"], "status": r["status"],
         "summary": summarise_forwarded(r.get("body")), "body": r.get("body")}
        for r in forwarded
    ]
    return result


def short(result):
    line = f"{result['label'] or ''} {os.path.basename(result['capture'])} model={result['model_sent']} -> {result['status']}"
    if "stream" in result:
        st = result["stream"]
        line += (f" SSE events={st['events']} done={st['done_marker']} no_finish_key={st['choices_without_finish_reason_key']}"
                 f" finish={st['finish_reasons']} usage_choices={st['usage_chunk_choices']}")
    elif "body" in result:
        line += " " + json.dumps(result["body"])[:300]
    else:
        line += " " + repr(result.get("body_text", ""))[:300]
    fw = ", ".join(f"{f['method']} {f['path']}->{f['status']}" for f in result["forwarded"]) or "nothing"
    return line + f"\n    forwarded: {fw}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--target", required=True, help="gateway base URL; /chat/completions is appended")
    p.add_argument("--route", help="path to append instead of the capture's (e.g. /chat/completions)")
    p.add_argument("--mock-log", required=True)
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--key-env", help="environment variable holding the gateway key (sent as Bearer)")
    p.add_argument("--model", help="send this model name instead of the capture's")
    p.add_argument("--label", default="")
    p.add_argument("--max-time", type=int, default=120)
    p.add_argument("--json", help="append results as JSON lines to this file")
    p.add_argument("captures", nargs="+")
    args = p.parse_args()
    for cap in args.captures:
        r = run_one(args, cap)
        print(short(r), flush=True)
        if args.json:
            with open(args.json, "a", encoding="utf-8") as f:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    sys.exit(main())
