#!/usr/bin/env python3
"""Write the seed corpora for the fuzz targets from the golden captures and the SDK fixtures.

    python3 fuzz/seed.py            # writes fuzz/corpus/<target>/seed-*, replacing old seeds

Seeds are generated, never committed (fuzz/corpus is git-ignored): the inputs they come from
are in the repository already. Files the fuzzer added to a corpus are left alone. Standard
library only.
"""

import base64
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
TARGETS = ["sse", "request", "response", "capture_load", "har_import"]


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def body_bytes(body):
    if body is None:
        return b""
    if "json" in body:
        return compact(body["json"])
    if "text" in body:
        return body["text"].encode()
    return base64.b64decode(body["base64"])


def chunk_bytes(chunk):
    if "text" in chunk:
        return chunk["text"].encode()
    return base64.b64decode(chunk["base64"])


def captures():
    for path in sorted((ROOT / "captures" / "golden").rglob("*.json")):
        yield path, json.loads(path.read_text())


def har_entry(capture):
    request = capture["request"]
    entry = {
        "startedDateTime": capture["recorded_at"],
        "time": (capture.get("response") or {}).get("ended_at_ms") or 0,
        "request": {
            "method": request["method"],
            "url": "https://gateway.example" + request["target"],
            "httpVersion": request["http_version"],
            "headers": [{"name": n, "value": v} for n, v in request["headers"]],
        },
        "response": {"status": 0, "httpVersion": "HTTP/1.1", "headers": [], "content": {}},
        "timings": {"send": 1, "wait": 20, "receive": 5},
    }
    if request.get("body") is not None:
        entry["request"]["postData"] = {
            "mimeType": "application/json",
            "text": body_bytes(request["body"]).decode("utf-8", "replace"),
        }
    response = capture.get("response")
    if response:
        stream = response.get("stream")
        data = (
            b"".join(chunk_bytes(c) for c in stream)
            if stream is not None
            else body_bytes(response.get("body"))
        )
        content_type = dict(response["headers"]).get("content-type", "application/json")
        entry["response"] = {
            "status": response["status"],
            "httpVersion": response["http_version"],
            "headers": [{"name": n, "value": v} for n, v in response["headers"]],
            "content": {
                "size": len(data),
                "mimeType": content_type,
                "text": base64.b64encode(data).decode(),
                "encoding": "base64",
            },
        }
    return entry


def main():
    seeds = {target: [] for target in TARGETS}
    entries = []
    for path, capture in captures():
        seeds["capture_load"].append(path.read_bytes())
        request = capture["request"]
        request_body = body_bytes(request.get("body"))
        if request_body:
            seeds["request"].append(request_body)
        response = capture.get("response") or {}
        stream = response.get("stream")
        chunks = [chunk_bytes(c) for c in stream] if stream is not None else []
        if stream is not None:
            whole = b"".join(chunks)
            lengths = [min(len(c), 255) for c in chunks[:15]]
            seeds["sse"].append(bytes([len(lengths)] + lengths) + whole)
        parts = chunks if stream is not None else [body_bytes(response.get("body"))]
        if response and b"\0" not in request_body and all(b"\0" not in p for p in parts):
            is_stream = stream is not None
            models = request["method"] == "GET" and request["target"].rstrip("/").endswith("/models")
            flags = (1 if is_stream else 0) | (2 if is_stream else 0) | (4 if models else 0)
            status = response["status"].to_bytes(2, "big")
            seeds["response"].append(bytes([flags]) + status + b"\0".join([request_body] + parts))
        entry = har_entry(capture)
        entries.append(entry)
        seeds["har_import"].append(compact(entry))
    seeds["har_import"].append(
        compact({"log": {"version": "1.2", "creator": {"name": "seed"}, "entries": entries}})
    )
    for path in sorted((ROOT / "tests" / "fixtures" / "sdk").glob("*.json")):
        seeds["request"].append(path.read_bytes())
        seeds["capture_load"].append(path.read_bytes())
    for target, inputs in seeds.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for index, data in enumerate(inputs):
            (folder / f"seed-{index:03}").write_bytes(data)
        print(f"{target}: {len(inputs)} seeds in {folder.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
