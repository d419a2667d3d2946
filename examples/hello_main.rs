//! Teaches `#[evloop::main]`: an `async fn main` that spawns two tasks and joins them.
//!
//! The attribute turns `async fn main` into a plain `fn main` that creates a runtime and
//! blocks on the body. `?` works with the declared return type.
//!
//! Run with `cargo run --example hello_main`.

#[evloop::main]
async fn main() -> std::io::Result<()> {
    let hello = evloop::spawn(async { "hello" });
    let world = evloop::spawn(async {
        evloop::task::yield_now().await;
        "world"
    });
    let (hello, world) = (hello.await?, world.await?);
    println!("{hello}, {world} from two evloop tasks");
    Ok(())
}
