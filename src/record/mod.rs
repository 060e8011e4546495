//! Recording sessions: the batched capture writer (its conversion stage in [`prepare`]), the
//! session manifest, the console, and a session end to end (writer, redactor, proxy and server
//! started and stopped together).

pub mod console;
mod manifest;
pub mod prepare;
pub mod session;
mod writer;

pub use manifest::{MANIFEST_FORMAT, Manifest, ManifestEntry};
pub use writer::{Writer, WriterConfig, WriterFailed, WriterReport};
