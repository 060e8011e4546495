//! Where a capture goes inside its session or run folder: one folder per model, named so that
//! no model name (every byte of which the client chose) can leave the folder.

use super::Exchange;

/// The folder of `exchange` inside its session: `_models` for a model list, else the model's
/// [`crate::text::filename::slug`] (a Gemini request's model is in its path).
pub fn folder_for(exchange: &Exchange) -> String {
    if exchange.request.is_model_list() {
        "_models".to_owned()
    } else {
        crate::text::filename::slug(exchange.model_name())
    }
}
