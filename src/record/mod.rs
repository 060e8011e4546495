//! Recording: the raw facts of each exchange (filled by the proxy), their conversion into
//! redacted captures, the batched writer and the live console.

pub mod console;
mod convert;
mod manifest;
mod queue;
mod recording;
pub mod session;
mod writer;

pub use convert::to_exchange;
pub use manifest::{MANIFEST_FORMAT, Manifest, ManifestEntry};
pub use queue::{BacklogLimits, WriterClosed, WriterHandle, WriterPermit};
pub use recording::{Failure, OverLimit, Recording, ResponseHead, version_name};
pub use writer::{Writer, WriterConfig, WriterReport, model_slug};
