#[evloop::test]
async unsafe fn qualifier() {}

#[evloop::test]
async fn generic<T: Default>() {
    let _ = T::default();
}

#[evloop::test]
async fn where_clause() where u32: Copy {}

#[evloop::test]
#[test]
async fn second_test_attribute() {}

fn main() {}
