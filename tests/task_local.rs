//! `task_local!` and `LocalKey`: a value set for one future, visible while it (and
//! what it awaits) is polled, invisible to every other task. Tasks that interleave
//! run on a real runtime, bounded by [`within`]; the scope's own mechanics are
//! stepped by hand with a [`Probe`].

use std::cell::{Cell, RefCell};
use std::future::{Future, pending};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Waker};
use std::time::Duration;

use evloop::task::yield_now;

mod common;

use common::probe::Probe;
use common::within;

evloop::task_local! {
    /// The request a task works for.
    static REQUEST: u32;
    pub static USER: String;
}

evloop::task_local! {
    static DEPTH: u8
}

/// Reads `REQUEST` from inside a nested async function, across an await.
async fn request_seen_deeper_down() -> u32 {
    let before = REQUEST.get();
    yield_now().await;
    assert_eq!(REQUEST.get(), before, "the same value after the await");
    before
}

#[test]
fn each_task_sees_its_own_value_while_they_interleave() {
    within(Duration::from_secs(30), || {
        evloop::block_on(async {
            let log = Rc::new(RefCell::new(Vec::new()));
            let tasks: Vec<_> = [1, 2]
                .into_iter()
                .map(|id| {
                    let log = log.clone();
                    evloop::spawn(REQUEST.scope(id, async move {
                        for _ in 0..5 {
                            let seen = REQUEST.get();
                            log.borrow_mut().push((id, seen));
                            assert_eq!(request_seen_deeper_down().await, id);
                        }
                        id
                    }))
                })
                .collect();
            for (id, task) in [1, 2].into_iter().zip(tasks) {
                assert_eq!(task.await.unwrap(), id);
                assert!(REQUEST.try_with(|_| ()).is_err(), "not set out here");
            }
            let log = log.borrow();
            assert!(log.iter().all(|(id, seen)| id == seen));
            // The two did interleave: the log alternates between them.
            assert_eq!(log.len(), 10);
            assert!(log.windows(2).any(|pair| pair[0].0 != pair[1].0));
        });
    });
}

#[test]
fn a_scope_polled_by_hand_sets_the_value_only_during_its_polls() {
    let seen = Rc::new(Cell::new(None));
    let seen_inside = seen.clone();
    let mut scoped = Probe::new(REQUEST.scope(7, async move {
        seen_inside.set(REQUEST.try_with(|v| *v).ok());
        pending::<()>().await;
    }));
    scoped.assert_pending();
    assert_eq!(seen.get(), Some(7));
    assert!(REQUEST.try_with(|_| ()).is_err(), "taken out between polls");
    scoped.assert_pending();
    assert!(REQUEST.try_with(|_| ()).is_err());
}

#[test]
fn nested_scopes_of_one_key_restore_the_outer_value() {
    let mut outer = Probe::new(REQUEST.scope(1, async {
        assert_eq!(REQUEST.get(), 1);
        let inner = REQUEST
            .scope(2, async {
                assert_eq!(REQUEST.get(), 2);
                yield_now().await;
                assert_eq!(REQUEST.get(), 2);
                REQUEST.get()
            })
            .await;
        assert_eq!(REQUEST.get(), 1, "back to the outer value");
        let synchronous = REQUEST.sync_scope(3, || REQUEST.get());
        assert_eq!(REQUEST.get(), 1);
        (inner, synchronous)
    }));
    outer.assert_pending();
    assert!(REQUEST.try_with(|_| ()).is_err());
    assert_eq!(outer.expect_ready(), (2, 3));
}

#[test]
fn keys_are_independent() {
    let both = REQUEST.scope(
        4,
        USER.scope(String::from("ada"), async {
            assert_eq!(REQUEST.get(), 4);
            USER.with(|user| user.clone())
        }),
    );
    assert_eq!(Probe::new(both).expect_ready(), "ada");
    assert_eq!(
        Probe::new(DEPTH.scope(9, async { DEPTH.get() })).expect_ready(),
        9
    );
}

#[test]
#[should_panic(expected = "a task-local value was read outside its scope")]
fn with_outside_a_scope_panics() {
    REQUEST.with(|_| ());
}

#[test]
#[should_panic(expected = "a task-local value was read outside its scope")]
fn get_outside_a_scope_panics() {
    let _ = REQUEST.get();
}

#[test]
fn try_with_outside_a_scope_is_an_error() {
    let error = REQUEST.try_with(|v| *v).unwrap_err();
    assert_eq!(error.to_string(), "task-local value not set");
    assert!(USER.try_with(|user| user.len()).is_err());
}

#[test]
fn with_and_get_inside_a_scope() {
    let read = USER.scope(String::from("grace"), async {
        let length = USER.with(|user| user.len());
        let copy = USER.get();
        assert_eq!(
            USER.try_with(|user| user.to_uppercase()),
            Ok(String::from("GRACE"))
        );
        (length, copy)
    });
    assert_eq!(Probe::new(read).expect_ready(), (5, String::from("grace")));
}

#[test]
fn sync_scope_sets_the_value_for_the_closure_only() {
    assert_eq!(REQUEST.sync_scope(5, || REQUEST.get() * 2), 10);
    assert!(REQUEST.try_with(|_| ()).is_err());
    let nested = REQUEST.sync_scope(1, || {
        let inner = REQUEST.sync_scope(2, || REQUEST.get());
        (inner, REQUEST.get())
    });
    assert_eq!(nested, (2, 1));
}

#[test]
fn sync_scope_takes_the_value_back_out_when_the_closure_panics() {
    let result = catch_unwind(|| REQUEST.sync_scope(6, || panic!("inside the scope")));
    assert!(result.is_err());
    assert!(REQUEST.try_with(|_| ()).is_err(), "not left behind");
}

#[test]
fn a_panicking_poll_takes_the_value_back_out() {
    let mut scoped = Box::pin(REQUEST.scope(8, async {
        yield_now().await;
        panic!("inside the scoped future");
    }));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(scoped.as_mut().poll(&mut cx).is_pending());
    let result = catch_unwind(AssertUnwindSafe(|| scoped.as_mut().poll(&mut cx)));
    assert!(result.is_err());
    assert!(REQUEST.try_with(|_| ()).is_err(), "not left behind");
}

#[test]
#[should_panic(expected = "a task-local scope was entered while `LocalKey::with` lends")]
fn entering_a_scope_while_with_lends_the_value_panics_with_a_message() {
    REQUEST.sync_scope(1, || REQUEST.with(|_| REQUEST.sync_scope(2, || ())));
}

#[test]
#[should_panic(expected = "a TaskLocalFuture was polled after it completed")]
fn polling_a_finished_scope_again_panics_with_a_message() {
    let mut scoped = pin!(REQUEST.scope(1, async {}));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(scoped.as_mut().poll(&mut cx).is_ready());
    let _ = scoped.as_mut().poll(&mut cx);
}

/// Records, when dropped, the `REQUEST` value it could see.
struct ReadsOnDrop(Rc<Cell<Option<Option<u32>>>>);

impl Drop for ReadsOnDrop {
    fn drop(&mut self) {
        self.0.set(Some(REQUEST.try_with(|v| *v).ok()));
    }
}

#[test]
fn the_inner_future_is_dropped_inside_the_scope() {
    // Dropped while pending, after one poll.
    let seen = Rc::new(Cell::new(None));
    let guard = ReadsOnDrop(seen.clone());
    let mut scoped = Probe::new(REQUEST.scope(11, async move {
        let _guard = guard;
        pending::<()>().await;
    }));
    scoped.assert_pending();
    drop(scoped);
    assert_eq!(seen.get(), Some(Some(11)));

    // Dropped before its first poll: what it captured sees the value too.
    let seen = Rc::new(Cell::new(None));
    let guard = ReadsOnDrop(seen.clone());
    drop(REQUEST.scope(12, async move {
        let _guard = guard;
    }));
    assert_eq!(seen.get(), Some(Some(12)));

    // Finished: its locals are dropped as it completes, inside the poll.
    let seen = Rc::new(Cell::new(None));
    let guard = ReadsOnDrop(seen.clone());
    let mut scoped = Probe::new(REQUEST.scope(13, async move {
        let _guard = guard;
        yield_now().await;
    }));
    scoped.assert_pending();
    assert_eq!(seen.get(), None, "still alive while pending");
    scoped.expect_ready();
    assert_eq!(seen.get(), Some(Some(13)));
}

#[test]
fn a_task_aborted_while_in_a_scope_drops_its_future_inside_the_scope() {
    let seen = within(Duration::from_secs(30), || {
        let seen = Rc::new(Cell::new(None));
        let guard = ReadsOnDrop(seen.clone());
        evloop::block_on(async move {
            let task = evloop::spawn(REQUEST.scope(21, async move {
                let _guard = guard;
                pending::<()>().await;
            }));
            yield_now().await;
            task.abort();
            assert!(task.await.unwrap_err().is_cancelled());
        });
        seen.get()
    });
    assert_eq!(seen, Some(Some(21)));
}

#[test]
fn a_task_spawned_inside_a_scope_does_not_inherit_the_value() {
    let parent = within(Duration::from_secs(30), || {
        evloop::block_on(REQUEST.scope(30, async {
            let child = evloop::spawn(async {
                yield_now().await;
                REQUEST.try_with(|v| *v).ok()
            });
            assert_eq!(child.await.unwrap(), None, "as in tokio: not inherited");
            let scoped_child = evloop::spawn(REQUEST.scope(31, async { REQUEST.get() }));
            assert_eq!(scoped_child.await.unwrap(), 31);
            REQUEST.get()
        }))
    });
    assert_eq!(parent, 30, "the parent keeps its own");
}

#[test]
fn the_root_future_and_a_task_each_see_their_own_value() {
    let (root, task) = within(Duration::from_secs(30), || {
        evloop::block_on(REQUEST.scope(40, async {
            let task = evloop::spawn(REQUEST.scope(41, async {
                let mut seen = Vec::new();
                for _ in 0..3 {
                    seen.push(REQUEST.get());
                    yield_now().await;
                }
                seen
            }));
            let mut seen = Vec::new();
            for _ in 0..3 {
                seen.push(REQUEST.get());
                yield_now().await;
            }
            (seen, task.await.unwrap())
        }))
    });
    assert_eq!(root, [40, 40, 40]);
    assert_eq!(task, [41, 41, 41]);
}

#[test]
fn debug_shows_the_value() {
    let scoped = REQUEST.scope(50, async {});
    assert!(format!("{scoped:?}").contains("50"));
    assert!(format!("{REQUEST:?}").contains("LocalKey"));
}
