#[evloop::test(crate)]
async fn crate_without_value() {}

#[evloop::test(crate = "not a path")]
async fn crate_not_a_path() {}

#[evloop::test(crate = evloop, crate = evloop)]
async fn crate_twice() {}

fn main() {}
