//! The proxies: the reverse proxy Cursor's servers call (through a tunnel), the forward proxy
//! clients reach through `HTTPS_PROXY` (with TLS interception by our CA), the one recording
//! pipeline both share, and the tee that records without getting in the way.
//!
//! The proxies stand on the HTTP base ([`crate::http`]) and hand every finished recording to
//! the capture queue they are given ([`crate::capture::queue`]); they never see the writer.

pub mod exchange;
pub mod forward;
mod mitm;
pub mod proxy_auth;
pub mod reverse;
pub mod scope;
pub mod tee;
