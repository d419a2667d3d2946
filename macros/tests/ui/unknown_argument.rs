#[evloop::main(flavor = "current_thread", crate = "evloop")]
async fn main() {}
