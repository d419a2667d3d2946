//! Compile-fail tests: the macros' error messages, pinned in `tests/ui/*.stderr`.
//!
//! After changing a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p evloop-macros --test ui`
//! and read the new `.stderr` files before committing them.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
