//! File and folder names: taken from captures (a model name: every byte chosen by the client)
//! or from the user (`--session`, a scenario's `name`). A name must stay one folder inside its
//! parent on every system the captures travel to: no separator, no `..`, no leading dot (a
//! hidden file, or `.` itself), and none of the names Windows reserves for devices (`CON`,
//! `PRN`, `AUX`, `NUL`, `COM1`-`COM9`, `LPT1`-`LPT9`, with any extension: `NUL.txt` opens the
//! null device there), no trailing dot or space (Windows drops them).

/// Longest slug made from a captured name.
const SLUG_MAX: usize = 64;

/// A folder name for `name` that can never leave its parent: only `[A-Za-z0-9._-]` (anything
/// else becomes `_`), no leading or trailing dot, at most 64 characters, and a reserved device
/// name gets a `_` in front; `_unknown` when nothing usable is left.
pub fn slug(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "_unknown".to_owned();
    };
    let mut slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(SLUG_MAX)
        .collect();
    while slug.starts_with('.') {
        slug.replace_range(..1, "_");
    }
    while slug.ends_with('.') {
        slug.pop();
        slug.push('_');
    }
    if slug.is_empty() || slug.chars().all(|c| c == '_') {
        return "_unknown".to_owned();
    }
    if is_reserved(&slug) {
        slug.insert(0, '_');
        slug.truncate(SLUG_MAX);
    }
    slug
}

/// Whether `name` is one Windows reserves for a device, with or without an extension
/// (`CON`, `nul.txt`, `COM1.json`), compared without case.
pub fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let bytes = upper.as_bytes();
            bytes.len() == 4
                && (upper.starts_with("COM") || upper.starts_with("LPT"))
                && (b'1'..=b'9').contains(&bytes[3])
        }
    }
}

/// [`is_folder_name`]'s rule, as an error tells the user how to fix a name.
pub const FOLDER_NAME_RULE: &str = "use letters, digits, '.', '_' and '-', not starting or ending with '.', and not a device name such as CON or NUL";

/// Whether a name the user chose can be one folder: 1 to 100 of `[A-Za-z0-9._-]`, no leading
/// or trailing dot (so never `.` or `..`, never hidden), not a reserved device name.
pub fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !is_reserved(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_stay_inside_their_folder() {
        assert_eq!(slug(Some("gpt-5.5")), "gpt-5.5");
        assert_eq!(slug(Some("../../etc/passwd")), "_._.._etc_passwd");
        assert_eq!(slug(Some("..")), "_unknown");
        assert_eq!(
            slug(Some("anthropic/claude-sonnet-4-5")),
            "anthropic_claude-sonnet-4-5"
        );
        assert_eq!(slug(Some(&"x".repeat(10_000))).len(), 64);
        assert_eq!(slug(Some("")), "_unknown");
        assert_eq!(slug(None), "_unknown");
        for hostile in [
            "/",
            "\\..\\",
            ".",
            "a/../../b",
            "\u{0}",
            "model.",
            "x\u{202e}y",
        ] {
            let slug = slug(Some(hostile));
            assert!(
                !slug.contains('/')
                    && !slug.contains('\\')
                    && !slug.starts_with('.')
                    && !slug.ends_with('.')
                    && slug.is_ascii(),
                "{hostile:?} -> {slug}"
            );
        }
    }

    #[test]
    fn reserved_device_names_are_mapped() {
        for reserved in [
            "CON", "con", "NUL.txt", "nul.json", "COM1", "lpt9.x", "AUX", "PRN",
        ] {
            assert!(is_reserved(reserved), "{reserved}");
            let mapped = slug(Some(reserved));
            assert!(!is_reserved(&mapped), "{reserved} -> {mapped}");
            assert!(mapped.starts_with('_'), "{reserved} -> {mapped}");
            assert!(!is_folder_name(reserved), "{reserved}");
        }
        for fine in [
            "CONSOLE", "COM10", "COM0", "LPT", "nullable", "gpt-5.5", "com1x",
        ] {
            assert!(!is_reserved(fine), "{fine}");
        }
    }

    #[test]
    fn folder_names_refuse_what_could_leave_the_folder() {
        assert!(is_folder_name("qa-2026-11-26") && is_folder_name("golden.v2"));
        for bad in [
            "",
            ".",
            "..",
            "../../escape",
            "a/b",
            ".hidden",
            "trailing.",
            "a b",
            "NUL",
        ] {
            assert!(!is_folder_name(bad), "{bad:?}");
        }
        assert!(!is_folder_name(&"x".repeat(101)));
    }
}
