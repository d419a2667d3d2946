#[evloop::main]
async fn entry() -> u32 {
    "not a number"
}

fn main() {
    entry();
}
