//! Splitting a [`UnixStream`] into a read half and a write half (see `net/split.rs`).

#![deny(unsafe_code)]

use super::UnixStream;

crate::net::split::split_halves!(UnixStream);
