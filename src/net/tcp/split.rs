//! Splitting a [`TcpStream`] into a read half and a write half (see `net/split.rs`).

#![deny(unsafe_code)]

use super::TcpStream;

crate::net::split::split_halves!(TcpStream);
