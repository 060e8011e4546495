//! Files on disk, written so that a crash never leaves half of one and nobody but the owner can
//! read them: atomic writes (temp file, sync, rename), owner-only folders and files, and the
//! batched durable writes both capture writers use, folders created exclusively, the lock a
//! process holds on a folder, and no write through a symbolic link inside the tool's folders.

mod atomic;
mod durable;
mod links;
pub mod lock;

pub use atomic::{
    create_private_dir_all, create_private_dir_new, create_private_file, sync_filesystem,
    temp_path_for, write_atomically, write_json_atomically, write_public_atomically,
};
pub use durable::{DurableBatch, STAGING};
pub use links::{no_follow, refuse_links};
