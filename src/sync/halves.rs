//! What the halves of every mpsc channel have in common, written once.
//!
//! There are four kinds of mpsc channel: bounded or unbounded, local
//! ([`mpsc`](super::mpsc)) or fed from any thread ([`remote::mpsc`](super::remote::mpsc)).
//! Their halves differ only in how a message gets in (waiting for a slot or not) and
//! in what they share (`Rc<Chan>` or `Arc` and a lock). These macros define the
//! methods that are the same on all four, each a one-line call into the shared part,
//! which every kind provides under the same method names.

#![deny(unsafe_code)]

/// The receiving methods, `Stream`, `Drop` and `Debug` for `$receiver`, a struct with
/// a `chan` field that has `poll_recv`, `poll_recv_many`, `try_recv`, `close`,
/// `is_closed_for_receiver`, `len` and `drop_receiver`.
macro_rules! receiver_methods {
    ($receiver:ident) => {
        impl<T> $receiver<T> {
            /// Receives the next message, waiting for one; `None` once every sender
            /// is gone (or the channel was closed) and the queue is empty.
            ///
            /// Cancel-safe: dropping the future loses no message.
            pub fn recv(&mut self) -> impl ::std::future::Future<Output = Option<T>> + '_ {
                ::std::future::poll_fn(move |cx| self.chan.poll_recv(cx))
            }

            /// A message now, if one is queued.
            pub fn try_recv(&mut self) -> Result<T, $crate::sync::mpsc::error::TryRecvError> {
                use $crate::sync::mpsc::error::TryRecvError;
                match self.chan.try_recv() {
                    Ok(Some(message)) => Ok(message),
                    Ok(None) => Err(TryRecvError::Empty),
                    Err(()) => Err(TryRecvError::Disconnected),
                }
            }

            /// Waits for at least one message, then moves up to `limit` of those queued
            /// into `buffer`; returns how many. 0 means the channel is over (or
            /// `limit` is 0).
            pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
                ::std::future::poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
            }

            /// The poll behind [`recv`](Self::recv), for hand-written futures.
            pub fn poll_recv(
                &mut self,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<T>> {
                self.chan.poll_recv(cx)
            }

            /// The poll behind [`recv_many`](Self::recv_many).
            pub fn poll_recv_many(
                &mut self,
                cx: &mut ::std::task::Context<'_>,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> ::std::task::Poll<usize> {
                self.chan.poll_recv_many(cx, buffer, limit)
            }

            /// Refuses further messages (waiting senders get theirs back) while
            /// keeping those queued for [`recv`](Self::recv).
            pub fn close(&mut self) {
                self.chan.close();
            }

            /// Whether no more messages can be sent: every sender is gone, or
            /// [`close`](Self::close) was called.
            pub fn is_closed(&self) -> bool {
                self.chan.is_closed_for_receiver()
            }

            /// How many messages are queued.
            pub fn len(&self) -> usize {
                self.chan.len()
            }

            /// Whether no message is queued.
            pub fn is_empty(&self) -> bool {
                self.chan.len() == 0
            }
        }

        // A receiver is never pinned in place: it only holds an `Rc`/`Arc` and, for
        // a remote one, a buffer of messages that it moves out by value.
        impl<T> Unpin for $receiver<T> {}

        impl<T> ::futures_core::Stream for $receiver<T> {
            type Item = T;

            fn poll_next(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<T>> {
                self.get_mut().chan.poll_recv(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                (self.chan.len(), None)
            }
        }

        impl<T> Drop for $receiver<T> {
            fn drop(&mut self) {
                self.chan.drop_receiver();
            }
        }

        impl<T> ::std::fmt::Debug for $receiver<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($receiver))
                    .field("queued", &self.chan.len())
                    .field("closed", &self.chan.is_closed_for_receiver())
                    .finish()
            }
        }
    };
}

/// `closed`, `is_closed`, `same_channel`, `Clone`, `Drop` and `Debug` for `$sender`,
/// a struct with a `chan` field (an `Rc` or `Arc`) that has `closed`, `is_closed`,
/// `add_sender` and `drop_sender`.
macro_rules! sender_methods {
    ($sender:ident) => {
        impl<T> $sender<T> {
            /// Waits until the receiver is dropped or closes the channel.
            pub async fn closed(&self) {
                self.chan.closed().await
            }

            /// Whether the receiver is dropped or closed the channel.
            pub fn is_closed(&self) -> bool {
                self.chan.is_closed()
            }

            /// Whether both senders feed the same channel.
            pub fn same_channel(&self, other: &Self) -> bool {
                ::std::ptr::eq(&*self.chan, &*other.chan)
            }
        }

        impl<T> Clone for $sender<T> {
            fn clone(&self) -> Self {
                self.chan.add_sender();
                $sender {
                    chan: self.chan.clone(),
                }
            }
        }

        impl<T> Drop for $sender<T> {
            fn drop(&mut self) {
                self.chan.drop_sender();
            }
        }

        impl<T> ::std::fmt::Debug for $sender<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($sender))
                    .field("closed", &self.chan.is_closed())
                    .finish_non_exhaustive()
            }
        }
    };
}

pub(crate) use {receiver_methods, sender_methods};
