//! Giving memory the process freed back to the system after a burst.
//!
//! glibc's allocator keeps what the program frees in its arenas for reuse, and returns pages
//! only from the top of a heap: after a burst (six endless streams captured and written) the
//! freed megabytes stay resident for the life of the process, which for a recorder is a whole
//! session. [`release`] asks glibc to hand every free page back (`malloc_trim(0)`). It walks
//! and locks each arena in turn, so it is called at a quiet moment (the capture writer, idle
//! after writing a lot), never per request.
//!
//! Other allocators (musl, macOS, Windows) return large free blocks on their own; there it does
//! nothing.

/// Hand the pages the allocator holds free back to the system; `true` when some were.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release() -> bool {
    // SAFETY: malloc_trim takes no pointer and touches only the allocator's own free lists,
    // under the allocator's locks; it is safe to call from any thread at any time.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Hand the pages the allocator holds free back to the system (nothing to do here).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release() -> bool {
    false
}
