//! Where a capture goes inside its session or run folder: one folder per model, named so that
//! no model name (every byte of which the client chose) can leave the folder.

use super::Exchange;

/// The folder of `exchange` inside its session: `_models` for a model list, else the model's
/// [`model_slug`] (a Gemini request's model is in its path).
pub fn folder_for(exchange: &Exchange) -> String {
    if exchange.request.is_model_list() {
        "_models".to_owned()
    } else {
        model_slug(exchange.model_name())
    }
}

/// A folder name for a model that can never leave the session folder: only `[A-Za-z0-9._-]`,
/// no leading dot, at most 64 characters; `_unknown` when there is no usable name.
pub fn model_slug(model: Option<&str>) -> String {
    let Some(model) = model else {
        return "_unknown".to_owned();
    };
    let mut slug: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    while slug.starts_with('.') {
        slug.replace_range(..1, "_");
    }
    if slug.is_empty() || slug.chars().all(|c| c == '_') {
        return "_unknown".to_owned();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_stay_inside_the_session_folder() {
        assert_eq!(model_slug(Some("gpt-5.5")), "gpt-5.5");
        assert_eq!(model_slug(Some("../../etc/passwd")), "_._.._etc_passwd");
        assert_eq!(model_slug(Some("..")), "_.");
        assert_eq!(
            model_slug(Some("anthropic/claude-sonnet-4-5")),
            "anthropic_claude-sonnet-4-5"
        );
        assert_eq!(model_slug(Some(&"x".repeat(10_000))).len(), 64);
        assert_eq!(model_slug(Some("")), "_unknown");
        assert_eq!(model_slug(None), "_unknown");
        for hostile in ["/", "\\..\\", ".", "a/../../b", "\u{0}"] {
            let slug = model_slug(Some(hostile));
            assert!(
                !slug.contains('/') && !slug.contains('\\') && !slug.starts_with('.'),
                "{hostile:?} -> {slug}"
            );
        }
    }
}
