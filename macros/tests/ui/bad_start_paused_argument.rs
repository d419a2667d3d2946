#[evloop::test(start_paused = 1)]
async fn start_paused_not_a_bool() {}

#[evloop::test(start_paused = "true")]
async fn start_paused_a_string() {}

#[evloop::test(start_paused, start_paused = false)]
async fn start_paused_twice() {}

fn main() {}
