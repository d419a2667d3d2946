//! Spawns a thousand tasks that each yield once, then joins them all.
//!
//! Run with `cargo run --release --example spawn_join`.

fn main() {
    let total: u64 = evloop::block_on(async {
        let handles: Vec<_> = (0..1000u64)
            .map(|i| {
                evloop::spawn(async move {
                    evloop::task::yield_now().await;
                    i
                })
            })
            .collect();
        let mut total = 0;
        for handle in handles {
            total += handle.await.expect("tasks here do not panic");
        }
        total
    });
    println!("1000 tasks joined; their ids sum to {total}");
}
