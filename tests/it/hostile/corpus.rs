//! The hostile corpus: every secret shape redaction knows, and every place a request or an
//! answer can carry one. Keys are assembled at run time from a fixed generator, so this file
//! holds no key-shaped literal of its own (and `scan` of the repository finds none here).

use serde_json::{Value, json};

/// A secret as it is planted, and the strings that must never come out again.
pub struct Shape {
    pub name: &'static str,
    /// The text planted (a key, or a line that holds one).
    pub text: String,
    /// What must not appear anywhere afterwards (nor its last 12 characters).
    pub secrets: Vec<String>,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `n` characters of `alphabet`, different for each `seed` (a small linear congruential
/// generator: the same corpus on every run).
fn chars(seed: u64, alphabet: &[u8], n: usize) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            alphabet[(state >> 33) as usize % alphabet.len()] as char
        })
        .collect()
}

fn whole(name: &'static str, key: String) -> Shape {
    Shape {
        name,
        text: key.clone(),
        secrets: vec![key],
    }
}

fn assigned(name: &'static str, before: &str, value: String) -> Shape {
    Shape {
        name,
        text: format!("{before}{value}"),
        secrets: vec![value],
    }
}

/// Every shape of issue 12, each once.
pub fn shapes() -> Vec<Shape> {
    let pem_lines = [chars(21, BASE64, 64), chars(22, BASE64, 64)];
    vec![
        whole(
            "openai key",
            format!("{}{}", "sk-proj-", chars(1, ALNUM, 40)),
        ),
        whole(
            "anthropic key",
            format!("{}{}", "sk-ant-api03-", chars(2, ALNUM, 40)),
        ),
        whole("google key", format!("{}{}", "AIza", chars(3, ALNUM, 35))),
        whole(
            "aws key id",
            format!("{}{}", "AKIA", chars(4, UPPER_DIGITS, 16)),
        ),
        assigned(
            "aws secret key",
            "AWS_SECRET_ACCESS_KEY=",
            chars(5, BASE64, 40),
        ),
        whole("github token", format!("{}{}", "ghp_", chars(6, ALNUM, 36))),
        whole(
            "github fine-grained token",
            format!(
                "{}{}_{}",
                "github_pat_",
                chars(7, ALNUM, 22),
                chars(8, ALNUM, 59)
            ),
        ),
        whole(
            "jwt",
            format!(
                "{}{}.{}{}.{}",
                "eyJ",
                chars(9, ALNUM, 30),
                "eyJ",
                chars(10, ALNUM, 40),
                chars(11, ALNUM, 43)
            ),
        ),
        assigned(
            "stripe key in .env",
            "STRIPE_SECRET_KEY=",
            format!("{}{}", "sk_live_", chars(12, ALNUM, 32)),
        ),
        assigned("SECRET_KEY in .env", "SECRET_KEY=", chars(13, ALNUM, 40)),
        assigned(
            "PRIVATE_KEY in .env",
            "PRIVATE_KEY=",
            format!("0x{}", chars(14, HEX, 64)),
        ),
        assigned("azure key in .env", "AZURE_OPENAI_KEY=", chars(15, HEX, 32)),
        assigned(
            "azure key beside a key-like name",
            "\"api-key\": \"",
            chars(16, HEX, 32),
        ),
        Shape {
            name: "postgres password",
            text: format!(
                "postgres://app_user:{}@db.internal:5432/prod",
                chars(17, ALNUM, 24)
            ),
            secrets: vec![chars(17, ALNUM, 24)],
        },
        Shape {
            name: "PEM private key",
            text: format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n{}\n-----END PRIVATE KEY-----",
                pem_lines[0], pem_lines[1]
            ),
            secrets: pem_lines.to_vec(),
        },
    ]
}

/// Values secret only by the name of the header or query parameter that carries them.
pub struct Named {
    pub headers: Vec<(&'static str, String)>,
    pub params: Vec<(&'static str, String)>,
}

pub fn named() -> Named {
    let value = |seed| format!("nm-{}", chars(seed, ALNUM, 28));
    Named {
        headers: vec![
            ("x-portkey-virtual-key", value(31)),
            ("x-litellm-key", value(32)),
            ("x-gateway-key", value(33)),
            ("x-auth", value(34)),
            ("x-access-key", value(35)),
            ("x-credential", value(36)),
            ("x-session-token", value(37)),
            ("cookie", format!("session={}", value(38))),
        ],
        params: vec![
            ("refresh_token", value(41)),
            ("X-Amz-Signature", value(42)),
            ("code", value(43)),
            ("%6bey", value(44)),
        ],
    }
}

/// The path token of the recorder (a literal secret the process knows).
pub fn path_token() -> String {
    format!("tok{}", chars(51, ALNUM, 29))
}

/// Every string that must never come out again.
pub fn all_secrets() -> Vec<String> {
    let mut out: Vec<String> = shapes().into_iter().flat_map(|s| s.secrets).collect();
    let named = named();
    out.extend(named.headers.into_iter().map(|(_, v)| v));
    out.extend(named.params.into_iter().map(|(_, v)| v));
    out.push(path_token());
    out.iter_mut()
        .for_each(|s| *s = s.trim_start_matches("session=").to_owned());
    out
}

/// Every shape's text joined, as the `.env` file a user's editor sends.
pub fn dotenv() -> String {
    shapes()
        .iter()
        .map(|s| s.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` as JSON string content with some characters written as `\uXXXX` (every fourth, and
/// every `-` and `_`), so that no key appears as written.
pub fn escaped(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i % 4 == 0 || matches!(c, '-' | '_' | '"' | '\\') || c.is_control() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A model name that would drive a terminal, fake console lines and, in a shell comment, run a
/// command that creates `marker`.
pub fn hostile_model(marker: &str) -> String {
    format!("gpt-5.5\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nFAKE LINE\u{9b}31m\u{202e}\ntouch {marker}\n#")
}

/// A body key that would break out of a Markdown code span into raw HTML, links, a mention,
/// a comment, a heading and a fence.
pub const MARKDOWN_KEY: &str = "x`<img src=x onerror=alert(1)>` ![i](https://evil.example/i.png) [l](https://evil.example) @everyone <!-- \n# heading\n```";

/// Text the answers and the error bodies carry besides the keys: terminal escapes, markup,
/// shell syntax.
pub fn hostile_prose(marker: &str) -> String {
    format!(
        "\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[31m<script>alert(1)</script> [x](https://evil.example) @everyone $(touch {marker}) `touch {marker}`\n# heading"
    )
}

/// The body of the main chat request: every shape raw in a message, again JSON-escaped in
/// another, inside a tool call's arguments (JSON in a JSON string, raw and escaped), under a
/// hostile model name and a hostile key. Written by hand so the escapes travel as written.
pub fn chat_body(marker: &str) -> Vec<u8> {
    let env = dotenv();
    let arguments = json!({"file": ".env", "content": env}).to_string();
    let escaped_arguments = format!("{{\"content\":\"{}\"}}", escaped(&env));
    let tool_calls = json!([
        {"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": arguments}},
    ]);
    let text = format!(
        "{{\"model\":{model},\"stream\":true,\"messages\":[\
         {{\"role\":\"user\",\"content\":{env_json}}},\
         {{\"role\":\"user\",\"content\":\"{escaped_env}\"}},\
         {{\"role\":\"assistant\",\"content\":null,\"tool_calls\":{tool_calls}}},\
         {{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":{escaped_arguments_json}}},\
         {{\"role\":\"user\",\"content\":{prose}}}],\
         {markdown_key}:1}}",
        model = Value::String(hostile_model(marker)),
        env_json = Value::String(env.clone()),
        escaped_env = escaped(&env),
        escaped_arguments_json = Value::String(escaped_arguments),
        prose = Value::String(hostile_prose(marker)),
        markdown_key = Value::String(MARKDOWN_KEY.to_owned()),
    );
    assert!(
        serde_json::from_str::<Value>(&text).is_ok(),
        "the hostile body is JSON"
    );
    text.into_bytes()
}

/// Split `text` into pieces of 1, 2, 3 and 4 characters, in turn.
pub fn fragments(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    let mut size = 1;
    while at < chars.len() {
        let end = (at + size).min(chars.len());
        out.push(chars[at..end].iter().collect());
        at = end;
        size = size % 4 + 1;
    }
    out
}

/// A Chat Completions stream that streams every shape 1 to 4 characters per event, in the
/// content, the reasoning, and a tool call's arguments (escaped too).
pub fn chat_stream(marker: &str) -> String {
    let chunk = |delta: Value| {
        let event = json!({"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "created": 1767225600,
            "model": "gpt-5.5", "choices": [{"index": 0, "delta": delta, "finish_reason": null}]});
        format!("data: {event}\n\n")
    };
    let mut out = chunk(json!({"role": "assistant", "content": ""}));
    let content = format!(
        "Here is what I found: {} {}",
        dotenv(),
        hostile_prose(marker)
    );
    for piece in fragments(&content) {
        out.push_str(&chunk(json!({"content": piece})));
    }
    for piece in fragments(&dotenv()) {
        out.push_str(&chunk(json!({"reasoning_content": piece})));
    }
    let arguments = format!("{{\"content\":\"{}\"}}", escaped(&dotenv()));
    out.push_str(&chunk(
        json!({"tool_calls": [{"index": 0, "id": "call_h", "type": "function",
        "function": {"name": "write_file", "arguments": ""}}]}),
    ));
    for piece in fragments(&arguments) {
        out.push_str(&chunk(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}),
        ));
    }
    let done = json!({"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "created": 1767225600,
        "model": "gpt-5.5", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]});
    out.push_str(&format!("data: {done}\n\ndata: [DONE]\n\n"));
    out
}

/// A Responses stream with every shape split across `output_text` and function-call argument
/// deltas.
pub fn responses_stream() -> String {
    let event = |value: Value| {
        format!(
            "event: {}\ndata: {value}\n\n",
            value["type"].as_str().unwrap_or("x")
        )
    };
    let mut out = event(json!({"type": "response.created", "sequence_number": 0,
        "response": {"id": "resp_h", "object": "response", "status": "in_progress", "output": []}}));
    for piece in fragments(&dotenv()) {
        out.push_str(&event(
            json!({"type": "response.output_text.delta", "item_id": "msg_h",
            "output_index": 0, "content_index": 0, "delta": piece}),
        ));
    }
    for piece in fragments(&format!("{{\"env\":\"{}\"}}", escaped(&dotenv()))) {
        out.push_str(&event(
            json!({"type": "response.function_call_arguments.delta",
            "item_id": "fc_h", "output_index": 1, "delta": piece}),
        ));
    }
    out.push_str(&event(
        json!({"type": "response.completed", "sequence_number": 9,
        "response": {"id": "resp_h", "object": "response", "status": "completed", "output": []}}),
    ));
    out
}

/// An Anthropic Messages stream with every shape split across text and `partial_json` deltas.
pub fn anthropic_stream() -> String {
    let event = |value: Value| {
        format!(
            "event: {}\ndata: {value}\n\n",
            value["type"].as_str().unwrap_or("x")
        )
    };
    let mut out = event(
        json!({"type": "message_start", "message": {"id": "msg_h", "type": "message",
        "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": null,
        "usage": {"input_tokens": 1, "output_tokens": 1}}}),
    );
    out.push_str(&event(json!({"type": "content_block_start", "index": 0,
        "content_block": {"type": "text", "text": ""}})));
    for piece in fragments(&dotenv()) {
        out.push_str(&event(json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": piece}})));
    }
    out.push_str(&event(json!({"type": "content_block_stop", "index": 0})));
    out.push_str(&event(json!({"type": "content_block_start", "index": 1,
        "content_block": {"type": "tool_use", "id": "toolu_h", "name": "write", "input": {}}})));
    for piece in fragments(&format!("{{\"env\":\"{}\"}}", escaped(&dotenv()))) {
        out.push_str(&event(json!({"type": "content_block_delta", "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": piece}})));
    }
    out.push_str(&event(json!({"type": "content_block_stop", "index": 1})));
    out.push_str(&event(
        json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"},
        "usage": {"output_tokens": 9}}),
    ));
    out.push_str(&event(json!({"type": "message_stop"})));
    out
}

/// An upstream's refusal that quotes every shape, escapes and markup.
pub fn error_body(marker: &str) -> Vec<u8> {
    json!({"error": {"message": format!("invalid key {} {}", dotenv(), hostile_prose(marker)),
        "type": "invalid_request_error", "code": "invalid_api_key"}})
    .to_string()
    .into_bytes()
}

/// `bytes` cut into pieces of 1 to 13 bytes in a fixed rhythm: what a server's writes look
/// like when they split events, and keys, anywhere.
pub fn cut(bytes: &[u8]) -> Vec<Vec<u8>> {
    let sizes = [7, 1, 13, 2, 5, 3, 11];
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < bytes.len() {
        let end = (at + sizes[i % sizes.len()]).min(bytes.len());
        out.push(bytes[at..end].to_vec());
        at = end;
        i += 1;
    }
    out
}
