//! Turning command-line paths into exchanges: capture files, folders, HAR files and raw request
//! bodies. One bad file becomes one error row; it never stops the others.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::loaded::unreadable;
pub use super::loaded::{InputKind, Loaded};
use super::{Body, Exchange, FORMAT, Provenance, ProvenanceKind, Request, VERSION, har};

/// File names the tool writes beside captures; a folder walk does not take them as inputs.
const INDEX_FILES: &[&str] = &["manifest.json", "run.json", "report.json"];

/// A path given on the command line that cannot be used at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or folder")]
    Missing { path: String },
    /// Every path was a folder and none held a file to read: almost always the wrong folder,
    /// and "0 exchanges, all good" would hide that.
    #[error("no captures found under {paths}")]
    NoCaptures { paths: String },
}

/// Expand paths into the sorted list of files to read. Folders are walked recursively in a
/// deterministic order; symlinks that lead outside the folder are kept as error rows rather
/// than followed, and so is a folder that cannot be read (its row names it; the walk goes on
/// with the rest). A folder with no input file in it becomes an error row of its own, and when
/// nothing at all was found the whole call fails with [`InputError::NoCaptures`].
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Candidate>, InputError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|_| InputError::Missing {
            path: path.display().to_string(),
        })?;
        if meta.is_dir() {
            let root = match fs::canonicalize(path) {
                Ok(root) => root,
                Err(err) => {
                    out.push(unreadable_folder(path, &err));
                    continue;
                }
            };
            let before = out.len();
            walk(path, &root, &mut out);
            if out.len() == before {
                out.push(Candidate::Empty(path.clone()));
            }
        } else {
            out.push(Candidate::File(path.clone()));
        }
    }
    let empty: Option<Vec<String>> = out
        .iter()
        .map(|candidate| match candidate {
            Candidate::Empty(path) => Some(path.display().to_string()),
            _ => None,
        })
        .collect();
    match empty {
        Some(paths) if !paths.is_empty() => Err(InputError::NoCaptures {
            paths: paths.join(", "),
        }),
        _ => Ok(out),
    }
}

/// A file to load, or a path refused during the walk.
#[derive(Debug, Clone)]
pub enum Candidate {
    File(PathBuf),
    Refused {
        path: PathBuf,
        why: String,
    },
    /// A folder given on the command line in which the walk found no file to read.
    Empty(PathBuf),
}

impl Candidate {
    /// The file or folder this candidate stands for.
    pub fn path(&self) -> &Path {
        match self {
            Candidate::File(path) | Candidate::Refused { path, .. } | Candidate::Empty(path) => {
                path
            }
        }
    }
}

fn unreadable_folder(path: &Path, err: &std::io::Error) -> Candidate {
    Candidate::Refused {
        path: path.to_owned(),
        why: format!("cannot read folder: {err}"),
    }
}

/// Walk one folder into `out`; what cannot be read becomes a row of its own.
fn walk(dir: &Path, root: &Path, out: &mut Vec<Candidate>) {
    let listed = fs::read_dir(dir).and_then(|entries| entries.collect::<Result<Vec<_>, _>>());
    let mut entries = match listed {
        Ok(entries) => entries,
        Err(err) => {
            out.push(unreadable_folder(dir, &err));
            return;
        }
    };
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let file_type = match entry.file_type() {
            Ok(file_type) => file_type,
            Err(err) => {
                out.push(Candidate::Refused {
                    path,
                    why: format!("cannot read: {err}"),
                });
                continue;
            }
        };
        if file_type.is_symlink() {
            match fs::canonicalize(&path) {
                Ok(target) if target.starts_with(root) => {}
                Ok(target) => {
                    out.push(Candidate::Refused {
                        why: format!(
                            "symlink to {} leads outside the folder; not followed",
                            target.display()
                        ),
                        path,
                    });
                    continue;
                }
                Err(err) => {
                    out.push(Candidate::Refused {
                        why: format!("broken symlink: {err}"),
                        path,
                    });
                    continue;
                }
            }
        }
        let meta = match fs::metadata(&path) {
            Ok(meta) => meta,
            Err(err) => {
                out.push(Candidate::Refused {
                    path,
                    why: format!("cannot read: {err}"),
                });
                continue;
            }
        };
        if meta.is_dir() {
            if !file_type.is_symlink() {
                walk(&path, root, out);
            }
        } else if is_input_name(&name) {
            out.push(Candidate::File(path));
        }
    }
}

fn is_input_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".har")) && !INDEX_FILES.contains(&lower.as_str())
}

/// Read one candidate into the exchanges it holds (one for a capture or a raw body, one per
/// entry for a HAR file, one error row for anything unreadable).
pub fn load(candidate: &Candidate) -> Vec<Loaded> {
    match candidate {
        Candidate::Refused { path, why } => vec![unreadable(path.display().to_string(), why)],
        Candidate::Empty(path) => {
            let origin = path.display().to_string();
            vec![Loaded {
                result: Err(InputError::NoCaptures {
                    paths: origin.clone(),
                }
                .to_string()),
                origin,
                kind: InputKind::Unreadable,
            }]
        }
        Candidate::File(path) => {
            let origin = path.display().to_string();
            match fs::read(path) {
                Ok(bytes) => load_bytes(&origin, &bytes),
                Err(err) => vec![unreadable(origin, &format!("cannot read: {err}"))],
            }
        }
    }
}

/// Recognise and read the bytes of one file.
pub fn load_bytes(origin: &str, bytes: &[u8]) -> Vec<Loaded> {
    // Windows tools (Notepad, PowerShell's `Out-File -Encoding utf8`) start UTF-8 files with a
    // byte-order mark; RFC 8259 §8.1 lets a parser ignore it, and refusing such a file over an
    // invisible character would only puzzle its author.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return vec![unreadable(origin.to_owned(), "file is empty")];
    }
    if has_capture_marker(bytes) {
        // The common case parses straight into the typed Exchange: one pass over the bytes.
        if let Ok(exchange) = serde_json::from_slice::<Exchange>(bytes)
            && exchange.format == FORMAT
            && exchange.version == VERSION
        {
            return vec![Loaded {
                origin: origin.to_owned(),
                kind: InputKind::Capture,
                result: Ok(exchange),
            }];
        }
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(err) => {
            // serde_json would report a bad byte as a JSON syntax error at some column, which
            // sends people looking for a typo; say what is really wrong with the file.
            let why = match not_utf8(bytes) {
                Some(encoding) => format!("not JSON: {encoding}; JSON files must be UTF-8"),
                None => json_error("not JSON", &err),
            };
            return vec![unreadable(origin.to_owned(), &why)];
        }
    };
    let Value::Object(map) = &value else {
        return vec![unreadable(
            origin.to_owned(),
            &format!(
                "top-level JSON {} is not a capture, a HAR file or a request body (each is an object)",
                json_kind(&value)
            ),
        )];
    };
    if let Some(format) = map.get("format").cloned() {
        return vec![read_capture(origin, bytes, &format, value)];
    }
    if map.get("log").and_then(|log| log.get("entries")).is_some() {
        return har::import(origin, &value);
    }
    vec![Loaded {
        origin: origin.to_owned(),
        kind: InputKind::RawBody,
        result: Ok(raw_body_exchange(origin, bytes, value)),
    }]
}

fn read_capture(origin: &str, bytes: &[u8], format: &Value, value: Value) -> Loaded {
    let fail = |why: String| unreadable(origin.to_owned(), &why);
    if format.as_str() != Some(FORMAT) {
        return fail(format!(
            "`format` is {format}, not \"{FORMAT}\": not a capture file this tool knows"
        ));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return fail(format!(
                "capture format version {v}; this build reads version {VERSION}"
            ));
        }
        None => return fail("`version` is missing or not a number".to_owned()),
    }
    match serde_json::from_value::<Exchange>(value) {
        Ok(exchange) => Loaded {
            origin: origin.to_owned(),
            kind: InputKind::Capture,
            result: Ok(exchange),
        },
        Err(err) => {
            // An error from the parsed value has no position; parsing the bytes again (only on
            // this failure path) gives the same error with its line and column.
            let located = serde_json::from_slice::<Exchange>(bytes)
                .err()
                .unwrap_or(err);
            fail(format!("not a valid capture: {located}"))
        }
    }
}

/// A JSON object given on its own is taken as what Cursor sends: `POST /chat/completions`.
fn raw_body_exchange(origin: &str, bytes: &[u8], value: Value) -> Exchange {
    let request = Request {
        method: "POST".to_owned(),
        target: "/chat/completions".to_owned(),
        http_version: "HTTP/1.1".to_owned(),
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: Some(Body::from_parsed(bytes, Some(value))),
        omitted: None,
        encoding_mismatch: None,
    };
    let provenance = Provenance {
        kind: ProvenanceKind::Imported,
        source: format!("raw request body from {origin}, taken as POST /chat/completions"),
    };
    Exchange::new("imported", provenance, request)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why `bytes` are not UTF-8 text, if they are not.
fn not_utf8(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some(
            "the file is UTF-16 text (it starts with a UTF-16 byte-order mark)".to_owned(),
        );
    }
    let err = std::str::from_utf8(bytes).err()?;
    let offset = err.valid_up_to();
    Some(format!(
        "the file is not UTF-8 text (invalid byte 0x{:02X} at byte offset {offset})",
        bytes[offset]
    ))
}

fn has_capture_marker(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(256)];
    memchr::memmem::find(head, FORMAT.as_bytes()).is_some()
}

/// A serde_json error phrased for a person, with line and column.
pub(crate) fn json_error(what: &str, err: &serde_json::Error) -> String {
    let reason = match err.classify() {
        serde_json::error::Category::Eof => "the JSON ends too early (truncated?)",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "read error",
    };
    format!(
        "{what}: {reason} at line {} column {} ({err})",
        err.line(),
        err.column()
    )
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(mut loaded: Vec<Loaded>) -> Loaded {
        assert_eq!(loaded.len(), 1);
        loaded.remove(0)
    }

    #[test]
    fn a_raw_body_becomes_an_imported_chat_request() {
        let loaded = only(load_bytes("b.json", br#"{"model":"m","messages":[]}"#));
        assert_eq!(loaded.kind, InputKind::RawBody);
        let exchange = loaded.result.unwrap();
        assert_eq!(exchange.model.as_deref(), Some("m"));
        assert_eq!(exchange.request.target, "/chat/completions");
        assert_eq!(exchange.provenance.kind, ProvenanceKind::Imported);
    }

    #[test]
    fn bad_inputs_name_the_file_and_the_reason() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "file is empty"),
            (b"not json", "not JSON: syntax error at line 1 column 2"),
            (b"[1,2]", "top-level JSON array"),
            (b"{\"model\": \"m\", \"mess", "truncated"),
            (b"\xff\xfe{\x00}\x00", "not JSON: the file is UTF-16 text"),
            (
                b"{\"model\": \"caf\xe9\"}",
                "not UTF-8 text (invalid byte 0xE9 at byte offset 14); JSON files must be UTF-8",
            ),
            (b"\xEF\xBB\xBF  \n", "file is empty"),
        ];
        for (bytes, expected) in cases {
            let loaded = only(load_bytes("x.json", bytes));
            let err = loaded.result.unwrap_err();
            assert!(err.starts_with("x.json: "), "{err}");
            assert!(err.contains(expected), "{err} should contain {expected}");
        }
    }

    #[test]
    fn a_utf8_byte_order_mark_is_ignored() {
        let loaded = only(load_bytes("b.json", b"\xEF\xBB\xBF{\"model\":\"m\"}"));
        assert_eq!(loaded.kind, InputKind::RawBody);
        let exchange = loaded.result.unwrap();
        assert_eq!(exchange.model.as_deref(), Some("m"));
    }

    #[test]
    fn a_misspelt_capture_key_is_refused_with_its_name_and_position() {
        let bytes = br#"{"format":"cursor-harness/capture","version":1,"id":"i","session":"s",
"recorded_at":"t","provenance":{"kind":"synthesized","source":"x"},
"request":{"method":"POST","target":"/","http_version":"HTTP/1.1","headers":[]},
"reponse":null}"#;
        let err = only(load_bytes("c.json", bytes)).result.unwrap_err();
        assert!(
            err.contains("not a valid capture: unknown field `reponse`"),
            "{err}"
        );
        assert!(err.contains("line 4"), "{err}");
    }

    #[test]
    fn a_folder_with_nothing_to_read_is_a_row_or_with_nothing_else_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        fs::create_dir_all(empty.join("nested")).unwrap();
        fs::write(empty.join("manifest.json"), "{}").unwrap();
        fs::write(empty.join("README.md"), "notes").unwrap();
        let body = dir.path().join("body.json");
        fs::write(&body, "{}").unwrap();

        let candidates = expand(&[empty.clone(), body]).unwrap();
        assert!(matches!(&candidates[0], Candidate::Empty(path) if *path == empty));
        let row = only(load(&candidates[0]));
        let expected = format!("no captures found under {}", empty.display());
        assert_eq!(row.result.unwrap_err(), expected);
        assert!(matches!(&candidates[1], Candidate::File(_)));

        let err = expand(std::slice::from_ref(&empty)).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn a_newer_capture_version_is_refused_with_the_versions_named() {
        let bytes = br#"{"format":"cursor-harness/capture","version":9}"#;
        let err = only(load_bytes("c.json", bytes)).result.unwrap_err();
        assert!(
            err.contains("version 9; this build reads version 1"),
            "{err}"
        );
    }
}
