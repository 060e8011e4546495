//! The Chat Completions contract (`POST …/chat/completions`): the request
//! (`CreateChatCompletionRequest`), the `chat.completion` answer, the chunk stream, and what
//! Cursor, the client on this leg, needs beyond the spec.
//!
//! - `request.rs`: the top-level fields; `message.rs`: messages and content parts; `tools.rs`:
//!   tools and `tool_choice`.
//! - `completion.rs`: the non-streamed answer.
//! - `stream.rs`: the event stream and `[DONE]`; `chunk.rs`: each chunk; `tool_call.rs`: tool
//!   calls in either.

mod chunk;
mod completion;
mod message;
mod request;
mod stream;
mod tool_call;
mod tools;

pub use completion::check_completion;
pub use request::{check_request_body, is_chat_field};
pub use stream::check_stream;
