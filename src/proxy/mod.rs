//! The proxies: the reverse proxy Cursor's servers call (through a tunnel), the forward proxy
//! clients reach through `HTTPS_PROXY` (with TLS interception by our CA), the one recording
//! pipeline both share, the accept loop, the upstream client, hop-by-hop header handling, and
//! the tee that records without getting in the way.

pub mod body;
pub mod exchange;
pub mod forward;
pub mod headers;
mod mitm;
pub mod proxy_auth;
pub mod reverse;
pub mod scope;
pub mod server;
pub mod tee;
pub mod upstream;
