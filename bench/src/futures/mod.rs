//! Leaf futures written by hand against `std::task` only, so that all three runtimes
//! run byte-for-byte the same workload code and differ only in how they schedule it.
//!
//! - [`handoff`]: two tasks passing a value through an `Rc<RefCell<..>>` slot.
//! - [`gate`]: many tasks parked on one event.
//! - [`doorbell`]: a task woken by another OS thread.

pub mod doorbell;
pub mod gate;
pub mod handoff;
