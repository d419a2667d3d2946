#[evloop::main(flavor = "multi_thread")]
fn main(arguments: Vec<String>) {
    let _ = arguments;
}
