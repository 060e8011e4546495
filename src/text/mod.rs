//! One escaper per place captured text can end up (a sink). Every byte of a capture was chosen
//! by whoever sent or answered the request, and the places it is shown run, render or act on
//! what they are given: a terminal obeys escape sequences, a forum renders Markdown, a browser
//! HTML, a shell runs what a script says, a file system takes names as paths. So a captured
//! string reaches a sink only through that sink's escaper here:
//!
//! - [`terminal`]: the console (control characters and bidirectional overrides shown escaped,
//!   one line per record).
//! - [`markdown`]: `report.md` and `check --format md` (escaped text, code spans and fenced
//!   blocks that cannot be broken out of).
//! - [`html`]: the pages of `report.html`.
//! - [`shell`]: the curl scripts of `export` and `shrink` (quoted words, one-line comments).
//! - [`filename`]: folder names taken from captures and from the user (the slug rule, names
//!   Windows reserves).
//! - [`xml`]: `junit.xml` (characters XML 1.0 forbids, and the console's rule for the rest).
//!
//! The escapers know nothing of captures or secrets (this module is at the bottom of the
//! layers); masking secrets is redaction's job, done before text gets here.

pub mod filename;
pub mod html;
pub mod markdown;
pub mod shell;
pub mod terminal;
pub mod xml;
